// Validation shared by every synthesizer backend: the text (limits, sentences) and the speed factor.
// Errors carry a protocol error code so the API layer can answer with it.
import { TTS_LIMITS } from '../../../../proto/ws-messages.js';
import { CodedError } from '../../errors.js';
import { QUICK_START_CHARS, splitSentences } from './sentences.js';

/** Longest text one request may carry (PROTOCOL.md: 100 k characters). */
export const MAX_TEXT_CHARS = TTS_LIMITS.maxTextChars;

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

/** Check a request's text; returns its sentences (the unit each backend synthesizes and streams). */
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

/** Check a speed factor (TTS_LIMITS: 0.25..4, default 1). */
export function checkSpeed(speed: unknown = 1): number {
  const { minSpeed, maxSpeed } = TTS_LIMITS;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < minSpeed || speed > maxSpeed) {
    throw new TtsRequestError(`speed must be a number between ${minSpeed} and ${maxSpeed}, got ${String(speed)}`);
  }
  return speed;
}
