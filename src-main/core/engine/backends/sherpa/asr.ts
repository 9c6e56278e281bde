// Host side of the sherpa streaming ASR backend: an AsrEngine whose recognizer, streams and batching
// scheduler live in a worker thread (asr-worker.ts). This side validates input, moves audio to the worker
// (transferred, not copied twice) and turns worker events into AsrStream events.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { LIVE_HEADROOM, type AsrCapacity, type AsrEngine, type AsrFinal, type AsrStream, type AsrStreamOptions } from '../../types.js';
import {
  BATCH_NICE,
  BATCH_WORKER_IDLE_MS,
  checkStreamOptions,
  closeStreamsWithin,
  WorkerAsrStream,
  type AsrStreamChannel,
} from '../../worker-asr-stream.js';
import type { ResolvedModel } from '../../models/catalog.js';
import { RpcClient, spawnWorker } from '../../worker-host.js';
import { recycleIdleMsFromEnv, WorkerRecycler } from '../../worker-recycler.js';
import { BatchWorkerSlot } from '../../batch-worker-slot.js';
import type { AsrWorkerEvents, AsrWorkerInit, ChunkCost, CreateStreamArg, WorkerTiming } from './asr-worker.js';
import type { SchedulerStats } from './batch-scheduler.js';
import type { OfflineAsrWorkerInit, OfflineDecodeStats } from './offline-asr-worker.js';
import { spellHotwords } from './hotwords.js';

type WorkerApi = {
  load: (a: undefined) => { loadMs: number; warmMs: number; cost: ChunkCost };
  createStream: (a: CreateStreamArg) => void;
  write: (a: { id: string; samples: Float32Array }) => void;
  flush: (a: { id: string }) => AsrFinal | null;
  close: (a: { id: string }) => AsrFinal | null;
  decodeSegment: (a: { samples: Float32Array; sampleRate: number }) => AsrFinal | null;
  stats: (a: undefined) => SchedulerStats & { streams: number; timing?: WorkerTiming } & Partial<OfflineDecodeStats>;
};

export interface SherpaAsrOptions {
  /** ONNX Runtime threads for the recognizer; default from the core count. */
  threads?: number;
  /** Silero VAD model path, for streams with `vad` on. */
  vadModel?: string | null;
  /** Run a few dummy decodes before resolving (default true). */
  warmup?: boolean;
  /** Largest decodeStreams batch (default 32); for an offline model, the decodes that run at once (default 2). */
  maxBatch?: number;
  /** Offline models: a speech segment is cut (before its last word) at this length (default 20 s). */
  maxSegmentMs?: number;
  /** Offline models that take a language (Whisper, SenseVoice); '' or absent = the model detects it. */
  language?: string;
  /** Replace the worker after this long without streams or calls (ms; 0: never); default recycleIdleMsFromEnv(). */
  recycleIdleMs?: number;
  /** The batch worker stops this long after its last stream (default BATCH_WORKER_IDLE_MS). */
  batchWorkerIdleMs?: number;
}

type Rpc = RpcClient<WorkerApi, AsrWorkerEvents>;

/** The worker thread (recognizer, streams, scheduler) and the streams it decodes. */
interface SherpaWorker {
  rpc: Rpc;
  channel: AsrStreamChannel;
  streams: Map<string, WorkerAsrStream>;
}

/** Offline models: the longest speech segment decoded at once, by default (Whisper's window is 30 s). */
export const DEFAULT_MAX_SEGMENT_MS = 20_000;

export { MAX_WRITE_SECONDS } from '../../worker-asr-stream.js';

/** Default ORT threads: half the cores (the other half serve I/O, TTS and other streams), 1..4. */
export function defaultAsrThreads(): number {
  return Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));
}

export class SherpaAsrEngine implements AsrEngine {
  readonly backend = 'sherpa' as const;
  readonly modelId: string;
  readonly language: string;
  readonly languages: readonly string[];
  readonly sampleRate: number;
  private nextId = 1;
  private closed = false;
  /** The worker's measured busy share while live streams run (continuous capacity measurement). */
  private readonly load = new BusyShare();
  /** The model's tokens, when it can take hotwords (catalog modelingUnit): what custom words are spelled in. */
  private readonly tokens: ReadonlySet<string> | null;
  /** Present only for models that can be biased toward custom words (see AsrEngine.checkVocabulary). */
  readonly checkVocabulary?: (words: readonly string[]) => void;

