// Sentence splitting for text-to-speech: a synthesizer speaks one piece at a time, so the first audio comes
// after the first sentence is synthesized, not the whole text. Works on any script: Latin, Arabic, CJK and
// Devanagari sentence punctuation, plus newlines. Long sentences are cut at clause punctuation, then spaces,
// so no piece exceeds `maxChars` (long pieces delay the first audio and some models degrade on them).
//
// Hand-written rather than Intl.Segmenter because Segmenter splits after "Dr." and has no incremental mode;
// the LLM-style streaming API needs to know exactly when a sentence is complete (SentenceBuffer below).

/** Characters that end a sentence. */
const TERMINATORS = new Set(['.', '!', '?', '…', '؟', '۔', '。', '！', '？', '‼', '⁇', '⁈', '⁉', '।', '॥']);
/** Terminators that end a sentence even with no space after them (CJK full-width punctuation). */
const SPACELESS_TERMINATORS = new Set(['。', '！', '？']);
/** Terminators that need a space after them: "3.14", "e.g.x" and "wait…what" are not boundaries. */
const SPACE_NEEDING = new Set(['.', '…']);
/** Closing quotes and brackets that belong to the sentence they follow: `He said "Stop."` */
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '}', '»', '›', '」', '』', '）', '】']);
/** Clause punctuation where a long sentence may be cut (Latin, Arabic, CJK). */
const CLAUSE_MARKS = new Set([',', ';', ':', '—', '–', '،', '؛', '、', '，', '；', '：']);
/** Dashes are clause marks even without a following space ("word—word"). */
const DASHES = new Set(['—', '–']);
const NEWLINES = new Set(['\n', '\r', '\u2028', '\u2029', '\u0085']);

/** Abbreviations that never end a sentence (they precede a name, number or example). */
const PREFIX_ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'st',
  'mt',
  'ft',
  'gen',
  'col',
  'capt',
  'lt',
  'sgt',
  'rev',
  'hon',
  'gov',
  'sen',
  'rep',
  'pres',
  'fig',
  'figs',
  'no',
  'nos',
  'vol',
  'vols',
  'pp',
  'p',
  'vs',
  'v',
  'cf',
  'e.g',
  'i.e',
  'approx',
  'ca',
  'dept',
  'est',
  'op',
  'ch',
  'sec',
  'art',
  'eq',
  'ref',
  'tel',
  'ph.d',
  'm.d',
  'b.a',
  'm.a',
  'b.sc',
  'm.sc',
]);
/** Abbreviations that end a sentence only when the next word is capitalised ("etc. Then" vs "etc. and"). */
const SUFFIX_ABBREVIATIONS = new Set(['etc', 'al', 'inc', 'ltd', 'co', 'corp', 'jr', 'sr', 'bros', 'llc', 'plc']);

export const DEFAULT_MAX_SENTENCE_CHARS = 200;
/**
 * Longest first piece of a text when a quick start is asked for: a neural voice's time to first audio grows with
 * the length of the piece it synthesizes first, so a long opening sentence is cut (at a clause mark, else a space)
 * to start speaking about as soon as a short text would.
 */
export const QUICK_START_CHARS = 40;

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/u.test(c);
const isLower = (c: string | undefined): boolean => c !== undefined && c !== c.toUpperCase() && c === c.toLowerCase();
const isLetter = (c: string | undefined): boolean => c !== undefined && /\p{L}/u.test(c);

/**
 * The word that ends just before index `dot` (a '.'), lower-cased, without opening quotes or brackets.
 * "(Dr." -> "dr", "e.g." -> "e.g".
 */
