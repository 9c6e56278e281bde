// What the UI tells a person about engines and models: the quality to expect from each engine, what a catalog
// model adds, which models to recommend for a language, which languages can be captioned, and how to install
// by hand when offline. Pure functions over the REST lists (GET /v1/models, GET /v1/engines), so onboarding,
// the language picker and Settings say the same thing.
import type { EngineEntry, ModelEntry } from '../../../proto/rest-models.js';

/** The REST model entry as the UI reads it (fields it does not need may be absent in fakes). */
export type ModelLike = Pick<ModelEntry, 'id' | 'kind'> & Partial<Omit<ModelEntry, 'id' | 'kind'>>;

/** What to expect from each backend, in one line (pocketsphinx: this project's LibriSpeech dev measurement). */
const ENGINE_QUALITY: Record<string, string> = {
  'pocketsphinx:asr': 'zero-download; expect roughly 40–45% word errors, lowercase, no punctuation',
  'sherpa:asr': 'neural on-device recognition: far fewer word errors',
  'espeak:tts': 'zero-download; clear but robotic, 100+ languages',
  'sherpa:tts': 'neural on-device voices: natural-sounding',
};

const ENGINE_NAME: Record<string, string> = { pocketsphinx: 'pocketsphinx', sherpa: 'sherpa-onnx', espeak: 'espeak-ng' };

export function engineName(id: string): string {
  return ENGINE_NAME[id] ?? id;
}

/** "pocketsphinx: zero-download; expect about 40% word errors, …" */
export function engineQuality(e: Pick<EngineEntry, 'id' | 'kind'>): string {
  return ENGINE_QUALITY[`${e.id}:${e.kind}`] ?? 'no quality figures known';
}

/**
 * The engine doing each job now: the first available backend of that kind (the server lists them in its own
 * preference order, neural first), or null when none is available.
 */
export function enginesInUse(engines: EngineEntry[]): { asr: EngineEntry | null; tts: EngineEntry | null } {
  return {
    asr: engines.find((e) => e.kind === 'asr' && e.available) ?? null,
    tts: engines.find((e) => e.kind === 'tts' && e.available) ?? null,
  };
}

/** What installing the model adds to the app, by kind. */
export function modelAdds(m: ModelLike): string {
  switch (m.kind) {
    case 'asr-streaming':
      return 'Neural live captions and dictation: far fewer word errors than pocketsphinx.';
    case 'asr-offline':
      return 'Recognizes each finished utterance: words appear when you pause, and with fewer errors than a live model.';
    case 'punct':
      return 'Punctuation and capital letters in captions.';
    case 'vad':
      return 'Better detection of when speech starts and stops (fewer cut-off words).';
    case 'tts':
      return 'A natural-sounding voice for reading text aloud.';
    case 'kws':
      return 'Keyword spotting.';
    default:
      return m.kind;
  }
}

/** "12.3 MB", or "size unknown" while the catalog does not know the size. */
export function formatSize(bytes: number | undefined | null): string {
  if (bytes == null) return 'size unknown';
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

/** "en-GB" → "en". */
export function baseLanguage(code: string): string {
  return code.toLowerCase().split(/[-_]/)[0] ?? code;
}

function sameLanguage(a: string | undefined, lang: string): boolean {
  return a === '*' || (a !== undefined && baseLanguage(a) === baseLanguage(lang));
}

/** Every language a model covers: its `languages` list (multilingual models), else its one `language`. */
export function modelLanguages(m: ModelLike): string[] {
  return m.languages?.length ? m.languages : m.language ? [m.language] : [];
}

/** The model covers `lang` (language-independent models such as the VAD cover every language). */
export function coversLanguage(m: ModelLike, lang: string): boolean {
  return m.language === '*' || modelLanguages(m).some((l) => sameLanguage(l, lang));
}

/** "English", "German, French", or "98 languages" for the long lists. */
export function languagesLabel(m: ModelLike): string {
  if (m.language === '*') return 'any language';
  const langs = modelLanguages(m);
  return langs.length > 4 ? `${langs.length} languages` : langs.map(languageName).join(', ');
}

const SPEED_TEXT: Record<string, string> = {
  fastest: 'Fastest',
  fast: 'Fast',
  moderate: 'Moderate',
  slow: 'Slow (needs a fast CPU)',
};
const ACCURACY_TEXT: Record<string, string> = { basic: 'Basic', fair: 'Fair', good: 'Good', best: 'Best' };

/** The catalog's speed class in words ("—" when the catalog has none). */
export function speedLabel(m: ModelLike): string {
  return m.speed ? (SPEED_TEXT[m.speed] ?? m.speed) : '—';
}

/** The catalog's accuracy class in words ("—" when the catalog has none). */
export function accuracyLabel(m: ModelLike): string {
  return m.accuracy ? (ACCURACY_TEXT[m.accuracy] ?? m.accuracy) : '—';
}

const ACCURACY_RANK = ['basic', 'fair', 'good', 'best'];

/** The server's order of preference (engine/models/language-models.ts): most accurate, then live, then smaller. */
function bestFirst(a: ModelLike, b: ModelLike): number {
  const acc = (m: ModelLike) => ACCURACY_RANK.indexOf(m.accuracy ?? '');
  return (
    acc(b) - acc(a) ||
    Number(a.kind !== 'asr-streaming') - Number(b.kind !== 'asr-streaming') ||
    (a.size_bytes ?? Infinity) - (b.size_bytes ?? Infinity)
  );
}

/** "Live" / "Offline" for recognizers, "Voice", "Punctuation"… for the rest. */
export function kindLabel(m: ModelLike): string {
  const names: Record<string, string> = {
    'asr-streaming': 'Live recognizer',
    'asr-offline': 'Offline recognizer',
    tts: 'Voice',
    punct: 'Punctuation',
    vad: 'Speech detector',
    kws: 'Keyword spotter',
  };
  return names[m.kind] ?? m.kind;
}

/** "English" for "en" (the browser's own names), or the code itself when it has none. */
export function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(baseLanguage(code));
    return name && name !== code ? name : code;
  } catch {
    return code;
  }
}

