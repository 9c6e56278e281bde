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
  /** The batch worker stops this long after its last stream (default BATCH_WORKER_IDLE_MS). */
  batchWorkerIdleMs?: number;
}

interface Slot {
  rpc: Rpc;
  streams: Map<string, WorkerAsrStream>;
  channel: AsrStreamChannel;
  /** This worker's real-time factor: from the calibration decode, then from its own reports. */
  rtf: number;
}

export class PocketsphinxAsrEngine implements AsrEngine {
  readonly backend = 'pocketsphinx' as const;
  readonly modelId = 'pocketsphinx-en-us';
  readonly language = 'en';
  readonly sampleRate = POCKETSPHINX_RATE;
  private nextId = 1;
  private closed = false;
  /** The batch worker, while file transcriptions run and batchWorkerIdleMs after. */
  private batchSlot: (Slot & { idleTimer?: NodeJS.Timeout }) | null = null;

  private constructor(
    private readonly slots: Slot[],
    private readonly opts: PocketsphinxLoadOptions,
  ) {
    for (const slot of slots) this.listen(slot);
  }

  /** Route `slot`'s worker events to its streams. */
  private listen(slot: Slot): void {
    const find = (id: string) => slot.streams.get(id);
    slot.rpc.on('partial', (e) => find(e.id)?.deliver('partial', e.partial));
    slot.rpc.on('final', (e) => find(e.id)?.deliver('final', e.final));
    slot.rpc.on('speechStart', (e) => find(e.id)?.deliver('speechStart', e.atMs));
    slot.rpc.on('speechEnd', (e) => find(e.id)?.deliver('speechEnd', e.atMs));
    slot.rpc.on('streamError', (e) => find(e.id)?.fail(new Error(`pocketsphinx: ${e.message}`)));
    slot.rpc.on('progress', (e) => {
      if (e.rtf > 0) slot.rtf = e.rtf;
      for (const [id, ms] of e.decoded) find(id)?.progress(ms);
    });
    slot.rpc.on('workerError', (err) => {
      for (const s of slot.streams.values()) s.fail(err);
    });
  }

  /**
   * Start `workers` workers (default: defaultPocketsphinxWorkers()), each with a warmed, calibrated decoder.
   * With `vadModel` (Silero), every stream is gated by it: non-speech gives no words (see worker.ts).
   */
  static async load(opts: PocketsphinxLoadOptions = {}): Promise<PocketsphinxAsrEngine> {
    const n = Math.max(1, Math.min(MAX_WORKERS, Math.floor(opts.workers ?? opts.threads ?? defaultPocketsphinxWorkers())));
    const slots: Slot[] = Array.from({ length: n }, () => {
      const rpc = startPocketsphinxWorker();
      return { rpc, streams: new Map(), channel: channelOf(rpc), rtf: 0 };
    });
    try {
      // One at a time: calibrations running together on a small machine would measure each other.
      for (const s of slots) s.rtf = (await s.rpc.call('init', { vadModel: opts.vadModel ?? null })).rtf;
    } catch (err) {
      await Promise.allSettled(slots.map((s) => s.rpc.terminate()));
      throw err;
    }
    return new PocketsphinxAsrEngine(slots, opts);
  }

  get activeStreams(): number {
    return this.slots.reduce((n, s) => n + s.streams.size, 0);
  }

  capacity(): AsrCapacity {
    const rtf = Math.max(...this.slots.map((s) => s.rtf));
    let liveActive = 0;
    let lagMs = 0;
    const now = performance.now();
    for (const s of this.slots) {
      for (const st of s.streams.values()) {
        if (st.batch) continue;
        liveActive++;
        lagMs = Math.max(lagMs, st.lagMs(now));
      }
    }
    return {
      liveStreams: this.slots.reduce((n, s) => n + liveStreamsPerWorker(s.rtf), 0),
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
    const room = (s: Slot) => liveStreamsPerWorker(s.rtf) - s.streams.size;
    const slot = this.slots.reduce((a, b) => (room(b) > room(a) ? b : a));
    const id = `ps${this.nextId++}`;
    // Batch work decodes in its own niced worker, so it takes only CPU time live streams leave.
    const target = batch ? this.batchWorker() : slot;
    const stream = new WorkerAsrStream(
      id,
      sampleRate,
      target.channel,
      () => {
        target.streams.delete(id);
        if (batch) this.batchStreamEnded();
      },
      batch,
    );
    target.streams.set(id, stream);
    target.rpc.send('open', { id, sampleRate, endpointingMs, vad, batch });
    return stream;
  }

  /** The batch worker, started at the first batch stream (its init queues ahead of the stream's messages). */
  private batchWorker(): Slot {
    const running = this.batchSlot;
    if (running) {
      clearTimeout(running.idleTimer);
      running.idleTimer = undefined;
      return running;
    }
    const rpc = startPocketsphinxWorker(BATCH_NICE);
    const slot: Slot = { rpc, streams: new Map(), channel: channelOf(rpc), rtf: 0 };
    this.listen(slot);
    this.batchSlot = slot;
    rpc.call('init', { vadModel: this.opts.vadModel ?? null, nice: BATCH_NICE }).catch((err: Error) => {
      for (const s of slot.streams.values()) s.fail(err);
    });
    return slot;
  }

  /** A batch stream ended: the batch worker stops batchWorkerIdleMs after its last one. */
  private batchStreamEnded(): void {
    const slot = this.batchSlot;
    if (!slot || slot.streams.size > 0) return;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (this.batchSlot !== slot || slot.streams.size > 0) return;
      this.batchSlot = null;
      void slot.rpc.terminate().catch(() => {});
    }, this.opts.batchWorkerIdleMs ?? BATCH_WORKER_IDLE_MS);
    slot.idleTimer.unref();
  }

  /**
   * Close every stream (each decodes what it has queued and gives its last final), for at most
   * CLOSE_GRACE_MS; then the workers are terminated, dropping whatever audio is still queued (a burst
   * client's minutes of backlog must not hold a shutdown).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = this.batchSlot ? [...this.slots, this.batchSlot] : this.slots;
    clearTimeout(this.batchSlot?.idleTimer);
    this.batchSlot = null;
    await closeStreamsWithin(
      all.flatMap((s) => [...s.streams.values()]),
      CLOSE_GRACE_MS,
    );
    await Promise.allSettled(all.map((s) => s.rpc.terminate()));
  }
}

function channelOf(rpc: Rpc): AsrStreamChannel {
  return {
    write: (id, samples) => rpc.send('write', { id, samples }, [samples.buffer]),
    flush: (id) => rpc.call('flush', { id }),
    close: (id) => rpc.call('close', { id }),
  };
}
