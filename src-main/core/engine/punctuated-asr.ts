// Punctuation for finals, for every ASR backend: each final a stream reports carries `punctuatedText` (interims
// pass unchanged). Punctuation is asynchronous (a worker); refined-asr.ts keeps every stream's events in order.
import { RefinedAsrEngine } from './refined-asr.js';
import type { AsrEngine, Punctuator } from './types.js';

export class PunctuatedAsrEngine extends RefinedAsrEngine {
  constructor(inner: AsrEngine, punctuator: Punctuator) {
    super(inner, () => ({
      refine: (f) =>
        punctuator.punctuate(f.text).then(
          (punctuatedText) => ({ ...f, punctuatedText }),
          () => f, // too long or the queue is full: the raw text stands
        ),
    }));
  }
}