  /** The worker, replaced by a fresh one when it has been idle a while (see worker-recycler.ts). */
  private readonly workers: WorkerRecycler<SherpaWorker>;
  /** The batch worker (see BATCH_NICE), while file transcriptions run and batchWorkerIdleMs after. */
  private readonly batchWorker: BatchWorkerSlot<SherpaWorker>;

  private constructor(
    first: SherpaWorker,
    start: () => Promise<SherpaWorker>,
    idleMs: number,
    readonly model: ResolvedModel,
    readonly timings: { loadMs: number; warmMs: number; cost: ChunkCost },
    /** Starts a worker like the live one that decodes only batch streams, at nice BATCH_NICE. */
    private readonly spawnBatchWorker: () => Rpc,
    batchWorkerIdleMs = BATCH_WORKER_IDLE_MS,
  ) {
    this.modelId = model.id;
    this.language = model.language;
    this.languages = model.languages ?? [model.language];
    this.sampleRate = model.sampleRate;
    this.tokens = model.modelingUnit && model.type === 'transducer' && model.paths.tokens ? readTokens(model.paths.tokens) : null;
    if (this.tokens) this.checkVocabulary = (words) => void spellHotwords(words, this.tokens!);
    this.workers = new WorkerRecycler(first, {
      idleMs,
      start: async () => this.listen(await start(), false),
      stop: (w) => w.rpc.terminate(),
      watch: (w, died) => w.rpc.on('workerError', died),
    });
    this.listen(first, false);
    this.batchWorker = new BatchWorkerSlot(() => this.startBatchWorker(), batchWorkerIdleMs);
  }

  /** Route a worker's events to its streams; a live worker's progress feeds the engine's busy share. */
  private listen<W extends SherpaWorker>(w: W, batch: boolean): W {
    const { rpc, streams } = w;
    rpc.on('partial', (e) => streams.get(e.id)?.deliver('partial', { text: e.text, startMs: e.startMs, endMs: e.endMs }));
    rpc.on('final', ({ id, ...f }) => streams.get(id)?.deliver('final', f));
    rpc.on('speechStart', (e) => streams.get(e.id)?.deliver('speechStart', e.atMs));
    rpc.on('speechEnd', (e) => streams.get(e.id)?.deliver('speechEnd', e.atMs));
    rpc.on('streamError', (e) => streams.get(e.id)?.fail(new Error(e.message)));
    rpc.on('progress', (e) => {
      for (const [id, ms] of e.decoded) streams.get(id)?.progress(ms);
      // Only the live worker's busy share measures live capacity.
      if (!batch) this.load.note(e.busyMs, this.liveCount());
    });
    rpc.on('rpcError', (e) => {
      for (const s of streams.values()) s.fail(new Error(`sherpa worker: ${e.method}: ${e.message}`));
    });
    rpc.on('workerError', (err) => {
      for (const s of streams.values()) s.fail(err);
    });
    return w;
  }

  /** The batch worker, started (model loaded in it) at the first batch stream. */
  private startBatchWorker(): SherpaWorker {
    const rpc = this.spawnBatchWorker();
    const w = this.listen<SherpaWorker>({ rpc, channel: channelOf(rpc), streams: new Map() }, true);
    // Writes queue behind the load in the worker's message order; a load that fails fails its streams.
    rpc.call('load', undefined).catch((err: Error) => {
      for (const s of w.streams.values()) s.fail(err);
    });
    return w;
  }

