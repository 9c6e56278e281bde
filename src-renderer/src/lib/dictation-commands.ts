// Spoken punctuation for the dictation pad: turns recognized words like "period" or "new line" into marks,
// and inserts the result at a caret with sensible spacing and capitalisation. Pure functions, unit-tested.

/** Spoken command (lower case, single spaces) → what it inserts. Longest phrases are matched first. */
export const SPOKEN_COMMANDS: ReadonlyMap<string, string> = new Map([
  ['question mark', '?'],
  ['exclamation mark', '!'],
  ['exclamation point', '!'],
  ['full stop', '.'],
  ['new paragraph', '\n\n'],
  ['new line', '\n'],
  ['newline', '\n'],
  ['open parenthesis', '('],
  ['close parenthesis', ')'],
  ['period', '.'],
  ['comma', ','],
  ['colon', ':'],
  ['semicolon', ';'],
  ['dash', ' —'],
  ['hyphen', '-'],
]);

/** What a command inserts, in words: the list users read ("new paragraph" → a blank line, not "\n\n"). */
export function describeMark(mark: string): string {
  const names: Record<string, string> = {
    '\n\n': 'a blank line (new paragraph)',
    '\n': 'a line break',
    ' —': '— (dash)',
  };
  return names[mark] ?? mark.trim();
}

/** Hesitation sounds removed when filler removal is on (whole words only: "um", not "umbrella"). */
export const FILLER_WORDS: ReadonlySet<string> = new Set(['um', 'umm', 'uh', 'uhh', 'uhm', 'er', 'erm', 'ah', 'hmm', 'hm', 'mm', 'mhm']);

/** The utterance without filler words (and the comma a recognizer may have put after one). */
export function removeFillers(utterance: string): string {
  return utterance
    .split(/\s+/)
    .filter((w) => w && !FILLER_WORDS.has(w.toLowerCase().replace(/[.,?!;:…]+$/, '')))
    .join(' ');
}

const MAX_PHRASE_WORDS = Math.max(...[...SPOKEN_COMMANDS.keys()].map((k) => k.split(' ').length));
/** Marks written right after the previous word, no space before. */
const CLOSING = new Set(['.', ',', '?', '!', ':', ';', ')', '-']);

/**
 * Apply spoken commands to one recognized utterance. "hello comma world period new line thanks" →
 * "hello, world.\nThanks". Sentence starts (text start or after . ? ! or a new line) are capitalised.
 * `startOfSentence` says whether the utterance begins a sentence (the text before the caret ends one).
 */
export function applySpokenCommands(utterance: string, startOfSentence = true): string {
  const words = utterance.trim().split(/\s+/).filter(Boolean);
  let out = '';
  let capitalise = startOfSentence;
  for (let i = 0; i < words.length;) {
    let matched: string | undefined;
    let used = 0;
    for (let n = Math.min(MAX_PHRASE_WORDS, words.length - i); n >= 1; n--) {
      const phrase = words
        .slice(i, i + n)
        .map(normaliseWord)
        .join(' ');
      const mark = SPOKEN_COMMANDS.get(phrase);
      if (mark !== undefined) {
        matched = mark;
        used = n;
        break;
      }
    }
    if (matched !== undefined) {
      out = joinMark(out, matched);
      if (/[.?!\n]$/.test(matched)) capitalise = true;
      i += used;
      continue;
    }
    let word = words[i]!; // i < words.length
    if (capitalise) word = word.charAt(0).toUpperCase() + word.slice(1);
    capitalise = false;
    out = out === '' || /[\n(]$/.test(out) ? out + word : out + ' ' + word;
    i++;
  }
  return out;
}

function normaliseWord(w: string): string {
  return w.toLowerCase().replace(/[.,?!;:]+$/, '');
}

function joinMark(out: string, mark: string): string {
  if (mark.startsWith('\n')) return out.replace(/[ \t]+$/, '') + mark;
  if (CLOSING.has(mark)) return out.replace(/[ \t]+$/, '') + mark;
  if (mark === '(') return (out === '' || /\s$/.test(out) ? out : out + ' ') + mark;
  return out + mark;
}

export interface InsertResult {
  value: string;
  /** Caret position after the inserted text. */
  caret: number;
}

export interface InsertOptions {
  /**
   * The text before the caret is the previous utterance of this dictation: end its sentence when it has no
   * closing mark, so utterances do not run together ("…came first. It hasn't always…"). Models without
   * punctuation give none themselves; an utterance the user closed ("comma", "period") is left as it is.
   */
  sentenceBreak?: boolean;
  /** Drop filler words ("um", "uh", …) first. */
  removeFillers?: boolean;
}

/**
 * Insert a dictated utterance into `value` at the caret (replacing the selection [start, end)), applying
 * spoken commands, with a space before it when the text before the caret needs one.
 */
export function insertDictation(value: string, start: number, end: number, utterance: string, opts: InsertOptions = {}): InsertResult {
  if (opts.removeFillers) utterance = removeFillers(utterance);
  if (applySpokenCommands(utterance) === '') return { value, caret: start };
  let before = value.slice(0, start);
  const after = value.slice(end);
  const startsWithMark = /^[.,?!:;)]/.test(applySpokenCommands(utterance));
  if (opts.sentenceBreak && !startsWithMark && /[\p{L}\p{N}]$/u.test(before)) before += '.';
  const sentenceStart = before.trim() === '' || /[.?!]\s*$|\n\s*$/.test(before);
  let text = applySpokenCommands(utterance, sentenceStart);
  if (text === '') return { value, caret: start };
  const needsSpace = before !== '' && !/[\s(]$/.test(before) && !CLOSING.has(text.charAt(0)) && !text.startsWith('\n');
  if (needsSpace) text = ' ' + text;
  const caret = before.length + text.length;
  // Keep a word after the caret apart from what was inserted.
  const spaceAfter = after !== '' && !/^[\s.,?!:;)]/.test(after) && !/\s$/.test(text) ? ' ' : '';
  return { value: before + text + spaceAfter + after, caret };
}
