// Host side of the sherpa streaming ASR backend: an AsrEngine whose recognizer, streams and batching
// scheduler live in a worker thread (asr-worker.ts). This side validates input, moves audio to the worker
// (transferred, not copied twice) and turns worker events into AsrStream events.
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { AsrEngine, AsrFinal, AsrStream, AsrStreamEvents, AsrStreamOptions } from '../../types.js';
import type { ResolvedModel } from '../../models/catalog.js';
import { RpcClient, spawnWorker } from '../../worker-host.js';
import type { AsrWorkerEvents, AsrWorkerInit, CreateStreamArg } from './asr-worker.js';
import type { SchedulerStats } from './batch-scheduler.js';

type WorkerApi = {
  load: (a: undefined) => { loadMs: number; warmMs: number };
  createStream: (a: CreateStreamArg) => void;
  write: (a: { id: string; samples: Float32Array }) => void;
  flush: (a: { id: string }) => AsrFinal | null;
  close: (a: { id: string }) => AsrFinal | null;
  stats: (a: undefined) => SchedulerStats & { streams: number };
};

export interface SherpaAsrOptions {
  /** ONNX Runtime threads for the recognizer; default from the core count. */
  threads?: number;
  /** Silero VAD model path, for streams with `vad` on. */
  vadModel?: string | null;
  /** Run a few dummy decodes before resolving (default true). */
  warmup?: boolean;
  /** Largest decodeStreams batch (default 32). */
  maxBatch?: number;
}

/** Largest single write: 10 s of audio at the input rate. Bigger writes are a client bug or an attack. */
export const MAX_WRITE_SECONDS = 10;

/** Default ORT threads: half the cores (the other half serve I/O, TTS and other streams), 1..4. */
export function defaultAsrThreads(): number {
  return Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));
}

export class SherpaAsrEngine implements AsrEngine {
  readonly backend = 'sherpa' as const;
  readonly modelId: string;
  readonly language: string;
  readonly sampleRate: number;
  private readonly streams = new Map<string, SherpaAsrStream>();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly rpc: RpcClient<WorkerApi, AsrWorkerEvents>,
    readonly model: ResolvedModel,
    readonly timings: { loadMs: number; warmMs: number },
  ) {
    this.modelId = model.id;
    this.language = model.language;
    this.sampleRate = model.sampleRate;
    rpc.on('partial', (e) => this.streams.get(e.id)?.deliver('partial', { text: e.text, startMs: e.startMs, endMs: e.endMs }));
    rpc.on('final', ({ id, ...f }) => this.streams.get(id)?.deliver('final', f));
    rpc.on('speechStart', (e) => this.streams.get(e.id)?.deliver('speechStart', e.atMs));
    rpc.on('speechEnd', (e) => this.streams.get(e.id)?.deliver('speechEnd', e.atMs));
    rpc.on('streamError', (e) => this.streams.get(e.id)?.fail(new Error(e.message)));
    rpc.on('rpcError', (e) => {
      for (const s of this.streams.values()) s.fail(new Error(`sherpa worker: ${e.method}: ${e.message}`));
    });
    rpc.on('workerError', (err) => {
      for (const s of this.streams.values()) s.fail(err);
    });
  }

  /** Start the worker, load the model and warm it. Rejects with a specific reason when the model cannot load. */
  static async load(model: ResolvedModel, opts: SherpaAsrOptions = {}): Promise<SherpaAsrEngine> {
    const init: AsrWorkerInit = {
      model,
      threads: opts.threads ?? defaultAsrThreads(),
      vadModel: opts.vadModel ?? null,
      warmup: opts.warmup ?? true,
      maxBatch: opts.maxBatch ?? 32,
    };
    const rpc = new RpcClient<WorkerApi, AsrWorkerEvents>(
      // Same extension as this module: .ts from source (tsx), .js when built.
      spawnWorker(new URL(import.meta.url.endsWith('.ts') ? './asr-worker.ts' : './asr-worker.js', import.meta.url), init, {
        name: `sherpa-asr ${model.id}`,
      }),
    );
    try {
      const timings = await rpc.call('load', undefined);
      return new SherpaAsrEngine(rpc, model, timings);
    } catch (err) {
      await rpc.terminate().catch(() => {});
      throw err;
    }
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  createStream(opts: AsrStreamOptions): AsrStream {
    if (this.closed) throw new Error(`ASR engine ${this.modelId} is closed`);
    const sampleRate = opts?.sampleRate;
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 48000) {
      throw new RangeError(`sampleRate must be an integer from 8000 to 48000 Hz, got ${String(sampleRate)}`);
    }
    const endpointingMs = opts.endpointingMs ?? 600;
    if (endpointingMs !== false && !(Number.isFinite(endpointingMs) && endpointingMs >= 100 && endpointingMs <= 10_000)) {
      throw new RangeError(`endpointingMs must be false or 100..10000 ms, got ${String(endpointingMs)}`);
    }
    const id = `s${this.nextId++}`;
    const stream = new SherpaAsrStream(id, sampleRate, this.rpc, () => this.streams.delete(id));
    this.streams.set(id, stream);
    this.rpc.send('createStream', { id, sampleRate, endpointingMs, vad: opts.vad ?? true });
    return stream;
  }

  /** Batching figures from the worker's scheduler. */
  stats(): Promise<SchedulerStats & { streams: number }> {
    return this.rpc.call('stats', undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.streams.values()].map((s) => s.close()));
    await this.rpc.terminate();
  }
}

class SherpaAsrStream extends EventEmitter implements AsrStream {
  private written = 0;
  private state: 'open' | 'closing' | 'closed' | 'failed' = 'open';
  private closing: Promise<AsrFinal | null> | null = null;
  private failure: Error | null = null;
  private readonly maxWrite: number;

  constructor(
    readonly id: string,
    readonly sampleRate: number,
    private readonly rpc: RpcClient<WorkerApi, AsrWorkerEvents>,
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
    if (samples.length > this.maxWrite) throw new RangeError(`write of ${samples.length} samples exceeds ${MAX_WRITE_SECONDS} s at ${this.sampleRate} Hz; send smaller chunks`);
    if (!samples.length) return;
    // The copy is ours to transfer: the caller keeps its buffer.
    const copy = samples.slice();
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