  /** Start the worker, load the model and warm it. Rejects with a specific reason when the model cannot load. */
  static async load(model: ResolvedModel, opts: SherpaAsrOptions = {}): Promise<SherpaAsrEngine> {
    const threads = opts.threads ?? defaultAsrThreads();
    const vadModel = opts.vadModel ?? null;
    const warmup = opts.warmup ?? true;
    // A streaming model decodes chunk by chunk in asr-worker; an offline model decodes VAD segments in
    // offline-asr-worker. Both serve the same RPC and events, so everything above is one class.
    const offline = model.kind === 'asr-offline';
    const init: AsrWorkerInit | OfflineAsrWorkerInit = offline
      ? {
          model,
          threads,
          vadModel,
          warmup,
          maxConcurrent: opts.maxBatch ?? 2,
          maxSegmentMs: opts.maxSegmentMs ?? DEFAULT_MAX_SEGMENT_MS,
          language: opts.language ?? '',
        }
      : { model, threads, vadModel, warmup, maxBatch: opts.maxBatch ?? 32 };
    const worker = offline ? 'offline-asr-worker' : 'asr-worker';
    const spawn = (batch: boolean): Rpc =>
      new RpcClient<WorkerApi, AsrWorkerEvents>(
        // Same extension as this module: .ts from source (tsx), .js when built.
        spawnWorker(
          new URL(`./${worker}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
          // The batch worker: no warm-up (a file waits for the load anyway), its thread niced.
          batch ? { ...init, warmup: false, nice: BATCH_NICE } : init,
          { name: `sherpa-asr${batch ? '-batch' : ''} ${model.id}` },
          batch ? BATCH_NICE : undefined,
        ),
      );
    const start = async () => {
      const rpc = spawn(false);
      try {
        const timings = await rpc.call('load', undefined);
        const w: SherpaWorker = { rpc, streams: new Map(), channel: channelOf(rpc) };
        return { w, timings };
      } catch (err) {
        await rpc.terminate().catch(() => {});
        throw err;
      }
    };
    const { w, timings } = await start();
    // A fresh worker keeps the first one's calibration (capacity stays steady); it loads while the old one is idle.
    return new SherpaAsrEngine(
      w,
      async () => (await start()).w,
      opts.recycleIdleMs ?? recycleIdleMsFromEnv(),
      model,
      timings,
      () => spawn(true),
      opts.batchWorkerIdleMs,
    );
  }

  /** The worker's thread id and how many times it was replaced (tests, diagnostics). */
  workerGenerations(): { threadId: number; generation: number }[] {
    return [{ threadId: this.workers.current.rpc.worker.threadId, generation: this.workers.generation }];
  }

  /** Replace the worker now if it has done work and has none, without waiting for the idle time (tests). */
  async recycleIdleWorkers(): Promise<number> {
    return (await this.workers.recycleNow()) ? 1 : 0;
  }

  /** Every open stream, on the current worker, on one being replaced and on the batch worker. */
  private get streams(): WorkerAsrStream[] {
    const batch = this.batchWorker.worker;
    const workers: SherpaWorker[] = batch ? [...this.workers.all, batch] : this.workers.all;
    return workers.flatMap((w) => [...w.streams.values()]);
  }

  get activeStreams(): number {
    return this.streams.length;
  }

  private liveCount(): number {
    let n = 0;
    for (const st of this.streams) if (!st.batch) n++;
    return n;
  }

  /**
   * From the calibration at load: one batched decode of n streams costs fixedMs + perStreamMs·n per chunk of
   * chunkMs audio, so n live streams stay real-time (with headroom) while that is ≤ LIVE_HEADROOM·chunkMs.
   */
  capacity(): AsrCapacity {
    const { fixedMs, perStreamMs, chunkMs } = this.timings.cost;
    let n = Math.floor((LIVE_HEADROOM * chunkMs - fixedMs) / Math.max(perStreamMs, 1e-3));
    // Measured as it runs: L live streams keeping the worker busy a share u of the time can grow to L·headroom/u
    // (conservative: batching makes streams cheaper than linear). The lower of the two figures wins.
    const measured = this.load.estimate(LIVE_HEADROOM);
    if (measured !== null) n = Math.min(n, measured);
    let liveActive = 0;
    let lagMs = 0;
    const now = performance.now();
    for (const st of this.streams) {
      if (st.batch) continue;
      liveActive++;
      lagMs = Math.max(lagMs, st.lagMs(now));
    }
    return { liveStreams: Math.max(1, Math.min(n, 256)), liveActive, rtf: (fixedMs + perStreamMs) / chunkMs, workers: 1, lagMs };
  }

  createStream(opts: AsrStreamOptions): AsrStream {
    if (this.closed) throw new Error(`ASR engine ${this.modelId} is closed`);
    const { sampleRate, endpointingMs, vad, batch } = checkStreamOptions(opts);
    let hotwords: string[] | undefined;
    if (opts.hotwords?.length) {
      if (!this.tokens) throw new Error(`model "${this.modelId}" cannot be biased toward custom words`);
      hotwords = spellHotwords(opts.hotwords, this.tokens);
    }
    const id = `s${this.nextId++}`;
    // Batch work decodes in its own niced worker, so it takes only CPU time live streams leave. (An offline
    // model decodes on libuv's shared pool, whose threads a worker cannot nice: its batch streams stay with it.)
    const { worker, release } = batch && this.model.kind !== 'asr-offline' ? this.batchWorker.acquire() : this.workers.acquire();
    const stream = new WorkerAsrStream(
      id,
      sampleRate,
      worker.channel,
      () => {
        worker.streams.delete(id);
        release();
      },
      batch,
    );
    worker.streams.set(id, stream);
    worker.rpc.send('createStream', { id, sampleRate, endpointingMs, vad, batch, ...(hotwords?.length ? { hotwords } : {}) });
    return stream;
  }

  /**
   * Offline models only (two-pass): decode one utterance found by another recognizer, whole, with this model.
   * Times in the result are ms from the start of `samples`; null when it heard nothing.
   */
  decodeSegment(samples: Float32Array, sampleRate: number): Promise<AsrFinal | null> {
    if (this.model.kind !== 'asr-offline') return Promise.reject(new Error(`model "${this.modelId}" is not an offline model`));
    const copy = samples.slice();
    const { worker, release } = this.workers.acquire();
    return worker.rpc.call('decodeSegment', { samples: copy, sampleRate }, [copy.buffer]).finally(release);
  }

  /** Batching figures from the worker's scheduler (an offline model's add what its decodes cost). */
  stats(): Promise<SchedulerStats & { streams: number; timing?: WorkerTiming } & Partial<OfflineDecodeStats>> {
    const { worker, release } = this.workers.acquire(false);
    return worker.rpc.call('stats', undefined).finally(release);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const workers = await this.workers.close();
    await closeStreamsWithin(this.streams);
    const batch = this.batchWorker.take();
    await Promise.allSettled([...workers, ...(batch ? [batch] : [])].map((w) => w.rpc.terminate()));
  }
}

function channelOf(rpc: Rpc): AsrStreamChannel {
  return {
    write: (id, samples) => rpc.send('write', { id, samples }, [samples.buffer]),
    flush: (id) => rpc.call('flush', { id }),
    close: (id) => rpc.call('close', { id }),
  };
}

/** The symbols of a sherpa tokens.txt (`<symbol> <id>` per line). */
function readTokens(path: string): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const sym = line.trim().split(/\s+/)[0];
    if (sym) out.add(sym);
  }
  return out;
}

/**
 * Busy share of a worker over the last few seconds, with the live stream count it was measured at: the
 * continuous half of the capacity measurement (calibration at load is the other).
 */
class BusyShare {
  private readonly windowMs = 5000;
  private samples: { at: number; busyMs: number; live: number }[] = [];

  note(busyMs: number, live: number): void {
    const now = performance.now();
    this.samples.push({ at: now, busyMs, live });
    while (this.samples.length && this.samples[0]!.at < now - this.windowMs) this.samples.shift();
  }

  /** Live streams the worker could keep at `headroom` busy share, or null while there is too little to go on. */
  estimate(headroom: number): number | null {
    const now = performance.now();
    const recent = this.samples.filter((s) => s.at >= now - this.windowMs);
    if (recent.length < 20) return null;
    const span = Math.max(1000, now - recent[0]!.at);
    const busy = recent.reduce((a, s) => a + s.busyMs, 0) / span;
    const live = Math.max(...recent.map((s) => s.live));
    if (live < 1 || busy < 0.05) return null;
    return Math.max(1, Math.floor((live * headroom) / busy));
  }
}