function wordBefore(text: string, from: number, dot: number): string {
  let s = dot;
  while (s > from && !isSpace(text[s - 1])) s--;
  return text
    .slice(s, dot)
    .replace(/^[\p{Ps}\p{Pi}"'¿¡]+/u, '')
    .toLowerCase();
}

/** Whether the '.' at `dot` is part of an abbreviation, an initial or a list number rather than a full stop. */
function isNonTerminalDot(text: string, from: number, dot: number, next: string | undefined): boolean {
  const word = wordBefore(text, from, dot);
  if (word === '') return false;
  if (PREFIX_ABBREVIATIONS.has(word)) return true;
  if (SUFFIX_ABBREVIATIONS.has(word)) return next === undefined || !/\p{Lu}/u.test(next);
  // An initial: "J. K. Rowling".
  if ([...word].length === 1 && isLetter(word)) return true;
  // A list number at the start of a sentence: "1. First item".
  if (/^\d{1,3}$/.test(word) && text.slice(from, dot).trim() === word) return true;
  return false;
}

/**
 * Where the sentence starting at `from` ends: the index just past its terminator (and closing quotes), or just
 * before a newline. -1 when no boundary is certain yet. `complete` says no more text will come, so the end of
 * the text is a boundary; otherwise a terminator at the very end is undecided ("3." may become "3.14").
 */
function sentenceEnd(text: string, from: number, complete: boolean): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (NEWLINES.has(c)) return i;
    if (!TERMINATORS.has(c)) continue;
    let j = i + 1;
    while (j < text.length && TERMINATORS.has(text[j]!)) j++;
    while (j < text.length && CLOSERS.has(text[j]!)) j++;
    if (j === text.length) return complete ? j : -1;
    const after = text[j]!;
    const run = text.slice(i, j);
    if (isSpace(after)) {
      let k = j;
      while (k < text.length && isSpace(text[k]) && !NEWLINES.has(text[k]!)) k++;
      const next = k < text.length && !NEWLINES.has(text[k]!) ? text[k] : undefined;
      const terminators = [...run].filter((ch) => TERMINATORS.has(ch));
      const ellipsis = terminators.includes('…') || terminators.filter((ch) => ch === '.').length > 1;
      const singleDot = terminators.length === 1 && terminators[0] === '.';
      const suffixAbbreviation = singleDot && SUFFIX_ABBREVIATIONS.has(wordBefore(text, from, i));
      // Ellipses and "etc."-like abbreviations depend on the next word's case: undecided until it arrives.
      if (k === text.length && !complete && (ellipsis || suffixAbbreviation)) return -1;
      // "Wait... what": an ellipsis followed by a lower-case word continues the sentence.
      if (ellipsis && isLower(next)) {
        i = j - 1;
        continue;
      }
      if (singleDot && isNonTerminalDot(text, from, i, next)) {
        i = j - 1;
        continue;
      }
      return j;
    }
    if (SPACELESS_TERMINATORS.has(text[j - 1]!) || [...run].some((ch) => SPACELESS_TERMINATORS.has(ch))) return j;
    // "3.14", "U.S.A", "wait…what": not a boundary. "Really?!No" is a boundary: only '.' and '…' join words.
    const lastTerminator = [...run].filter((ch) => TERMINATORS.has(ch)).pop()!;
    if (!SPACE_NEEDING.has(lastTerminator)) return j;
    i = j - 1;
  }
  return complete && text.length > from ? text.length : -1;
}

/** Index (exclusive) of the last clause boundary within text[0, limit) that is followed by a space, or -1. */
function lastClauseBoundary(text: string, limit: number): number {
  for (let i = Math.min(limit, text.length) - 1; i > 0; i--) {
    const c = text[i]!;
    if (!CLAUSE_MARKS.has(c)) continue;
    if (DASHES.has(c)) return i + 1;
    if (i + 1 < text.length && isSpace(text[i + 1])) return i + 1;
  }
  return -1;
}

/** Index of the last space within text[0, limit], or -1. */
function lastSpace(text: string, limit: number): number {
  for (let i = Math.min(limit, text.length - 1); i > 0; i--) if (isSpace(text[i])) return i;
  return -1;
}

/** A cut at `at` that does not split a surrogate pair. */
function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code >= 0xdc00 && code <= 0xdfff && at > 1 ? at - 1 : at;
}

/**
 * Where to cut a piece longer than `maxChars`: the last clause boundary, else the last space, else a hard cut.
 * Always in (0, maxChars].
 */
function longCut(text: string, maxChars: number): number {
  const clause = lastClauseBoundary(text, maxChars);
  if (clause > 0) return clause;
  const space = lastSpace(text, maxChars);
  if (space > 0) return space;
  return safeCut(text, maxChars);
}

/** Cut one sentence into pieces of at most `maxChars`, at clause marks, then spaces. */
export function splitLongSentence(sentence: string, maxChars = DEFAULT_MAX_SENTENCE_CHARS): string[] {
  checkMax(maxChars);
  const out: string[] = [];
  let rest = sentence.trim();
  while (rest.length > maxChars) {
    const cut = longCut(rest, maxChars);
    const piece = rest.slice(0, cut).trim();
    if (piece) out.push(piece);
    rest = rest.slice(cut).trim();
  }
  if (rest) out.push(rest);
  return out;
}

