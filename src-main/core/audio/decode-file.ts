// Whole audio files in any common container → float samples, with the npm `audio-decode` family
// (pure JS + WebAssembly decoders: no native addon, no ffmpeg binary, so the same code runs in
// `earshot serve` and inside the packaged desktop app on Windows, macOS and Linux).
// The format is detected from the file's own magic bytes, never guessed from a file name, and a file
// that cannot be decoded (unknown bytes, truncated, corrupt) is an AudioFormatError naming the problem:
// raw PCM has no header, so it is read only where the client declares it (see the API's input paths).
import decodeAudio from 'audio-decode';
import audioType from 'audio-type';
import { flacDeclaredSamples, truncationProblem } from './container-length.js';
import { AudioFormatError, concatFloat32 } from './pcm.js';

/** Formats accepted as files, by audio-type's name, with the name users know them by. */
export const AUDIO_FILE_FORMATS: Readonly<Record<string, string>> = Object.freeze({
  wav: 'WAV',
  flac: 'FLAC',
  mp3: 'MP3',
  opus: 'Ogg/Opus',
  oga: 'Ogg/Vorbis',
  webm: 'WebM',
  m4a: 'M4A/MP4 (AAC)',
  aac: 'AAC (ADTS)',
  aiff: 'AIFF',
  caf: 'CAF',
});

const SUPPORTED_LIST = 'WAV (PCM 8/16/24/32-bit, float, A-law, µ-law), FLAC, MP3, Ogg/Opus, Ogg/Vorbis, WebM/Opus, M4A/AAC, AIFF, CAF';

export interface DecodedAudioFile {
  /** audio-type's name of the container/codec (a key of AUDIO_FILE_FORMATS). */
  format: string;
  sampleRate: number;
  /** Channels in the file. */
  channels: number;
  /** The file mixed down to mono (one array), samples in [-1, 1]. */
  channelData: Float32Array[];
}

/** Bytes audio-type looks at: enough for any header (and an ID3 tag with cover art) before the audio. */
const SNIFF_BYTES = 1 << 20;

/**
 * audio-type's name for the format of `bytes`, or undefined. It reads `buf.buffer` whole, ignoring the view's
 * offset, so it gets its own copy: a Node Buffer is often a slice of a larger pool (gRPC, multipart).
 */
function detect(bytes: Uint8Array): string | undefined {
  // new Uint8Array(view) copies (Buffer#slice would not: it is a view, like subarray).
  return audioType(new Uint8Array(bytes.subarray(0, SNIFF_BYTES)));
}

/** The container of `bytes` by its magic bytes, or null when it is none that Earshot decodes. */
export function sniffAudioFormat(bytes: Uint8Array): string | null {
  const t = detect(bytes);
  return t && t in AUDIO_FILE_FORMATS ? t : null;
}

/** Bytes fed to a decoder at a time: decoded output is handed on per piece, so memory stays bounded. */
const FEED_BYTES = 256 * 1024;
/** Longest audio file accepted (seconds): decoding a long file is work the upload size alone does not bound. */
export const MAX_FILE_SECONDS = 6 * 60 * 60;

/** The file's detected format, or an AudioFormatError saying why it cannot be decoded (unknown, truncated). */
function checkedFormat(bytes: Uint8Array): string {
  if (bytes.byteLength === 0) throw new AudioFormatError('the audio file is empty');
  const detected = detect(bytes);
  if (!detected) {
    throw new AudioFormatError(
      `unrecognised audio format (first bytes ${hex(bytes.subarray(0, 8))}); send one of: ${SUPPORTED_LIST}` +
        ' — or raw PCM with its encoding declared',
    );
  }
  const name = AUDIO_FILE_FORMATS[detected];
  if (!name) throw new AudioFormatError(`${detected} audio is not supported; send one of: ${SUPPORTED_LIST}`);
  const cutShort = truncationProblem(detected, bytes);
  if (cutShort) throw new AudioFormatError(`invalid ${name} file: ${cutShort}`);
  return detected;
}

/**
 * Decode a complete audio file piece by piece, handing each piece on as mono (channels averaged) with its
 * rate, so a long file never sits decoded in memory at once. Throws AudioFormatError with a message fit for
 * the client — possibly after some pieces were handed on (a corrupt middle, a FLAC shorter than it declares).
 */
