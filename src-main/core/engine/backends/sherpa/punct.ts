// Host side of sherpa punctuation: a Punctuator whose OnlinePunctuation lives in a worker (punct-worker.ts).
// The model is a casing model: it expects lower-case words, so text is lower-cased on the way in (the real
// zipformer English models output upper case).
import type { Punctuator } from '../../types.js';
import type { ResolvedModel } from '../../models/catalog.js';
import { RpcClient, spawnWorker } from '../../worker-host.js';
import type { PunctWorkerInit } from './punct-worker.js';

type WorkerApi = {
  load: (a: undefined) => { loadMs: number };
  punctuate: (a: { text: string }) => string;
};

/** Longest text accepted (a final is at most 30 s of speech: far below this). */
export const MAX_PUNCT_CHARS = 4000;
/** Texts waiting for the worker at most; beyond it a request is refused (the caller keeps the raw text). */
export const MAX_PUNCT_PENDING = 64;

export class SherpaPunctuator implements Punctuator {
  private pending = 0;
  private closed = false;

  private constructor(
    private readonly rpc: RpcClient<WorkerApi>,
    readonly modelId: string,
    readonly loadMs: number,
  ) {}

  static async load(model: ResolvedModel): Promise<SherpaPunctuator> {
    const init: PunctWorkerInit = { model };
    const rpc = new RpcClient<WorkerApi>(
      spawnWorker(new URL(import.meta.url.endsWith('.ts') ? './punct-worker.ts' : './punct-worker.js', import.meta.url), init, {
        name: `sherpa-punct ${model.id}`,
      }),
    );
    try {
      const { loadMs } = await rpc.call('load', undefined);
      return new SherpaPunctuator(rpc, model.id, loadMs);
    } catch (err) {
      await rpc.terminate().catch(() => {});
      throw err;
    }
  }

  async punctuate(text: string): Promise<string> {
    if (this.closed) throw new Error(`punctuation model ${this.modelId} is closed`);
    const words = text.trim().toLowerCase();
    if (!words) return '';
    if (words.length > MAX_PUNCT_CHARS)
      throw new RangeError(`text of ${words.length} characters exceeds the punctuation limit of ${MAX_PUNCT_CHARS}`);
    if (this.pending >= MAX_PUNCT_PENDING) throw new Error(`punctuation queue is full (${MAX_PUNCT_PENDING} texts waiting)`);
    this.pending++;
    try {
      return await this.rpc.call('punctuate', { text: words });
    } finally {
      this.pending--;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.rpc.terminate();
  }
}
