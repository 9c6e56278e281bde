// PCM sample-format conversion. Float32 in [-1, 1] is the engine's internal format.
import { CodedError } from '../errors.js';

/** Bytes that are not audio of the declared format: `bad_audio` on every transport. */
export class AudioFormatError extends CodedError {
  constructor(message: string) {
    super('bad_audio', message);
    this.name = 'AudioFormatError';
  }
}

/** Little-endian signed 16-bit bytes -> float samples. Odd byte counts are an error, never silently truncated. */
export function s16leToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 2 !== 0) {
    throw new AudioFormatError(`pcm_s16le needs an even number of bytes, got ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

/** Little-endian float32 bytes -> float samples; NaN and Inf are rejected (they poison a model's state). */
export function f32leToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new AudioFormatError(`pcm_f32le needs a multiple of 4 bytes, got ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) {
    const v = view.getFloat32(i * 4, true);
    if (!Number.isFinite(v)) throw new AudioFormatError(`pcm_f32le sample ${i} is ${v}; samples must be finite`);
    out[i] = v;
  }
  return out;
}

/** Float samples -> little-endian s16 bytes, clipped. */
export function float32ToS16le(samples: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    out.writeInt16LE(Math.round(v < 0 ? v * 32768 : v * 32767), i * 2);
  }
  return out;
}

/** Float samples -> little-endian f32 bytes. */
export function float32ToF32le(samples: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 4);
  for (let i = 0; i < samples.length; i++) out.writeFloatLE(samples[i]!, i * 4);
  return out;
}

/** Split interleaved frames into one Float32Array per channel. */
export function deinterleave(interleaved: Float32Array, channels: number): Float32Array[] {
  if (channels === 1) return [interleaved];
  if (interleaved.length % channels !== 0) {
    throw new AudioFormatError(`${interleaved.length} samples do not split into ${channels} channels`);
  }
  const frames = interleaved.length / channels;
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) out[c]![f] = interleaved[f * channels + c]!;
  return out;
}

/** Root-mean-square level of a block, 0..1 (for level meters and silence checks). */
export function rms(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}

export function concatFloat32(parts: readonly Float32Array[]): Float32Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
