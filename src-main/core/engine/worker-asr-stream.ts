// The host-side AsrStream shared by every backend whose decoding lives in a worker thread (sherpa,
// pocketsphinx): it validates and copies audio on the main thread, posts it to the worker, and re-emits the
// worker's events for this stream. Backends differ only in the channel that reaches their worker.
import { EventEmitter } from 'node:events';
import type { AsrFinal, AsrStream, AsrStreamEvents, AsrStreamOptions } from './types.js';
import { VirtualClock } from './realtime-order.js';
import { scheduleMemoryReturn } from './native-memory.js';

/** Largest single write: 10 s of audio at the input rate. Bigger writes are a client bug or an attack. */
export const MAX_WRITE_SECONDS = 10;
/**
 * Most audio one stream may have queued in its worker (written, not yet decoded). Sessions refuse audio with
 * `rate_limited` well before this (limits.maxQueuedAudioMs); this is the engine's own last line.
 */
export const MAX_PENDING_SECONDS = 600;
/**
 * Nice value of a batch worker's thread. Batch streams (file transcriptions) decode in a worker of their own
 * (sherpa streaming models, pocketsphinx) whose thread runs at this lower CPU priority, so the kernel runs the
 * live workers and the main thread first and batch work gets the CPU time they leave — idle capacity enforced by
 * the OS, not only inside one worker's loop (measured on 2 cores: a 10-minute upload beside 26 live streams no
 * longer takes the live worker's time).
 */
export const BATCH_NICE = 10;
/** A batch worker stops this long after its last stream (its model or decoder memory given back). */
export const BATCH_WORKER_IDLE_MS = 30_000;
/** Undecoded audio up to this much is normal (a partial block or chunk waits for more): no lag. */
const LAG_IGNORED_PENDING_MS = 500;

/** How a stream reaches the worker that decodes it. */
export interface AsrStreamChannel {
  /** Post audio; `samples` is a fresh copy whose buffer may be transferred. */
  write(id: string, samples: Float32Array<ArrayBuffer>): void;
  flush(id: string): Promise<AsrFinal | null>;
  close(id: string): Promise<AsrFinal | null>;
}

/** Checks the options every backend accepts; returns them with defaults applied. */
export function checkStreamOptions(opts: AsrStreamOptions): {
  sampleRate: number;
  endpointingMs: number | false;
  vad: boolean;
  batch: boolean;
} {
  const sampleRate = opts?.sampleRate;
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 48000) {
    throw new RangeError(`sampleRate must be an integer from 8000 to 48000 Hz, got ${String(sampleRate)}`);
  }
  const endpointingMs = opts.endpointingMs ?? 600;
  if (endpointingMs !== false && !(Number.isFinite(endpointingMs) && endpointingMs >= 100 && endpointingMs <= 10_000)) {
    throw new RangeError(`endpointingMs must be false or 100..10000 ms, got ${String(endpointingMs)}`);
  }
  return { sampleRate, endpointingMs, vad: opts.vad ?? true, batch: opts.batch ?? false };
}

/** How long an engine's close() lets still-open streams deliver their last final before stopping the worker. */
export const CLOSE_STREAMS_WITHIN_MS = 2000;

/**
 * Close every stream, waiting at most `ms`: an engine that is closing is past the API's own bounded stop, so a
 * backlog no client will read (a stream cut at the stop deadline) must not hold the worker — or the process — up.
 */
export async function closeStreamsWithin(streams: Iterable<AsrStream>, ms = CLOSE_STREAMS_WITHIN_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...streams].map((s) => s.close())),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}

export class WorkerAsrStream extends EventEmitter implements AsrStream {
  private written = 0;
  private state: 'open' | 'closing' | 'closed' | 'failed' = 'open';
  private closing: Promise<AsrFinal | null> | null = null;
  private failure: Error | null = null;
  private readonly maxWrite: number;
  /** Stream time (ms) the worker has decoded, from its progress reports. */
  private decodedMs = 0;
  private readonly drainWaiters: { maxPendingMs: number; resolve: () => void }[] = [];
  /** When each write's audio is due (its end, in stream ms, and wall ms), until the worker has decoded it. */
  private readonly clock = new VirtualClock();
  private readonly dueMarks: { endMs: number; dueAt: number }[] = [];

  constructor(
    readonly id: string,
    readonly sampleRate: number,
    private readonly channel: AsrStreamChannel,
    private readonly onClosed: () => void,
    /** Batch work (see AsrStreamOptions.batch). */
    readonly batch = false,
  ) {
    super();
    this.maxWrite = MAX_WRITE_SECONDS * sampleRate;
  }

