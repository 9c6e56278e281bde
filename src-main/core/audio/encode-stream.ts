// Streaming encoders for audio OUT (TTS responses): float samples in, bytes of the chosen format out, chunk by
// chunk, so a response can start before synthesis ends. MP3 uses `@breezystack/lamejs` (LAME in pure JS: no
// native addon, runs in the packaged app on every OS). WAV written while streaming cannot know its length:
// its header carries 0xFFFFFFFF sizes (the convention of ffmpeg and others for pipes); wav.ts's `encodeWav`
// writes a complete file with its true sizes when the whole audio is at hand.
import { Mp3Encoder } from '@breezystack/lamejs';
import { float32ToS16le } from './pcm.js';
import { wavHeader } from './wav.js';

export type EncodedFormat = 'pcm' | 'wav' | 'mp3';

export interface StreamEncoder {
  readonly format: EncodedFormat;
  readonly contentType: string;
  /** Bytes for these samples (may be empty while an encoder buffers a frame). */
  push(samples: Float32Array): Buffer;
  /** The remaining bytes; the encoder is done after this. */
  end(): Buffer;
}

/** MPEG-1/2/2.5 layer III sample rates; other rates must be resampled before encoding. */
export const MP3_RATES: readonly number[] = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

/** Bitrate for speech (mono): transparent for TTS voices, small on the wire. */
const MP3_KBPS = 64;

function s16(samples: Float32Array): Int16Array {
  const b = float32ToS16le(samples);
  return new Int16Array(b.buffer, b.byteOffset, b.byteLength / 2);
}

export function createStreamEncoder(format: EncodedFormat, sampleRate: number): StreamEncoder {
  switch (format) {
    case 'pcm':
      return { format, contentType: 'audio/pcm', push: (x) => float32ToS16le(x), end: () => Buffer.alloc(0) };
    case 'wav': {
      let first = true;
      return {
        format,
        contentType: 'audio/wav',
        push(x) {
          const pcm = float32ToS16le(x);
          if (!first) return pcm;
          first = false;
          return Buffer.concat([wavHeader({ sampleRate }), pcm]);
        },
        end: () => (first ? ((first = false), wavHeader({ sampleRate })) : Buffer.alloc(0)),
      };
    }
    case 'mp3': {
      if (!MP3_RATES.includes(sampleRate)) throw new RangeError(`MP3 cannot carry ${sampleRate} Hz; one of ${MP3_RATES.join(', ')}`);
      const enc = new Mp3Encoder(1, sampleRate, MP3_KBPS);
      return {
        format,
        contentType: 'audio/mpeg',
        push: (x) => Buffer.from(enc.encodeBuffer(s16(x))),
        end: () => Buffer.from(enc.flush()),
      };
    }
  }
}
