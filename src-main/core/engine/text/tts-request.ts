// The TTS path's one cut: a whole text becomes the pieces a Synthesizer speaks, here and nowhere else.
// Callers with a whole text (TtsSession.speak, `earshot say`, ElevenLabs with-timestamps) cut it with
// `requestSentences`; the incremental path cuts with the SentenceBuffer of the same splitter (sentences.ts).
// Synthesizer backends receive the pieces and never cut again: they check them (`checkPieces`) and the speed.
// Errors carry a protocol error code so the API layer can answer with it.
import { TTS_LIMITS } from '../../../../proto/ws-messages.js';
import { CodedError } from '../../errors.js';
import type { TtsBackendId } from '../types.js';
import { DEFAULT_MAX_SENTENCE_CHARS, QUICK_START_CHARS, splitSentences } from './sentences.js';

/** Longest text one request may carry (PROTOCOL.md: 100 k characters). */
export const MAX_TEXT_CHARS = TTS_LIMITS.maxTextChars;
/** Longest piece a synthesizer takes: what the splitter cuts to (a longer piece delays the first audio). */
export const MAX_PIECE_CHARS = DEFAULT_MAX_SENTENCE_CHARS;

export class TtsRequestError extends CodedError {
  constructor(
    message: string,
    /** The PROTOCOL.md error code this maps to. */
    readonly code: 'bad_config' | 'too_large' = 'bad_config',
  ) {
    super(code, message);
    this.name = 'TtsRequestError';
  }
}

/**
 * Check a whole text and cut it into the pieces a synthesizer speaks (sentences, none over MAX_PIECE_CHARS);
 * `quickStart` also cuts a long first sentence at QUICK_START_CHARS so the first audio comes sooner.
 */
export function requestSentences(text: unknown, maxChars?: number, opts: { quickStart?: boolean } = {}): string[] {
  if (typeof text !== 'string') throw new TtsRequestError('text must be a string');
  if (text.length > MAX_TEXT_CHARS)
    throw new TtsRequestError(`text is ${text.length} characters; the limit is ${MAX_TEXT_CHARS}`, 'too_large');
  const sentences = splitSentences(text, {
    ...(maxChars ? { maxChars } : {}),
    ...(opts.quickStart ? { firstMaxChars: QUICK_START_CHARS } : {}),
  });
  if (!sentences.length) throw new TtsRequestError('text is empty');
  return sentences;
}

/**
 * Whether a whole text for this backend is cut with a quick start: a neural (sherpa) voice's time to first audio
 * grows with its first piece; espeak-ng starts at once whatever the length, and speaks whole sentences better.
 */
export function quickStartFor(backend: TtsBackendId): boolean {
  return backend === 'sherpa';
}

/**
 * What a synthesizer checks of the pieces it is given (it speaks each as it is, in order): at least one, each a
 * non-blank string of at most MAX_PIECE_CHARS, MAX_TEXT_CHARS in all. A piece too long was not cut by
 * requestSentences or the SentenceBuffer: a caller's bug, answered by name rather than spoken slowly.
 */
export function checkPieces(pieces: unknown): readonly string[] {
  if (!Array.isArray(pieces) || pieces.length === 0) throw new TtsRequestError('text is empty (no pieces to speak)');
  let total = 0;
  for (const [i, piece] of pieces.entries()) {
    if (typeof piece !== 'string') throw new TtsRequestError(`piece ${i} must be a string`);
    if (!piece.trim()) throw new TtsRequestError(`piece ${i} is empty`);
    if (piece.length > MAX_PIECE_CHARS) {
      throw new TtsRequestError(
        `piece ${i} is ${piece.length} characters; a synthesizer takes pieces of at most ${MAX_PIECE_CHARS} (cut the text with requestSentences)`,
      );
    }
    total += piece.length;
  }
  if (total > MAX_TEXT_CHARS) throw new TtsRequestError(`text is ${total} characters; the limit is ${MAX_TEXT_CHARS}`, 'too_large');
  return pieces as readonly string[];
}

/** Check a speed factor (TTS_LIMITS: 0.25..4, default 1). */
export function checkSpeed(speed: unknown = 1): number {
  const { minSpeed, maxSpeed } = TTS_LIMITS;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < minSpeed || speed > maxSpeed) {
    throw new TtsRequestError(`speed must be a number between ${minSpeed} and ${maxSpeed}, got ${String(speed)}`);
  }
  return speed;
}
