// Compressed audio out (Ogg Opus, FLAC, AAC/ADTS, and MP3 for the piped REST paths) for the TTS transports,
// streamed: PCM goes in as it is synthesized and encoded bytes come out as the encoder produces them, so the first
// audio is not held back. (encode-stream.ts is the in-process, synchronous encoder for pcm/wav/mp3.)
//
// Why ffmpeg (from the npm package @ffmpeg-installer/ffmpeg) and not one JavaScript/WASM encoder per codec:
// one well-kept codec suite covers all four formats OpenAI, Deepgram, ElevenLabs and LMNT clients ask for, with
// the reference encoders (LAME, libopus, FFmpeg's AAC and FLAC), and the package ships a static binary per
// platform (Linux, Windows, macOS; x64 and arm64) inside the npm registry itself, so the packaged desktop app
// carries it (electron-builder asarUnpack) and nothing is downloaded at run time. It runs as a child process,
// the one place the audio layer does I/O: encoding is CPU work that must stay off the event loop anyway.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { AudioFormatError } from './pcm.js';

export const COMPRESSED_FORMATS = ['mp3', 'opus', 'flac', 'aac'] as const;
export type CompressedFormat = (typeof COMPRESSED_FORMATS)[number];

export function isCompressedFormat(f: string): f is CompressedFormat {
  return (COMPRESSED_FORMATS as readonly string[]).includes(f);
}

/**
 * Formats only the cloud protocols' streaming TTS sockets ask for: raw G.711 µ-law / A-law (Deepgram's live
 * speak), µ-law in a WAV (LMNT `ulaw`) and Opus in WebM (LMNT `webm`).
 */
export const SOCKET_FORMATS = ['mulaw', 'alaw', 'mulaw_wav', 'webm_opus'] as const;
export type EncodeFormat = CompressedFormat | (typeof SOCKET_FORMATS)[number];

export const COMPRESSED_CONTENT_TYPES: Record<EncodeFormat, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  aac: 'audio/aac',
  mulaw: 'audio/basic',
  alaw: 'audio/x-alaw-basic',
  mulaw_wav: 'audio/wav',
  webm_opus: 'audio/webm',
};

export interface EncoderOptions {
  format: EncodeFormat;
  /** Rate of the s16le mono PCM written in. */
  inputRate: number;
  /** Output rate (Opus only codes 8/12/16/24/48 kHz; MP3 and AAC have their own sets). Default: the input's. */
  outputRate?: number;
  /** Target bit rate in kbit/s for the lossy codecs. */
  bitrateKbps?: number;
}

let ffmpegPath: string | null | undefined;

/** The bundled ffmpeg, or null with the reason when this platform has none. */
export function bundledFfmpeg(): { path: string } | { reason: string } {
  if (ffmpegPath === undefined) {
    try {
      ffmpegPath = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    } catch {
      ffmpegPath = null;
    }
  }
  return ffmpegPath ? { path: ffmpegPath } : { reason: `no bundled ffmpeg for ${process.platform}-${process.arch}` };
}

/** Opus codes these rates only; anything else is resampled to the nearest one above (or 48 kHz). */
const OPUS_RATES = [8000, 12000, 16000, 24000, 48000];
/** MPEG-1/2 layer III rates. */
const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

function nearestAtLeast(rates: number[], rate: number): number {
  return rates.find((r) => r >= rate) ?? rates[rates.length - 1]!;
}

/** The rate the encoder will actually write for `opts` (containers may need another than the input's). */
export function encodedRate(opts: EncoderOptions): number {
  const want = opts.outputRate ?? opts.inputRate;
  if (opts.format === 'opus' || opts.format === 'webm_opus') return nearestAtLeast(OPUS_RATES, want);
  if (opts.format === 'mp3' || opts.format === 'aac') return nearestAtLeast(MP3_RATES, want);
  return want;
}

function ffmpegArgs(opts: EncoderOptions): string[] {
  const rate = encodedRate(opts);
  const input = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    's16le',
    '-ar',
    String(opts.inputRate),
    '-ac',
    '1',
    '-i',
    'pipe:0',
    '-ar',
    String(rate),
    '-ac',
    '1',
  ];
  const kbps = (d: number) => `${opts.bitrateKbps ?? d}k`;
  switch (opts.format) {
    case 'mp3':
      return [...input, '-c:a', 'libmp3lame', '-b:a', kbps(128), '-f', 'mp3', '-flush_packets', '1', 'pipe:1'];
    case 'opus':
      return [...input, '-c:a', 'libopus', '-b:a', kbps(64), '-application', 'voip', '-f', 'ogg', '-flush_packets', '1', 'pipe:1'];
    case 'aac':
      return [...input, '-c:a', 'aac', '-b:a', kbps(96), '-f', 'adts', '-flush_packets', '1', 'pipe:1'];
    case 'flac':
      return [...input, '-c:a', 'flac', '-f', 'flac', '-flush_packets', '1', 'pipe:1'];
    case 'mulaw':
      return [...input, '-c:a', 'pcm_mulaw', '-f', 'mulaw', 'pipe:1'];
    case 'alaw':
      return [...input, '-c:a', 'pcm_alaw', '-f', 'alaw', 'pipe:1'];
    case 'mulaw_wav':
      return [...input, '-c:a', 'pcm_mulaw', '-f', 'wav', 'pipe:1'];
    case 'webm_opus':
      return [...input, '-c:a', 'libopus', '-b:a', kbps(64), '-application', 'voip', '-f', 'webm', '-flush_packets', '1', 'pipe:1'];
  }
}

/**
 * One encoding: write() PCM (s16le mono at `inputRate`), end(), and read the encoded bytes from `output`.
 * write() resolves when ffmpeg has taken the bytes (backpressure); abort() kills it at once.
 */
export class AudioEncoder {
  readonly format: EncodeFormat;
  readonly sampleRate: number;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private readonly exited: Promise<number | null>;

  constructor(opts: EncoderOptions) {
    const ffmpeg = bundledFfmpeg();
    if (!('path' in ffmpeg)) throw new AudioFormatError(`${opts.format} output is unavailable (${ffmpeg.reason}); ask for wav or pcm`);
    this.format = opts.format;
    this.sampleRate = encodedRate(opts);
    this.child = spawn(ffmpeg.path, ffmpegArgs(opts), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += d.toString();
    });
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code) => resolve(code));
      this.child.once('error', () => resolve(-1));
    });
  }

  write(pcm: Buffer): Promise<void> {
    if (this.child.stdin.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.child.stdin.write(pcm)) resolve();
      else this.child.stdin.once('drain', () => resolve());
    });
  }

  end(): void {
    this.child.stdin.end();
  }

  abort(): void {
    this.child.kill('SIGKILL');
  }

  /** Encoded bytes as ffmpeg writes them; throws when the encoder fails. */
  async *output(): AsyncGenerator<Buffer> {
    for await (const chunk of this.child.stdout as AsyncIterable<Buffer>) yield chunk;
    const code = await this.exited;
    if (code !== 0 && code !== null)
      throw new AudioFormatError(`the ${this.format} encoder failed (exit ${code}): ${this.stderr.trim().slice(0, 300)}`);
  }
}

/** Encode a whole PCM buffer (tests, non-streamed responses). */
export async function encodePcm(pcm: Buffer, opts: EncoderOptions): Promise<Buffer> {
  const enc = new AudioEncoder(opts);
  const out: Buffer[] = [];
  const reading = (async () => {
    for await (const c of enc.output()) out.push(c);
  })();
  await enc.write(pcm);
  enc.end();
  await reading;
  return Buffer.concat(out);
}
