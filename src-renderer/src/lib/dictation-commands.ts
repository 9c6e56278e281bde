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

/**
 * Insert a dictated utterance into `value` at the caret (replacing the selection [start, end)), applying
 * spoken commands, with a space before it when the text before the caret needs one.
 */
export function insertDictation(value: string, start: number, end: number, utterance: string): InsertResult {
  const before = value.slice(0, start);
  const after = value.slice(end);
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
