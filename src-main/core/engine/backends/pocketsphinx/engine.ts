// Host side of the pocketsphinx backend: an AsrEngine whose streams live in worker threads (./worker.ts).
// Streams are spread over the workers (least loaded first); the main thread only validates, copies and posts.
import { availableParallelism } from 'node:os';
import {
  liveStreamsPerWorker,
  type AsrCapacity,
  type AsrEngine,
  type AsrFinal,
  type AsrStream,
  type AsrStreamOptions,
} from '../../types.js';
import {
  BATCH_NICE,
  BATCH_WORKER_IDLE_MS,
  checkStreamOptions,
  closeStreamsWithin,
  WorkerAsrStream,
  type AsrStreamChannel,
} from '../../worker-asr-stream.js';
import { RpcClient, spawnWorker } from '../../worker-host.js';
import { recycleIdleMsFromEnv, WorkerRecycler } from '../../worker-recycler.js';
import { BatchWorkerSlot } from '../../batch-worker-slot.js';
import { POCKETSPHINX_RATE } from './native.js';
import type { InitArgs, OpenArgs, PocketsphinxWorkerEvents } from './worker.js';

export { MAX_WRITE_SECONDS } from '../../worker-asr-stream.js';
const MAX_WORKERS = 8;
/** How long close() lets open streams finish their queued audio before the workers are terminated. */
const CLOSE_GRACE_MS = 5000;

/** One worker per core, leaving one core for the main thread (I/O, TTS, the store): 1..8. */
export function defaultPocketsphinxWorkers(): number {
  return Math.max(1, Math.min(MAX_WORKERS, availableParallelism() - 1));
}

type WorkerApi = {
  init: (a: InitArgs | undefined) => { ok: boolean; rtf: number };
  open: (a: OpenArgs) => void;
  write: (a: { id: string; samples: Float32Array }) => void;
  flush: (a: { id: string }) => AsrFinal | null;
  close: (a: { id: string }) => AsrFinal | null;
  decodeWhole: (a: { samples: Float32Array }) => string;
};
type Rpc = RpcClient<WorkerApi, PocketsphinxWorkerEvents>;

/** Start a worker; `nice`: the batch worker's thread priority, lowered before it loads (see spawnWorker). */
export function startPocketsphinxWorker(nice?: number): Rpc {
  return new RpcClient<WorkerApi, PocketsphinxWorkerEvents>(spawnWorker(new URL('./worker.ts', import.meta.url), undefined, {}, nice));
}

export interface PocketsphinxLoadOptions {
  workers?: number;
  /** @deprecated alias of workers */
  threads?: number;
  /** Silero VAD model path: gate recognition with it (no words for silence or room noise). */
  vadModel?: string | null;
  /** Replace a worker after this long without streams (ms; 0: never); default recycleIdleMsFromEnv(). */
  recycleIdleMs?: number;
  /** The batch worker stops this long after its last stream (default BATCH_WORKER_IDLE_MS). */
  batchWorkerIdleMs?: number;
}

/** One worker thread and the streams it decodes. */
interface PsWorker {
  rpc: Rpc;
  channel: AsrStreamChannel;
  streams: Map<string, WorkerAsrStream>;
  /** This worker's real-time factor: from the calibration decode, then from its own reports. */
  rtf: number;
}

/** A place for one worker: replaced by a fresh one when it has been idle a while (see worker-recycler.ts). */
type Slot = WorkerRecycler<PsWorker>;

export class PocketsphinxAsrEngine implements AsrEngine {
  readonly backend = 'pocketsphinx' as const;
  readonly modelId = 'pocketsphinx-en-us';
  readonly language = 'en';
  readonly sampleRate = POCKETSPHINX_RATE;
  private nextId = 1;
  private closed = false;

  /** The batch worker (file transcriptions, niced), while they run and batchWorkerIdleMs after. */
  private readonly batch: BatchWorkerSlot<PsWorker>;

  private constructor(
    private readonly slots: Slot[],
    private readonly opts: PocketsphinxLoadOptions,
  ) {
    this.batch = new BatchWorkerSlot(() => this.startBatchWorker(), opts.batchWorkerIdleMs ?? BATCH_WORKER_IDLE_MS);
  }

  /**
   * Start `workers` workers (default: defaultPocketsphinxWorkers()), each with a warmed, calibrated decoder.
   * With `vadModel` (Silero), every stream is gated by it: non-speech gives no words (see worker.ts).
   */
  static async load(opts: PocketsphinxLoadOptions = {}): Promise<PocketsphinxAsrEngine> {
    const n = Math.max(1, Math.min(MAX_WORKERS, Math.floor(opts.workers ?? opts.threads ?? defaultPocketsphinxWorkers())));
    const init: InitArgs = { vadModel: opts.vadModel ?? null };
    const workers: PsWorker[] = [];
    try {
      // One at a time: calibrations running together on a small machine would measure each other.
      for (let i = 0; i < n; i++) workers.push(await startWorker(init));
    } catch (err) {
      await Promise.allSettled(workers.map((w) => w.rpc.terminate()));
      throw err;
    }
    const idleMs = opts.recycleIdleMs ?? recycleIdleMsFromEnv();
    // A fresh worker loads while its predecessor is idle (no stream waits on it) and keeps its measured speed
    // rather than calibrating again (cheaper, and the figure does not jump).
    const recycler = (w: PsWorker) => {
      const slot: Slot = new WorkerRecycler(w, {
        idleMs,
        start: () => startWorker({ ...init, rtf: slot.current.rtf }),
        stop: (old) => old.rpc.terminate(),
        watch: (worker, died) => worker.rpc.on('workerError', died),
      });
      return slot;
    };
    return new PocketsphinxAsrEngine(workers.map(recycler), opts);
  }

