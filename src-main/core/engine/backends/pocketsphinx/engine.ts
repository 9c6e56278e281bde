// Host side of the pocketsphinx backend: an AsrEngine whose streams live in worker threads (./worker.ts).
// Streams are spread over the workers (least loaded first); the main thread only validates, copies and posts.
import type { AsrEngine, AsrFinal, AsrStream, AsrStreamOptions } from '../../types.js';
import { checkStreamOptions, closeStreamsWithin, WorkerAsrStream, type AsrStreamChannel } from '../../worker-asr-stream.js';
import { RpcClient, spawnWorker } from '../../worker-host.js';
import { POCKETSPHINX_RATE } from './native.js';
import type { OpenArgs, PocketsphinxWorkerEvents } from './worker.js';

export { MAX_WRITE_SECONDS } from '../../worker-asr-stream.js';
const MAX_WORKERS = 8;

type WorkerApi = {
  init: (a: undefined) => { ok: boolean };
  open: (a: OpenArgs) => void;
  write: (a: { id: string; samples: Float32Array }) => void;
  flush: (a: { id: string }) => AsrFinal | null;
  close: (a: { id: string }) => AsrFinal | null;
  drain: (a: { id: string }) => null;
  decodeWhole: (a: { samples: Float32Array }) => string;
};
type Rpc = RpcClient<WorkerApi, PocketsphinxWorkerEvents>;

export function startPocketsphinxWorker(): Rpc {
  return new RpcClient<WorkerApi, PocketsphinxWorkerEvents>(spawnWorker(new URL('./worker.ts', import.meta.url)));
}

interface Slot {
  rpc: Rpc;
  streams: Map<string, WorkerAsrStream>;
  channel: AsrStreamChannel;
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
    const slots: Slot[] = Array.from({ length: n }, () => {
      const rpc = startPocketsphinxWorker();
      return { rpc, streams: new Map(), channel: channelOf(rpc) };
    });
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
    const { sampleRate, endpointingMs, vad } = checkStreamOptions(opts);
    const slot = this.slots.reduce((a, b) => (b.streams.size < a.streams.size ? b : a));
    const id = `ps${this.nextId++}`;
    const stream = new WorkerAsrStream(id, sampleRate, slot.channel, () => slot.streams.delete(id));
    slot.streams.set(id, stream);
    slot.rpc.send('open', { id, sampleRate, endpointingMs, vad });
    return stream;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeStreamsWithin(this.slots.flatMap((s) => [...s.streams.values()]));
    await Promise.allSettled(this.slots.map((s) => s.rpc.terminate()));
  }
}

function channelOf(rpc: Rpc): AsrStreamChannel {
  return {
    write: (id, samples) => rpc.send('write', { id, samples }, [samples.buffer]),
    flush: (id) => rpc.call('flush', { id }),
    close: (id) => rpc.call('close', { id }),
    drain: async (id) => {
      await rpc.call('drain', { id });
    },
  };
}
