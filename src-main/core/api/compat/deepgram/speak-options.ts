// Deepgram's /v1/speak query options (REST and live) → Earshot TTS options. REST speaks every encoding Deepgram
// offers but the G.711 ones: linear16 (WAV by default, or raw with container=none), mp3 (the default), opus (Ogg),
// flac and aac. The live socket speaks what Deepgram's does — raw linear16 (default), mulaw and alaw — and, beyond
// Deepgram, mp3/opus/flac/aac (each flush's audio one complete stream). Anything else is refused with a message
// that says what to send, never answered in another format than asked.
import type { EncodeFormat } from '../../../audio/index.js';
import { SessionError } from '../../../sessions/index.js';
import type { TtsVoice } from '../../../engine/index.js';
import { deepgramModelLanguage, pickVoice } from '../tts-voice.js';

export interface DeepgramSpeakOptions {
  voice: string | undefined;
  sampleRate: number | undefined;
  /** REST only: `container=wav` (Deepgram's default for linear16) or `none`. */
  container: 'wav' | 'none';
  /** A compressed encoding (REST), or on the live socket any encoded one (G.711 included), and its `bit_rate`. */
  encode?: { format: EncodeFormat; bitrateKbps?: number };
  model: string;
}

const KNOWN = new Set([
  'model',
  'encoding',
  'sample_rate',
  'container',
  'bit_rate',
  'callback',
  'callback_method',
  'mip_opt_out',
  'tag',
  'token',
]);

/** Encodings and what encodes them (linear16: none, the PCM goes out as synthesized). */
const REST_ENCODINGS: Record<string, EncodeFormat | null> = { linear16: null, mp3: 'mp3', opus: 'opus', flac: 'flac', aac: 'aac' };
const LIVE_ENCODINGS: Record<string, EncodeFormat | null> = { linear16: null, mulaw: 'mulaw', alaw: 'alaw', ...REST_ENCODINGS };

export function deepgramSpeakOptions(query: URLSearchParams, voices: readonly TtsVoice[], opts: { live: boolean }): DeepgramSpeakOptions {
  for (const key of query.keys()) if (!KNOWN.has(key)) throw new SessionError('bad_config', `unknown Deepgram speak option "${key}"`);
  if (query.get('callback')) throw new SessionError('bad_config', 'callback is not supported: Earshot answers in the response itself');
  const encoding = query.get('encoding') ?? (opts.live ? 'linear16' : 'mp3');
  const offered = opts.live ? LIVE_ENCODINGS : REST_ENCODINGS;
  if (!Object.hasOwn(offered, encoding)) {
    throw new SessionError(
      'bad_config',
      `encoding "${encoding}" is not produced on-device${opts.live ? ' on the live socket' : ''}; use ${Object.keys(offered).join(', ')}`,
    );
  }
  const compressed = offered[encoding];
  const bitRate = query.get('bit_rate');
  const encode = compressed ? { format: compressed, ...(bitRate ? { bitrateKbps: Math.round(Number(bitRate) / 1000) } : {}) } : undefined;
  const rate = query.get('sample_rate');
  const sampleRate = rate === null ? undefined : Number(rate);
  if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 48000)) {
    throw new SessionError('bad_config', 'sample_rate must be an integer from 8000 to 48000');
  }
  const container = query.get('container') ?? (opts.live ? 'none' : 'wav');
  if (container !== 'wav' && container !== 'none') throw new SessionError('bad_config', 'container must be "wav" or "none"');
  const model = query.get('model') ?? 'aura-2-thalia-en';
  return { voice: pickVoice(model, voices, deepgramModelLanguage(model)), sampleRate, container, model, encode };
}