  /** Every open stream: live ones on the slots' workers and batch ones on the batch worker. */
  get activeStreams(): number {
    return this.slots.reduce((n, s) => n + streamsIn(s), 0) + (this.batch.worker?.streams.size ?? 0);
  }

  /** Each slot's current worker thread id and how many times it was replaced (tests, diagnostics). */
  workerGenerations(): { threadId: number; generation: number }[] {
    return this.slots.map((s) => ({ threadId: s.current.rpc.worker.threadId, generation: s.generation }));
  }

  /** Replace every worker that has done work and has none now, without waiting for the idle time (tests). */
  async recycleIdleWorkers(): Promise<number> {
    const swapped = await Promise.all(this.slots.map((s) => s.recycleNow()));
    return swapped.filter(Boolean).length;
  }

  capacity(): AsrCapacity {
    const rtf = Math.max(...this.slots.map((s) => s.current.rtf));
    let liveActive = 0;
    let lagMs = 0;
    const now = performance.now();
    for (const s of this.slots) {
      for (const w of s.all) {
        for (const st of w.streams.values()) {
          if (st.batch) continue;
          liveActive++;
          lagMs = Math.max(lagMs, st.lagMs(now));
        }
      }
    }
    return {
      liveStreams: this.slots.reduce((n, s) => n + liveStreamsPerWorker(s.current.rtf), 0),
      liveActive,
      rtf,
      workers: this.slots.length,
      lagMs,
    };
  }

  createStream(opts: AsrStreamOptions): AsrStream {
    if (this.closed) throw new Error('pocketsphinx engine is closed');
    const { sampleRate, endpointingMs, vad, batch } = checkStreamOptions(opts);
    // The worker with the most room for live work, by its own measured speed.
    const room = (s: Slot) => liveStreamsPerWorker(s.current.rtf) - streamsIn(s);
    const slot = this.slots.reduce((a, b) => (room(b) > room(a) ? b : a));
    const id = `ps${this.nextId++}`;
    // Batch work decodes in its own niced worker, so it takes only CPU time live streams leave.
    const { worker, release } = batch ? this.batch.acquire() : slot.acquire();
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
    worker.rpc.send('open', { id, sampleRate, endpointingMs, vad, batch });
    return stream;
  }

  /** The batch worker, started at the first batch stream (its init queues ahead of the stream's messages). */
  private startBatchWorker(): PsWorker {
    const w = workerOn(startPocketsphinxWorker(BATCH_NICE));
    w.rpc.call('init', { vadModel: this.opts.vadModel ?? null, nice: BATCH_NICE }).catch((err: Error) => {
      for (const s of w.streams.values()) s.fail(err);
    });
    return w;
  }

  /**
   * Close every stream (each decodes what it has queued and gives its last final), for at most
   * CLOSE_GRACE_MS; then the workers are terminated, dropping whatever audio is still queued (a burst
   * client's minutes of backlog must not hold a shutdown).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const workers = (await Promise.all(this.slots.map((s) => s.close()))).flat();
    const batch = this.batch.take();
    if (batch) workers.push(batch);
    await closeStreamsWithin(
      workers.flatMap((w) => [...w.streams.values()]),
      CLOSE_GRACE_MS,
    );
    await Promise.allSettled(workers.map((w) => w.rpc.terminate()));
  }
}

function streamsIn(slot: Slot): number {
  return slot.all.reduce((n, w) => n + w.streams.size, 0);
}

/** Start a worker, route its events to its streams, and load and calibrate its decoder. */
async function startWorker(init: InitArgs): Promise<PsWorker> {
  const w = workerOn(startPocketsphinxWorker());
  try {
    w.rtf = (await w.rpc.call('init', init)).rtf;
  } catch (err) {
    await w.rpc.terminate().catch(() => {});
    throw err;
  }
  return w;
}

/** A worker whose events go to its streams. */
function workerOn(rpc: Rpc): PsWorker {
  const w: PsWorker = { rpc, channel: channelOf(rpc), streams: new Map(), rtf: 0 };
  const find = (id: string) => w.streams.get(id);
  rpc.on('partial', (e) => find(e.id)?.deliver('partial', e.partial));
  rpc.on('final', (e) => find(e.id)?.deliver('final', e.final));
  rpc.on('speechStart', (e) => find(e.id)?.deliver('speechStart', e.atMs));
  rpc.on('speechEnd', (e) => find(e.id)?.deliver('speechEnd', e.atMs));
  rpc.on('streamError', (e) => find(e.id)?.fail(new Error(`pocketsphinx: ${e.message}`)));
  rpc.on('progress', (e) => {
    if (e.rtf > 0) w.rtf = e.rtf;
    for (const [id, ms] of e.decoded) find(id)?.progress(ms);
  });
  rpc.on('workerError', (err) => {
    for (const s of w.streams.values()) s.fail(err);
  });
  return w;
}

function channelOf(rpc: Rpc): AsrStreamChannel {
  return {
    write: (id, samples) => rpc.send('write', { id, samples }, [samples.buffer]),
    flush: (id) => rpc.call('flush', { id }),
    close: (id) => rpc.call('close', { id }),
  };
}
