// The punctuation worker: owns one sherpa OnlinePunctuation (addPunct is a synchronous native call, so it never
// runs on the main thread) and answers one text at a time.
import { workerData } from 'node:worker_threads';
import type { OnlinePunctuation } from 'sherpa-onnx-node';
import { serveRpc } from '../../worker-host.js';
import type { ResolvedModel } from '../../models/catalog.js';
import { loadSherpa } from './native.js';
import { onlinePunctuationConfig } from './punct-config.js';

export interface PunctWorkerInit {
  model: ResolvedModel;
}

const { model } = workerData as PunctWorkerInit;
let punct: OnlinePunctuation | null = null;

serveRpc({
  load: () => {
    const t0 = performance.now();
    try {
      punct = new (loadSherpa().OnlinePunctuation)(onlinePunctuationConfig(model));
    } catch (err) {
      throw new Error(
        `sherpa could not load punctuation model "${model.id}" from ${model.path}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    punct.addPunct('warm up'); // first call allocates; pay it before the first user
    return { loadMs: performance.now() - t0 };
  },
  punctuate: (arg: { text: string }) => {
    if (!punct) throw new Error('punctuation model is not loaded');
    return punct.addPunct(arg.text);
  },
});
