// The host-side AsrStream shared by every backend whose decoding lives in a worker thread (sherpa,
// pocketsphinx): it validates and copies audio on the main thread, posts it to the worker, and re-emits the
// worker's events for this stream. Backends differ only in the channel that reaches their worker.
import { EventEmitter } from 'node:events';
import type { AsrFinal, AsrStream, AsrStreamEvents, AsrStreamOptions } from './types.js';

/** Largest single write: 10 s of audio at the input rate. Bigger writes are a client bug or an attack. */
export const MAX_WRITE_SECONDS = 10;

/** How a stream reaches the worker that decodes it. */
export interface AsrStreamChannel {
  /** Post audio; `samples` is a fresh copy whose buffer may be transferred. */
  write(id: string, samples: Float32Array<ArrayBuffer>): void;
  flush(id: string): Promise<AsrFinal | null>;
  close(id: string): Promise<AsrFinal | null>;
  /** Resolves once the worker has decoded everything written to `id` before this call. */
  drain(id: string): Promise<void>;
}

/** Checks the options every backend accepts; returns them with defaults applied. */
export function checkStreamOptions(opts: AsrStreamOptions): { sampleRate: number; endpointingMs: number | false; vad: boolean } {
  const sampleRate = opts?.sampleRate;
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 48000) {
    throw new RangeError(`sampleRate must be an integer from 8000 to 48000 Hz, got ${String(sampleRate)}`);
  }
  const endpointingMs = opts.endpointingMs ?? 600;
  if (endpointingMs !== false && !(Number.isFinite(endpointingMs) && endpointingMs >= 100 && endpointingMs <= 10_000)) {
    throw new RangeError(`endpointingMs must be false or 100..10000 ms, got ${String(endpointingMs)}`);
  }
  return { sampleRate, endpointingMs, vad: opts.vad ?? true };
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

  constructor(
    readonly id: string,
    readonly sampleRate: number,
    private readonly channel: AsrStreamChannel,
    private readonly onClosed: () => void,
  ) {
    super();
    this.maxWrite = MAX_WRITE_SECONDS * sampleRate;
  }

  get writtenMs(): number {
    return (this.written * 1000) / this.sampleRate;
  }

  write(samples: Float32Array): void {
    if (this.state !== 'open') throw this.failure ?? new Error(`stream ${this.id} is closed`);
    if (!(samples instanceof Float32Array)) throw new TypeError('write() takes a Float32Array of mono samples');
    if (samples.length > this.maxWrite) {
      throw new RangeError(`write of ${samples.length} samples exceeds ${MAX_WRITE_SECONDS} s at ${this.sampleRate} Hz; send smaller chunks`);
    }
    if (!samples.length) return;
    // The copy is ours to transfer: the caller keeps its buffer.
    const copy = samples.slice();
    this.written += copy.length;
    this.channel.write(this.id, copy);
  }

  async flush(): Promise<AsrFinal | null> {
    if (this.state !== 'open') throw this.failure ?? new Error(`stream ${this.id} is closed`);
    return this.channel.flush(this.id);
  }

  async drained(): Promise<void> {
    if (this.state !== 'open') throw this.failure ?? new Error(`stream ${this.id} is closed`);
    await this.channel.drain(this.id);
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
        this.onClosed();
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
    if (this.listenerCount('error')) this.emit('error', err);
  }

  override on<E extends keyof AsrStreamEvents>(event: E, listener: AsrStreamEvents[E]): this {
    return super.on(event, listener as (...a: unknown[]) => void);
  }

  override off<E extends keyof AsrStreamEvents>(event: E, listener: AsrStreamEvents[E]): this {
    return super.off(event, listener as (...a: unknown[]) => void);
  }
}
