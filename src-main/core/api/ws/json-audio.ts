// The `audio` field of an ASR `{"type":"audio","audio":…}` message. Clients in the wild send three shapes,
// and each must be read as what it is (reading a hex string as base64 transcribes garbage, silently):
// - an array of numbers: float samples in [-1, 1] at the stream's sample rate (the browser client of the
//   streaming-ASR article sends `Array.from(float32Array)`); any encoding setting is irrelevant to them;
// - a hex string (`/^([0-9a-fA-F]{2})+$/` with at least one digit): the audio bytes, two hex digits each;
// - any other string: base64 (standard or URL-safe, padding optional) of the audio bytes.
// Why the digit: base64 of digital silence is "AAAA…", which is also valid hex. A hex string without any
// digit means every byte has both nibbles in A-F (0xAA-0xFF only), which speech never is; and a base64 string
// of more than a few bytes of audio almost surely has a character outside [0-9A-Fa-f]. (The one blind spot:
// a chunk of constant 0xFFFF samples sent as hex, i.e. DC at -1/32768, is read as base64.)
import { SessionError } from '../../sessions/index.js';

export type JsonAudio = { kind: 'bytes'; data: Buffer; from: 'hex' | 'base64' } | { kind: 'samples'; samples: Float32Array };

/** Float samples beyond this magnitude are not float audio (integer samples, most likely): refused. */
const MAX_FLOAT_MAGNITUDE = 2;

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const HAS_DIGIT = /[0-9]/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function decodeJsonAudio(value: unknown): JsonAudio {
  if (Array.isArray(value)) return { kind: 'samples', samples: floatSamples(value) };
  if (typeof value !== 'string') {
    throw new SessionError('bad_json', '"audio" must be a base64 or hex string of audio bytes, or an array of float samples');
  }
  if (HEX.test(value) && HAS_DIGIT.test(value)) return { kind: 'bytes', data: Buffer.from(value, 'hex'), from: 'hex' };
  if (!BASE64.test(value)) {
    throw new SessionError('bad_json', '"audio" is neither hex nor base64: a string must be the audio bytes in one of them');
  }
  return { kind: 'bytes', data: Buffer.from(value, 'base64'), from: 'base64' };
}

function floatSamples(values: unknown[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new SessionError('bad_audio', `"audio" sample ${i} is ${JSON.stringify(v)}; an array must hold finite float samples`);
    }
    if (Math.abs(v) > MAX_FLOAT_MAGNITUDE) {
      throw new SessionError(
        'bad_audio',
        `"audio" sample ${i} is ${v}; float samples lie in [-1, 1] (integer samples go as base64 or hex bytes with encoding=pcm_s16le)`,
      );
    }
    out[i] = Math.max(-1, Math.min(1, v));
  }
  return out;
}