export async function decodeAudioFileMono(
  bytes: Uint8Array,
  onPiece: (samples: Float32Array, sampleRate: number, bytesRead: number) => void | Promise<void>,
): Promise<{ format: string; sampleRate: number; channels: number; frames: number }> {
  const format = checkedFormat(bytes);
  const name = AUDIO_FILE_FORMATS[format]!;
  const dec = await (decodeAudio as unknown as Record<string, () => Promise<StreamDecoderFn>>)[format]!();
  let frames = 0;
  let sampleRate = 0;
  let channels = 0;
  /** Bytes handed to the decoder so far: with the file's size, how far through it decoding is (progress). */
  let bytesRead = 0;
  const take = async (r: { channelData: Float32Array[]; sampleRate: number }) => {
    const n = r.channelData[0]?.length ?? 0;
    if (!n) return;
    if (sampleRate && r.sampleRate !== sampleRate)
      throw new AudioFormatError(`invalid ${name} file: its sample rate changes from ${sampleRate} to ${r.sampleRate} Hz`);
    sampleRate = r.sampleRate;
    channels = Math.max(channels, r.channelData.length);
    for (const ch of r.channelData) {
      for (let i = 0; i < ch.length; i++) {
        if (!Number.isFinite(ch[i]!)) throw new AudioFormatError(`invalid ${name} file: sample ${frames + i} decodes to ${ch[i]}`);
      }
    }
    frames += n;
    if (frames > MAX_FILE_SECONDS * sampleRate)
      throw new AudioFormatError(`the audio is longer than the ${MAX_FILE_SECONDS / 3600} hours accepted`);
    await onPiece(downmix(r.channelData), sampleRate, bytesRead);
  };
  try {
    // Each piece is copied: some decoders view it as Int32Array/Float32Array, which needs an aligned offset,
    // and a Node Buffer (gRPC, multipart) often sits at any offset of a shared pool.
    for (let o = 0; o < bytes.byteLength; o += FEED_BYTES) {
      const end = Math.min(bytes.byteLength, o + FEED_BYTES);
      const piece = await dec(new Uint8Array(bytes.subarray(o, end)));
      bytesRead = end;
      await take(piece);
    }
    await take(await dec());
  } catch (err) {
    dec.free();
    if (err instanceof AudioFormatError) throw err;
    throw new AudioFormatError(`invalid ${name} file: the decoder failed (${(err as Error).message ?? err})`);
  }
  if (frames === 0 || !(sampleRate > 0)) throw new AudioFormatError(`invalid ${name} file: it holds no decodable audio`);
  if (format === 'flac') {
    const declared = flacDeclaredSamples(bytes);
    if (declared !== null && frames < declared) {
      throw new AudioFormatError(`invalid FLAC file: the file is truncated: it declares ${declared} samples but only ${frames} decode`);
    }
  }
  return { format, sampleRate, channels, frames };
}

/** audio-decode's streaming decoder: call with bytes, then with nothing to flush and free. */
type StreamDecoderFn = ((chunk?: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>) & { free(): void };

/**
 * Decode a complete audio file into one array, mixed down to mono (`channels` says how many the file had).
 * Throws AudioFormatError with a message fit for the client.
 */
export async function decodeAudioFile(bytes: Uint8Array): Promise<DecodedAudioFile> {
  const pieces: Float32Array[] = [];
  const info = await decodeAudioFileMono(bytes, (samples) => {
    pieces.push(samples);
  });
  return { format: info.format, sampleRate: info.sampleRate, channels: info.channels, channelData: [concatFloat32(pieces)] };
}

/** Average of the channels (a mono track from a stereo or multichannel file). */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float32Array(channels[0]!.length);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i]! += ch[i]! / channels.length;
  return out;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** A first chunk this long is enough to check the container's magic bytes. */
const SNIFF_MIN_BYTES = 64;
/** A live stream that has sent this much without one decoded sample is not the container it declared. */
const MAX_BYTES_WITHOUT_AUDIO = 256 * 1024;

/** Container encodings a live stream may declare, and audio-decode's streaming decoder for each. */
export const STREAM_CONTAINERS = Object.freeze({
  ogg_opus: 'opus',
  ogg_vorbis: 'oga',
  webm_opus: 'webm',
  mp3: 'mp3',
  flac: 'flac',
} as const);
export type StreamContainer = keyof typeof STREAM_CONTAINERS;

export interface ContainerStreamDecoder {
  /** Decodes the next bytes of the stream (any split); null while no whole frame has arrived yet. */
  push(bytes: Uint8Array): Promise<{ samples: Float32Array; sampleRate: number } | null>;
  /** The stream ended: the remaining samples, and the decoder is freed. */
  end(): Promise<{ samples: Float32Array; sampleRate: number } | null>;
  free(): void;
}

/**
 * A streaming decoder for a live container stream (a browser's MediaRecorder sends WebM or Ogg Opus in
 * pieces), output mixed down to mono. Errors are AudioFormatError.
 */
export async function createContainerStreamDecoder(container: StreamContainer): Promise<ContainerStreamDecoder> {
  const name = STREAM_CONTAINERS[container];
  const dec = await decodeAudio[name]();
  // The decoders skip bytes they cannot sync to, so garbage would decode to nothing, silently: the stream's
  // first bytes must be the container's, and bytes must turn into samples.
  let bytesIn = 0;
  let samplesOut = 0;
  const out = (r: { channelData: Float32Array[]; sampleRate: number }) => {
    if (!r.channelData.length || !r.channelData[0]!.length) return null;
    samplesOut += r.channelData[0]!.length;
    return { samples: downmix(r.channelData), sampleRate: r.sampleRate };
  };
  const failed = (err: unknown) =>
    err instanceof AudioFormatError
      ? err
      : new AudioFormatError(`encoding=${container}: the stream does not decode (${(err as Error).message ?? err})`);
  const nothing = () =>
    new AudioFormatError(`encoding=${container}: ${bytesIn} bytes arrived and none decode as ${AUDIO_FILE_FORMATS[name]}`);
  return {
    async push(bytes) {
      try {
        if (bytesIn === 0 && bytes.byteLength >= SNIFF_MIN_BYTES) {
          const seen = detect(bytes);
          if (seen !== name && !(name === 'webm' && seen === 'mkv')) {
            throw new AudioFormatError(
              `encoding=${container}: the stream starts like ${seen ? (AUDIO_FILE_FORMATS[seen] ?? seen) : 'no known format'}, not ${AUDIO_FILE_FORMATS[name]}`,
            );
          }
        }
        bytesIn += bytes.byteLength;
        const r = out(await dec(new Uint8Array(bytes))); // a copy at offset 0 (see decodeAudioFileMono)
        if (samplesOut === 0 && bytesIn > MAX_BYTES_WITHOUT_AUDIO) throw nothing();
        return r;
      } catch (err) {
        throw failed(err);
      }
    },
    async end() {
      try {
        const r = out(await dec());
        if (samplesOut === 0 && bytesIn > 0) throw nothing();
        return r;
      } catch (err) {
        throw failed(err);
      }
    },
    free: () => dec.free(),
  };
}
