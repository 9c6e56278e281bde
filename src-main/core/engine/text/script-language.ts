// The language a text is most likely in, from its writing system: what picks a voice when a TTS request names
// none (or names one that is not installed). Reading Arabic with the English voice spells the letters out
// ("Arabic letter meem…"), so the script decides. Latin script is shared by too many languages to guess from
// a few words: it gives undefined (the default voice). Scripts come from the JS engine's own Unicode tables
// (`\p{Script=…}`), so nothing here is a hand-kept character list except the few letters that tell Persian
// and Urdu from Arabic.

/** Script → BCP-47 language of the voice that reads it (espeak-ng and most voice catalogs use these). */
const SCRIPTS: ReadonlyArray<[RegExp, string]> = [
  [/\p{Script=Arabic}/u, 'ar'],
  [/\p{Script=Hebrew}/u, 'he'],
  [/\p{Script=Cyrillic}/u, 'ru'],
  [/\p{Script=Greek}/u, 'el'],
  [/\p{Script=Hiragana}|\p{Script=Katakana}/u, 'ja'],
  [/\p{Script=Hangul}/u, 'ko'],
  [/\p{Script=Han}/u, 'cmn'],
  [/\p{Script=Devanagari}/u, 'hi'],
  [/\p{Script=Bengali}/u, 'bn'],
  [/\p{Script=Gurmukhi}/u, 'pa'],
  [/\p{Script=Gujarati}/u, 'gu'],
  [/\p{Script=Oriya}/u, 'or'],
  [/\p{Script=Tamil}/u, 'ta'],
  [/\p{Script=Telugu}/u, 'te'],
  [/\p{Script=Kannada}/u, 'kn'],
  [/\p{Script=Malayalam}/u, 'ml'],
  [/\p{Script=Sinhala}/u, 'si'],
  [/\p{Script=Thai}/u, 'th'],
  [/\p{Script=Myanmar}/u, 'my'],
  [/\p{Script=Georgian}/u, 'ka'],
  [/\p{Script=Armenian}/u, 'hy'],
  [/\p{Script=Ethiopic}/u, 'am'],
];

/** Letters Persian writes and Arabic does not (پ چ ژ گ ک ی), and Urdu's own (ٹ ڈ ڑ ں ے ھ). */
const URDU = /[\u0679\u0688\u0691\u06BA\u06D2\u06BE]/u;
const PERSIAN = /[\u067E\u0686\u0698\u06AF\u06A9\u06CC]/u;
const LETTER = /\p{L}/u;

/**
 * The language of `text` by the script most of its letters are written in, or undefined for Latin script,
 * text without letters, or a script no voice language is mapped to.
 */
export function languageFromScript(text: string): string | undefined {
  const counts = new Map<string, number>();
  let letters = 0;
  for (const ch of text) {
    if (!LETTER.test(ch)) continue;
    letters++;
    const hit = SCRIPTS.find(([re]) => re.test(ch));
    if (hit) counts.set(hit[1], (counts.get(hit[1]) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [lang, n] of counts) if (n > bestCount) [best, bestCount] = [lang, n];
  // The script must be at least as common as all other letters together (a Latin text quoting one Greek
  // word stays Latin).
  if (!best || bestCount * 2 < letters) return undefined;
  if (best === 'ar') {
    if (URDU.test(text)) return 'ur';
    if (PERSIAN.test(text)) return 'fa';
  }
  // Kana next to Han is Japanese, whatever the count (Japanese text is mostly Han).
  if (best === 'cmn' && counts.has('ja')) return 'ja';
  return best;
}
