// Host side of the pocketsphinx backend: an AsrEngine whose streams live in worker threads (./worker.ts).
// Streams are spread over the workers (least loaded first); the main thread only validates, copies and posts.
import { EventEmitter } from 'node:events';
import type { AsrEngine, AsrFinal, AsrStream, AsrStreamEvents, AsrStreamOptions } from '../../types.js';
import { RpcClient, spawnWorker } from '../../worker-host.js';
import { POCKETSPHINX_RATE } from './native.js';
import type { OpenArgs, PocketsphinxWorkerEvents } from './worker.js';

/** Longest single write accepted (seconds of audio); bigger writes are a caller bug. */
export const MAX_WRITE_SECONDS = 10;
const MAX_WORKERS = 8;

type WorkerApi = {
  init: (a: undefined) => { ok: boolean };
  open: (a: OpenArgs) => void;
  write: (a: { id: string; samples: Float32Array }) => void;
  flush: (a: { id: string }) => AsrFinal | null;
  close: (a: { id: string }) => AsrFinal | null;
  decodeWhole: (a: { samples: Float32Array }) => string;
};
type Rpc = RpcClient<WorkerApi, PocketsphinxWorkerEvents>;

export function startPocketsphinxWorker(): Rpc {
  return new RpcClient<WorkerApi, PocketsphinxWorkerEvents>(spawnWorker(new URL('./worker.ts', import.meta.url)));
}

interface Slot {
  rpc: Rpc;
  streams: Map<string, PocketsphinxStream>;
}

export class PocketsphinxAsrEngine implements AsrEngine {
  readonly backend = 'pocketsphinx' as const;
  readonly modelId = 'pocketsphinx-en-us';
  readonly language = 'en';
  readonly sampleRate = POCKETSPHINX_RATE;
  private nextId = 1;
  private closed = false;

  private constructor(private readonly slots: Slot[]) {
    for (const slot of slots) {
      const find = (id: string) => slot.streams.get(id);
      slot.rpc.on('partial', (e) => find(e.id)?.deliver('partial', e.partial));
      slot.rpc.on('final', (e) => find(e.id)?.deliver('final', e.final));
      slot.rpc.on('speechStart', (e) => find(e.id)?.deliver('speechStart', e.atMs));
      slot.rpc.on('speechEnd', (e) => find(e.id)?.deliver('speechEnd', e.atMs));
      slot.rpc.on('streamError', (e) => find(e.id)?.fail(new Error(`pocketsphinx: ${e.message}`)));
      slot.rpc.on('workerError', (err) => {
        for (const s of slot.streams.values()) s.fail(err);
      });
    }
  }

  /** Start `threads` workers (default 1), each with a warmed decoder. */
  static async load(opts: { threads?: number } = {}): Promise<PocketsphinxAsrEngine> {
    const n = Math.max(1, Math.min(MAX_WORKERS, Math.floor(opts.threads ?? 1)));
    const slots: Slot[] = Array.from({ length: n }, () => ({ rpc: startPocketsphinxWorker(), streams: new Map() }));
    try {
      await Promise.all(slots.map((s) => s.rpc.call('init', undefined)));
    } catch (err) {
      await Promise.allSettled(slots.map((s) => s.rpc.terminate()));
      throw err;
    }
    return new PocketsphinxAsrEngine(slots);
  }

  get activeStreams(): number {
    return this.slots.reduce((n, s) => n + s.streams.size, 0);
  }

  createStream(opts: AsrStreamOptions): AsrStream {
    if (this.closed) throw new Error('pocketsphinx engine is closed');
    const sampleRate = opts?.sampleRate;
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 48000) {
      throw new RangeError(`sampleRate must be an integer from 8000 to 48000 Hz, got ${String(sampleRate)}`);
    }
    const endpointingMs = opts.endpointingMs ?? 600;
    if (endpointingMs !== false && !(Number.isFinite(endpointingMs) && endpointingMs >= 100 && endpointingMs <= 10_000)) {
      throw new RangeError(`endpointingMs must be false or 100..10000 ms, got ${String(endpointingMs)}`);
    }
    const slot = this.slots.reduce((a, b) => (b.streams.size < a.streams.size ? b : a));
    const id = `ps${this.nextId++}`;
    const stream = new PocketsphinxStream(id, sampleRate, slot.rpc, () => slot.streams.delete(id));
    slot.streams.set(id, stream);
    slot.rpc.send('open', { id, sampleRate, endpointingMs, vad: opts.vad ?? true });
    return stream;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.slots.flatMap((s) => [...s.streams.values()].map((st) => st.close())));
    await Promise.allSettled(this.slots.map((s) => s.rpc.terminate()));
  }
}

class PocketsphinxStream extends EventEmitter implements AsrStream {
  private written = 0;
  private state: 'open' | 'closing' | 'closed' | 'failed' = 'open';
  private closing: Promise<AsrFinal | null> | null = null;
  private failure: Error | null = null;

  constructor(
    readonly id: string,
    readonly sampleRate: number,
    private readonly rpc: Rpc,
    private readonly onClosed: () => void,
  ) {
    super();
  }

  get writtenMs(): number {
    return (this.written * 1000) / this.sampleRate;
  }

  write(samples: Float32Array): void {
    if (this.state !== 'open') throw this.failure ?? new Error(`stream ${this.id} is closed`);
    if (!(samples instanceof Float32Array)) throw new TypeError('write() takes a Float32Array of mono samples');
    if (samples.length > MAX_WRITE_SECONDS * this.sampleRate) {
      throw new RangeError(`write of ${samples.length} samples exceeds ${MAX_WRITE_SECONDS} s at ${this.sampleRate} Hz; send smaller chunks`);
    }
    if (!samples.length) return;
    const copy = samples.slice(); // ours to transfer: the caller keeps its buffer
    this.written += copy.length;
    this.rpc.send('write', { id: this.id, samples: copy }, [copy.buffer]);
  }

  async flush(): Promise<AsrFinal | null> {
    if (this.state !== 'open') throw this.failure ?? new Error(`stream ${this.id} is closed`);
    return this.rpc.call('flush', { id: this.id });
  }

  close(): Promise<AsrFinal | null> {
    if (this.closing) return this.closing;
    if (this.state === 'failed') {
      this.onClosed();
      return (this.closing = Promise.resolve(null));
    }
    this.state = 'closing';
    this.closing = this.rpc
      .call('close', { id: this.id })
      .catch(() => null)
      .finally(() => {
        this.state = 'closed';
        this.onClosed();
      });
    return this.closing;
  }

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