  get writtenMs(): number {
    return (this.written * 1000) / this.sampleRate;
  }

  get pendingMs(): number {
    return Math.max(0, this.writtenMs - this.decodedMs);
  }

  drained(maxPendingMs: number): Promise<void> {
    if (this.state !== 'open' || this.pendingMs <= maxPendingMs) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ maxPendingMs, resolve }));
  }

  /**
   * How far the worker is behind real time on this stream (ms): how long ago the oldest audio it has not
   * decoded was due (audio sent ahead of real time is not due yet). 0 while it keeps up.
   */
  lagMs(now = performance.now()): number {
    if (this.pendingMs <= LAG_IGNORED_PENDING_MS) return 0;
    const mark = this.dueMarks[0];
    if (!mark) return 0;
    // The audio just past the normal remainder: due when its stream's virtual clock says.
    const dueAt = mark.dueAt - Math.max(0, mark.endMs - (this.decodedMs + LAG_IGNORED_PENDING_MS));
    return Math.max(0, now - dueAt);
  }

  /** The worker decoded this stream up to `ms` of stream time. */
  progress(ms: number): void {
    if (ms > this.decodedMs) this.decodedMs = ms;
    while (this.dueMarks.length && this.dueMarks[0]!.endMs <= this.decodedMs) this.dueMarks.shift();
    this.wakeDrainWaiters(false);
  }

  private wakeDrainWaiters(all: boolean): void {
    if (!this.drainWaiters.length) return;
    const pending = this.pendingMs;
    for (let i = this.drainWaiters.length - 1; i >= 0; i--) {
      const w = this.drainWaiters[i]!;
      if (all || pending <= w.maxPendingMs) {
        this.drainWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  write(samples: Float32Array): void {
    if (this.state !== 'open') throw this.failure ?? new Error(`stream ${this.id} is closed`);
    if (!(samples instanceof Float32Array)) throw new TypeError('write() takes a Float32Array of mono samples');
    if (samples.length > this.maxWrite) {
      throw new RangeError(
        `write of ${samples.length} samples exceeds ${MAX_WRITE_SECONDS} s at ${this.sampleRate} Hz; send smaller chunks`,
      );
    }
    if (!samples.length) return;
    if (this.pendingMs > MAX_PENDING_SECONDS * 1000) {
      throw new RangeError(
        `stream ${this.id} has ${Math.round(this.pendingMs / 1000)} s of audio waiting to be decoded; the engine takes at most ${MAX_PENDING_SECONDS} s`,
      );
    }
    // The copy is ours to transfer: the caller keeps its buffer.
    const copy = samples.slice();
    this.written += copy.length;
    this.dueMarks.push({ endMs: this.writtenMs, dueAt: this.clock.stamp(performance.now(), (copy.length * 1000) / this.sampleRate).endMs });
    this.channel.write(this.id, copy);
  }

  async flush(): Promise<AsrFinal | null> {
    if (this.state !== 'open') throw this.failure ?? new Error(`stream ${this.id} is closed`);
    const upTo = this.writtenMs;
    const final = await this.channel.flush(this.id);
    this.progress(upTo);
    return final;
  }

  close(): Promise<AsrFinal | null> {
    if (this.closing) return this.closing;
    if (this.state === 'failed') {
      this.onClosed();
      return (this.closing = Promise.resolve(null));
    }
    this.state = 'closing';
    this.closing = this.channel
      .close(this.id)
      .catch(() => null)
      .finally(() => {
        this.state = 'closed';
        this.wakeDrainWaiters(true);
        this.onClosed();
        scheduleMemoryReturn();
      });
    return this.closing;
  }

  /** Called by the engine for worker events addressed to this stream. */
  deliver<E extends keyof AsrStreamEvents>(event: E, ...args: Parameters<AsrStreamEvents[E]>): void {
    if (this.state === 'failed') return;
    this.emit(event, ...args);
  }

  fail(err: Error): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    this.state = 'failed';
    this.failure = err;
    this.wakeDrainWaiters(true);
    if (this.listenerCount('error')) this.emit('error', err);
  }

  override on<E extends keyof AsrStreamEvents>(event: E, listener: AsrStreamEvents[E]): this {
    return super.on(event, listener as (...a: unknown[]) => void);
  }

  override off<E extends keyof AsrStreamEvents>(event: E, listener: AsrStreamEvents[E]): this {
    return super.off(event, listener as (...a: unknown[]) => void);
  }
}
