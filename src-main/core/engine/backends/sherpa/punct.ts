// Host side of sherpa punctuation: a Punctuator whose OnlinePunctuation lives in a worker (punct-worker.ts).
// The model is a casing model: it expects lower-case words, so text is lower-cased on the way in (the real
// zipformer English models output upper case). Like every inference worker, it sits behind a WorkerRecycler:
// replaced when idle a while (its memory returned) and at once when it dies.
import type { Punctuator } from '../../types.js';
import type { ResolvedModel } from '../../models/catalog.js';
import { RpcClient, spawnWorker } from '../../worker-host.js';
import { recycleIdleMsFromEnv, WorkerRecycler } from '../../worker-recycler.js';
import type { PunctWorkerInit } from './punct-worker.js';

type WorkerApi = {
  load: (a: undefined) => { loadMs: number };
  punctuate: (a: { text: string }) => string;
};

/** Longest text accepted (a final is at most 30 s of speech: far below this). */
export const MAX_PUNCT_CHARS = 4000;
/** Texts waiting for the worker at most; beyond it a request is refused (the caller keeps the raw text). */
export const MAX_PUNCT_PENDING = 64;

type PunctWorker = RpcClient<WorkerApi>;

/** Start a punctuation worker and load the model in it (a worker that cannot load is stopped). */
async function startWorker(model: ResolvedModel): Promise<{ rpc: PunctWorker; loadMs: number }> {
  const init: PunctWorkerInit = { model };
  const rpc = new RpcClient<WorkerApi>(
    spawnWorker(new URL(import.meta.url.endsWith('.ts') ? './punct-worker.ts' : './punct-worker.js', import.meta.url), init, {
      name: `sherpa-punct ${model.id}`,
    }),
  );
  try {
    const { loadMs } = await rpc.call('load', undefined);
    return { rpc, loadMs };
  } catch (err) {
    await rpc.terminate().catch(() => {});
    throw err;
  }
}

export class SherpaPunctuator implements Punctuator {
  private pending = 0;
  private closed = false;
  private readonly workers: WorkerRecycler<PunctWorker>;

  private constructor(
    first: PunctWorker,
    model: ResolvedModel,
    readonly loadMs: number,
    idleMs: number,
  ) {
    this.modelId = model.id;
    this.workers = new WorkerRecycler(first, {
      idleMs,
      start: async () => (await startWorker(model)).rpc,
      stop: (w) => w.terminate(),
      watch: (w, died) => w.on('workerError', died),
    });
  }

  readonly modelId: string;

  static async load(model: ResolvedModel, opts: { recycleIdleMs?: number } = {}): Promise<SherpaPunctuator> {
    const idleMs = opts.recycleIdleMs ?? recycleIdleMsFromEnv();
    const { rpc, loadMs } = await startWorker(model);
    return new SherpaPunctuator(rpc, model, loadMs, idleMs);
  }

  /** The worker's thread id and how many times it was replaced (tests, diagnostics). */
  workerGenerations(): { threadId: number; generation: number }[] {
    return [{ threadId: this.workers.current.worker.threadId, generation: this.workers.generation }];
  }

  async punctuate(text: string): Promise<string> {
    if (this.closed) throw new Error(`punctuation model ${this.modelId} is closed`);
    const words = text.trim().toLowerCase();
    if (!words) return '';
    if (words.length > MAX_PUNCT_CHARS)
      throw new RangeError(`text of ${words.length} characters exceeds the punctuation limit of ${MAX_PUNCT_CHARS}`);
    if (this.pending >= MAX_PUNCT_PENDING) throw new Error(`punctuation queue is full (${MAX_PUNCT_PENDING} texts waiting)`);
    this.pending++;
    const { worker, release } = this.workers.acquire();
    try {
      return await worker.call('punctuate', { text: words });
    } finally {
      release();
      this.pending--;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const workers = await this.workers.close();
    await Promise.allSettled(workers.map((w) => w.terminate()));
  }
}
