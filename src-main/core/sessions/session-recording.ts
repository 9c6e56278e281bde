// The audio of a stored session, kept beside its transcript when the client asks (`record=true`, opt-in):
// MP3 (LAME via core/audio's stream encoder, 16 kHz mono) appended to `<recordings dir>/<session id>.mp3` as the
// audio reaches the engine, so a segment's start_ms/end_ms are positions in the file. A session resumed after a
// reconnect appends to the same file, first padding silence up to where the session's timeline resumes (the
// length recorded so far is kept in `<id>.mp3.json`), so the one timeline holds for the audio as for the text.
import { createWriteStream, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createStreamEncoder, StreamingResampler, type StreamEncoder } from '../audio/index.js';

/** Rate of every recording: speech needs no more, and it keeps a 1-hour meeting near 28 MB at 64 kbps. */
export const RECORDING_RATE = 16000;
/**
 * LAME's frames at 16 kHz mono, 64 kbps (MPEG-2 layer III, no Xing header when streamed): 576 samples (36 ms) in
 * exactly 72 × 64000 / 16000 = 288 bytes. Cutting the file at a multiple of it drops whole frames.
 */
const FRAME_MS = 36;
const FRAME_BYTES = 288;
/** Longest silence padded in when a session resumes (ms): a gap beyond it is cut to it. */
const MAX_PAD_MS = 10 * 60_000;

/** Where a session's recording lives (the id is checked: it becomes a file name). */
export function recordingPath(dir: string, sessionId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) throw new Error(`not a session id: ${JSON.stringify(sessionId.slice(0, 40))}`);
  return join(dir, `${sessionId}.mp3`);
}

export class SessionRecording {
  private readonly out: WriteStream;
  private readonly encoder: StreamEncoder;
  private resampler: StreamingResampler | null = null;
  private inputRate = 0;
  /** ms of audio in the file, this connection's included. */
  private recordedMs: number;
  private closed = false;

  /**
   * `startMs`: where this connection's audio sits on the session's timeline (0, or the resume point). Audio
   * already recorded is kept; silence fills any gap up to `startMs`.
   */
  constructor(
    private readonly dir: string,
    private readonly sessionId: string,
    startMs: number,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = recordingPath(dir, sessionId);
    let before = existsSync(path) ? readRecordedMs(path) : 0;
    if (before > startMs + FRAME_MS) {
      // The last connection's audio ran on past the session's last segment (where the timeline resumes): cut it
      // there, so the new audio lands at the same time as its transcript.
      const frames = Math.floor(startMs / FRAME_MS);
      truncateSync(path, frames * FRAME_BYTES);
      before = frames * FRAME_MS;
    }
    this.recordedMs = before;
    this.encoder = createStreamEncoder('mp3', RECORDING_RATE);
    this.out = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.out.on('error', () => undefined); // a full disk must not take the captions down; the file is simply short
    const gap = Math.min(MAX_PAD_MS, startMs - before);
    if (gap > 0) this.push(new Float32Array(Math.round((gap * RECORDING_RATE) / 1000)));
  }

  /** Samples at `rate`, in the order they reach the engine. */
  write(samples: Float32Array, rate: number): void {
    if (this.closed || samples.length === 0) return;
    if (rate !== this.inputRate) {
      // The rate is fixed once audio flows; a new rate (first write) sets the resampler up.
      this.inputRate = rate;
      this.resampler = rate === RECORDING_RATE ? null : new StreamingResampler(rate, RECORDING_RATE);
    }
    this.push(this.resampler ? this.resampler.process(samples) : samples);
  }

  private push(x: Float32Array): void {
    if (!x.length) return;
    this.recordedMs += (x.length * 1000) / RECORDING_RATE;
    const bytes = this.encoder.push(x);
    if (bytes.length) this.out.write(bytes);
  }

  /** Flushes the encoder and closes the file; resolves once it is on disk. Idempotent. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.resampler) this.push(this.resampler.flush());
    this.closed = true;
    const tail = this.encoder.end();
    return new Promise((resolve) => {
      this.out.end(tail, () => {
        try {
          writeFileSync(`${recordingPath(this.dir, this.sessionId)}.json`, JSON.stringify({ ms: Math.round(this.recordedMs) }), {
            mode: 0o600,
          });
        } catch {
          /* the length note is a convenience for resuming; without it a resume appends without padding */
        }
        resolve();
      });
    });
  }
}

function readRecordedMs(path: string): number {
  try {
    const ms = (JSON.parse(readFileSync(`${path}.json`, 'utf8')) as { ms?: unknown }).ms;
    return typeof ms === 'number' && ms >= 0 ? ms : 0;
  } catch {
    return 0;
  }
}
