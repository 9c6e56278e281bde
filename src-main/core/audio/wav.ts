// RIFF/WAVE reading and writing. Reading validates the header and says exactly what is wrong.
import { AudioFormatError, f32leToFloat32, float32ToS16le, deinterleave } from './pcm.js';

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 1 = integer PCM, 3 = IEEE float. */
  audioFormat: 1 | 3;
  /** Byte offset of the first sample in the buffer. */
  dataOffset: number;
  /** Bytes of sample data present (may be less than declared for a truncated or streamed file). */
  dataBytes: number;
}

export interface DecodedWav extends WavInfo {
  /** One Float32Array per channel, samples in [-1, 1]. */
  channelData: Float32Array[];
}

const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** A streamed WAV (unknown length) declares this in its size fields. */
const UNKNOWN_LENGTH = 0xffffffff;

/** Parse a WAV header. `buf` must contain at least the header; the data chunk may be incomplete. */
export function parseWavHeader(buf: Uint8Array): WavInfo {
  if (buf.byteLength < 12) throw new AudioFormatError(`not a WAV file: ${buf.byteLength} bytes is shorter than a RIFF header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (o: number) => String.fromCharCode(buf[o]!, buf[o + 1]!, buf[o + 2]!, buf[o + 3]!);
  if (tag(0) !== 'RIFF') throw new AudioFormatError(`not a WAV file: starts with "${tag(0)}", expected "RIFF"`);
  if (tag(8) !== 'WAVE') throw new AudioFormatError(`not a WAV file: RIFF type is "${tag(8)}", expected "WAVE"`);
  let offset = 12;
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes'> | null = null;
  while (offset + 8 <= buf.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.byteLength) throw new AudioFormatError('WAV fmt chunk is truncated');
      let format = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= buf.byteLength) {
        format = view.getUint16(body + 24, true); // first two bytes of the sub-format GUID
      }
      if (format !== 1 && format !== 3) throw new AudioFormatError(`WAV audio format ${format} is not supported (only PCM and IEEE float)`);
      if (format === 1 && bitsPerSample !== 16) throw new AudioFormatError(`WAV PCM must be 16-bit, got ${bitsPerSample}-bit`);
      if (format === 3 && bitsPerSample !== 32) throw new AudioFormatError(`WAV float must be 32-bit, got ${bitsPerSample}-bit`);
      if (channels < 1 || channels > 8) throw new AudioFormatError(`WAV has ${channels} channels; 1 to 8 are supported`);
      if (sampleRate < 1000 || sampleRate > 384000) throw new AudioFormatError(`WAV sample rate ${sampleRate} Hz is out of range`);
      fmt = { audioFormat: format as 1 | 3, channels, sampleRate, bitsPerSample };
    } else if (id === 'data') {
      if (!fmt) throw new AudioFormatError('WAV data chunk comes before its fmt chunk');
      const available = buf.byteLength - body;
      const declared = size === UNKNOWN_LENGTH || size === 0 ? available : size;
      const frameBytes = (fmt.bitsPerSample / 8) * fmt.channels;
      const dataBytes = Math.min(declared, available) - (Math.min(declared, available) % frameBytes);
      return { ...fmt, dataOffset: body, dataBytes };
    }
    offset = body + size + (size % 2);
  }
  throw new AudioFormatError(fmt ? 'WAV has no data chunk' : 'WAV has no fmt chunk');
}

export function decodeWav(buf: Uint8Array): DecodedWav {
  const info = parseWavHeader(buf);
  const data = buf.subarray(info.dataOffset, info.dataOffset + info.dataBytes);
  const interleaved = info.audioFormat === 3 ? f32leToFloat32(data) : s16Copy(data);
  return { ...info, channelData: deinterleave(interleaved, info.channels) };
}

function s16Copy(data: Uint8Array): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(data.byteLength >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

/**
 * A 44-byte header for 16-bit PCM (or 32-bit float) mono/multi-channel audio.
 * Pass `dataBytes = undefined` for a streamed file whose length is not known yet.
 */
export function wavHeader(opts: { sampleRate: number; channels?: number; format?: 's16' | 'f32'; dataBytes?: number }): Buffer {
  const channels = opts.channels ?? 1;
  const bits = opts.format === 'f32' ? 32 : 16;
  const blockAlign = (channels * bits) / 8;
  const h = Buffer.alloc(44);
  const dataBytes = opts.dataBytes ?? UNKNOWN_LENGTH - 36;
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(Math.min(UNKNOWN_LENGTH, 36 + dataBytes), 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(opts.format === 'f32' ? 3 : 1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(opts.sampleRate, 24);
  h.writeUInt32LE(opts.sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(opts.dataBytes ?? UNKNOWN_LENGTH, 40);
  return h;
}

/** Encode mono float samples as a complete 16-bit PCM WAV file. */
export function encodeWav(samples: Float32Array, sampleRate: number): Buffer {
  const pcm = float32ToS16le(samples);
  return Buffer.concat([wavHeader({ sampleRate, dataBytes: pcm.byteLength }), pcm]);
}