export interface SplitOptions {
  /** Longest piece returned; longer sentences are cut at clause marks, then spaces. Default 200. */
  maxChars?: number;
  /** Longest first piece (QUICK_START_CHARS for a quick start); only the first sentence is cut for it. */
  firstMaxChars?: number;
}

function checkMax(maxChars: number): void {
  if (!Number.isInteger(maxChars) || maxChars < 8) throw new RangeError(`maxChars must be an integer >= 8, got ${maxChars}`);
}

/** Split a whole text into sentences (trimmed, none empty, none longer than `maxChars`). */
export function splitSentences(text: string, opts: SplitOptions = {}): string[] {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_SENTENCE_CHARS;
  checkMax(maxChars);
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const end = sentenceEnd(text, pos, true);
    if (end < 0) break;
    out.push(...splitLongSentence(text.slice(pos, end), maxChars));
    pos = end === pos ? pos + 1 : end;
  }
  return opts.firstMaxChars ? quickStart(out, opts.firstMaxChars) : out;
}

/** `pieces` with the first one cut to at most `firstMaxChars` (clause mark, else space, else hard cut). */
export function quickStart(pieces: string[], firstMaxChars = QUICK_START_CHARS): string[] {
  checkMax(firstMaxChars);
  const first = pieces[0];
  if (first === undefined || first.length <= firstMaxChars) return pieces;
  const cut = longCut(first, firstMaxChars);
  return [first.slice(0, cut).trim(), first.slice(cut).trim(), ...pieces.slice(1)].filter(Boolean);
}

export interface SentenceBufferOptions extends SplitOptions {
  /**
   * With no sentence end in sight, once the buffered text is longer than this, it is cut at its last clause
   * mark so speech can start (an LLM sentence can run long). Default 120.
   */
  clauseThreshold?: number;
}

/**
 * Incremental splitter for text that arrives in pieces (LLM tokens). `append` returns every sentence completed
 * so far; a sentence is complete when its terminator is followed by whitespace or more text, at a newline, or
 * when the buffer passes `clauseThreshold` at a clause mark. The buffer never holds more than `maxChars`
 * characters of unfinished text (then it is cut at a space, or hard).
 */
export class SentenceBuffer {
  private buf = '';
  private readonly maxChars: number;
  private readonly clauseThreshold: number;

  constructor(opts: SentenceBufferOptions = {}) {
    this.maxChars = opts.maxChars ?? DEFAULT_MAX_SENTENCE_CHARS;
    checkMax(this.maxChars);
    this.clauseThreshold = Math.min(opts.clauseThreshold ?? 120, this.maxChars);
    if (!(this.clauseThreshold > 0)) throw new RangeError(`clauseThreshold must be positive, got ${opts.clauseThreshold}`);
  }

  /** Text held, waiting for its sentence to end. */
  get pending(): string {
    return this.buf;
  }

  append(text: string): string[] {
    if (typeof text !== 'string') throw new TypeError('SentenceBuffer.append needs a string');
    this.buf += text;
    const out: string[] = [];
    for (;;) {
      this.buf = this.buf.replace(/^\s+/u, '');
      if (!this.buf) break;
      const end = sentenceEnd(this.buf, 0, false);
      if (end >= 0) {
        out.push(...splitLongSentence(this.buf.slice(0, end), this.maxChars));
        this.buf = this.buf.slice(Math.max(end, 1));
        continue;
      }
      if (this.buf.length <= this.clauseThreshold) break;
      let cut = lastClauseBoundary(this.buf, this.maxChars);
      if (cut <= 0) {
        if (this.buf.length <= this.maxChars) break;
        cut = longCut(this.buf, this.maxChars);
      }
      const piece = this.buf.slice(0, cut).trim();
      if (piece) out.push(piece);
      this.buf = this.buf.slice(cut);
    }
    return out;
  }

  /** Everything still buffered, as one piece (null when nothing is). The buffer is empty afterwards. */
  flush(): string | null {
    const rest = this.buf.trim();
    this.buf = '';
    return rest || null;
  }

  /** Drop buffered text (barge-in). */
  clear(): void {
    this.buf = '';
  }
}
