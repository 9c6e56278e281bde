// Deepgram's /v1/speak query options (REST and live) → Earshot TTS options. Deepgram's default encoding is
// MP3, which Earshot does not produce on-device: a request that does not ask for `linear16` is refused with a
// message that says what to send, never answered in another format than asked.
import { SessionError } from '../../../sessions/asr-session.js';
import type { TtsVoice } from '../../../engine/types.js';
import { deepgramModelLanguage, pickVoice } from '../tts-voice.js';

export interface DeepgramSpeakOptions {
  voice: string | undefined;
  sampleRate: number | undefined;
  /** REST only: `container=wav` (Deepgram's default for linear16) or `none`. */
  container: 'wav' | 'none';
  model: string;
}

const KNOWN = new Set(['model', 'encoding', 'sample_rate', 'container', 'bit_rate', 'callback', 'callback_method', 'mip_opt_out', 'tag', 'token']);

export function deepgramSpeakOptions(query: URLSearchParams, voices: readonly TtsVoice[], opts: { live: boolean }): DeepgramSpeakOptions {
  for (const key of query.keys()) if (!KNOWN.has(key)) throw new SessionError('bad_config', `unknown Deepgram speak option "${key}"`);
  if (query.get('callback')) throw new SessionError('bad_config', 'callback is not supported: Earshot answers in the response itself');
  const encoding = query.get('encoding');
  if (encoding !== 'linear16') {
    throw new SessionError(
      'bad_config',
      `encoding ${encoding === null ? '(default mp3)' : `"${encoding}"`} is not produced on-device; add encoding=linear16 (and sample_rate) to the request`,
    );
  }
  const rate = query.get('sample_rate');
  const sampleRate = rate === null ? undefined : Number(rate);
  if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 48000)) {
    throw new SessionError('bad_config', 'sample_rate must be an integer from 8000 to 48000');
  }
  const container = query.get('container') ?? (opts.live ? 'none' : 'wav');
  if (container !== 'wav' && container !== 'none') throw new SessionError('bad_config', 'container must be "wav" or "none"');
  const model = query.get('model') ?? 'aura-2-thalia-en';
  return { voice: pickVoice(model, voices, deepgramModelLanguage(model)), sampleRate, container, model };
}