/** Models a user may see: never the synthetic test fixtures. */
export function userModels<T extends ModelLike>(models: T[]): T[] {
  return models.filter((m) => !m.fixture);
}

const KIND_ORDER = ['asr-streaming', 'punct', 'vad', 'tts', 'kws'];

/**
 * The models to offer for `language`: one of each kind that helps captions and speech (the catalog's first
 * recognizer (live; offline where no live one covers the language), punctuation model and voice for the language, plus the language-independent VAD), installed or
 * not (installed ones show as such). Fixtures never.
 */
export function recommendedModels<T extends ModelLike>(models: T[], language: string): T[] {
  const out: T[] = [];
  for (const kind of KIND_ORDER) {
    if (kind === 'kws') continue;
    let fits = userModels(models).filter((m) => m.kind === kind && coversLanguage(m, language));
    // No live model for the language (Arabic, Portuguese…): recommend the catalog's offline recognizer for it.
    if (kind === 'asr-streaming' && !fits.length)
      fits = userModels(models)
        .filter((m) => m.kind === 'asr-offline' && m.language !== '*' && coversLanguage(m, language))
        .sort(bestFirst);
    // Prefer one already installed (nothing to do), else the catalog's first (its recommended one).
    const pick = fits.find((m) => m.installed) ?? fits[0];
    if (pick) out.push(pick);
  }
  return out;
}

export interface LanguageOption {
  code: string;
  name: string;
  /** A recognizer for it is loaded or installed: captions work in this language. */
  ready: boolean;
  /** What captions use now, when ready: the loaded engines' names or the installed model ids. */
  readyWith: string[];
  /** Catalog recognizers that would add the language (not installed). */
  toInstall: ModelLike[];
}

/**
 * Every language the installed and catalog models (and the loaded recognizers) cover, with whether captions
 * work in it now and, when not, which catalog model adds it. Sorted by name; language-independent entries ("*")
 * name no language and are left out.
 */
export function languageOptions(models: ModelLike[], engines: EngineEntry[]): LanguageOption[] {
  const codes = new Set<string>();
  const visible = userModels(models);
  for (const m of visible) if (m.language !== '*') for (const l of modelLanguages(m)) codes.add(baseLanguage(l));
  for (const e of engines) if (e.kind === 'asr' && e.available) for (const l of e.languages ?? []) codes.add(baseLanguage(l));
  return [...codes]
    .map((code) => {
      const loaded = engines
        .filter((e) => e.kind === 'asr' && e.available && (e.languages ?? []).some((l) => sameLanguage(l, code)))
        .map((e) => engineName(e.id));
      const recognizers = visible.filter((m) => m.kind.startsWith('asr') && coversLanguage(m, code));
      const installed = recognizers.filter((m) => m.installed).map((m) => m.id);
      const readyWith = [...loaded, ...installed];
      const toInstall = recognizers.filter((m) => !m.installed).sort(bestFirst);
      return { code, name: languageName(code), ready: readyWith.length > 0, readyWith, toInstall };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One sentence on what to install for a language that cannot be captioned yet (null when it can). */
export function languageAdvice(opt: LanguageOption): string | null {
  if (opt.ready) return null;
  const names = opt.toInstall.map((m) => `${m.name ?? m.id} (${formatSize(m.size_bytes)})`);
  if (!names.length) return `No recognizer for ${opt.name} is installed or in the catalog, so captions cannot be made in ${opt.name} yet.`;
  return `No recognizer for ${opt.name} is installed. Install ${names.join(' or ')} to caption ${opt.name}: in Settings → Engines and models, or \`earshot models pull ${opt.toInstall[0]!.id}\`.`;
}

/**
 * Whether a failed install failed for want of a network (as opposed to a bad file or a server error): the
 * downloader says "cannot download <url>: <cause>" when the request itself could not be made.
 */
export function isOfflineError(message: string): boolean {
  return /cannot download |ENOTFOUND|EAI_AGAIN|ENETUNREACH|ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|network/i.test(message);
}

/** The browser's language ("de-AT" → "de"), or "en". */
export function preferredLanguage(nav: { languages?: readonly string[]; language?: string } | undefined = globalThis.navigator): string {
  return baseLanguage(nav?.languages?.[0] ?? nav?.language ?? 'en');
}
