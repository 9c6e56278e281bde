// Finals refined after the recognizer reports them, for every ASR backend: wraps an AsrEngine so that each final
// its streams report goes through an asynchronous step (punctuation, a second-pass re-decode) before it is
// emitted; interims pass unchanged. Every event of a stream goes through one queue, so a partial of the next
// utterance never overtakes the final before it, and flush()/close() answer with the final the event carried.
import { EventEmitter } from 'node:events';
import type { AsrEngine, AsrFinal, AsrStream, AsrStreamEvents, AsrStreamOptions } from './types.js';

/** Finals whose refined form is remembered, so flush()/close() answer with the one the event carried. */
const REMEMBERED = 8;

/** One stream's refinement: it sees the stream's audio (when it needs it) and turns each final into the one sent. */
export interface FinalRefiner {
  /** The samples written to the stream (before the inner stream takes them). */
  write?(samples: Float32Array): void;
  /** A flush was asked for (before the inner stream's). */
  flushing?(): void;
  /** Never rejects for a refusal: it returns the final unchanged instead. */
  refine(final: AsrFinal): Promise<AsrFinal>;
}

export class RefinedAsrEngine implements AsrEngine {
  constructor(
    readonly inner: AsrEngine,
    private readonly refinerFor: (opts: AsrStreamOptions) => FinalRefiner,
  ) {}

  get backend() {
    return this.inner.backend;
  }
  get modelId() {
    return this.inner.modelId;
  }
  get finalModelId() {
    return this.inner.finalModelId;
  }
  get language() {
    return this.inner.language;
  }
  get languages() {
    return this.inner.languages;
  }
  get sampleRate() {
    return this.inner.sampleRate;
  }
  get activeStreams() {
    return this.inner.activeStreams;
  }
  capacity() {
    return this.inner.capacity();
  }
  get checkVocabulary() {
    return this.inner.checkVocabulary?.bind(this.inner);
  }

  createStream(opts: AsrStreamOptions): AsrStream {
    const refiner = this.refinerFor(opts);
    return new RefinedAsrStream(this.inner.createStream(opts), refiner);
  }
}

class RefinedAsrStream extends EventEmitter implements AsrStream {
  private queue: Promise<void> = Promise.resolve();
  private readonly done = new Map<string, Promise<AsrFinal>>();

  constructor(
    private readonly inner: AsrStream,
    private readonly refiner: FinalRefiner,
  ) {
    super();
    inner.on('partial', (p) => this.enqueue(() => this.emit('partial', p)));
    inner.on('final', (f) => {
      const ready = this.refined(f);
      this.enqueue(async () => void this.emit('final', await ready));
    });
    inner.on('speechStart', (ms) => this.enqueue(() => this.emit('speechStart', ms)));
    inner.on('speechEnd', (ms) => this.enqueue(() => this.emit('speechEnd', ms)));
    inner.on('error', (err) => this.enqueue(() => (this.listenerCount('error') ? this.emit('error', err) : undefined)));
  }

  get id() {
    return this.inner.id;
  }
  get writtenMs() {
    return this.inner.writtenMs;
  }
  get pendingMs() {
    return this.inner.pendingMs;
  }

  write(samples: Float32Array): void {
    this.inner.write(samples);
    this.refiner.write?.(samples);
  }

  async flush(): Promise<AsrFinal | null> {
    this.refiner.flushing?.();
    return this.settle(await this.inner.flush());
  }

  async close(): Promise<AsrFinal | null> {
    this.refiner.flushing?.();
    return this.settle(await this.inner.close());
  }

  /** At most `maxPendingMs` of audio waits in the inner stream, and every event it emitted so far has gone out. */
  async drained(maxPendingMs = 0): Promise<void> {
    await this.inner.drained(maxPendingMs);
    await this.queue;
  }

  /** The final as its event carried it, after every event before it has gone out. */
  private async settle(f: AsrFinal | null): Promise<AsrFinal | null> {
    if (!f) {
      await this.queue;
      return null;
    }
    const ready = this.refined(f);
    await this.queue;
    return ready;
  }

  private enqueue(step: () => unknown): void {
    this.queue = this.queue.then(step).then(
      () => undefined,
      () => undefined,
    );
  }

  /** One refinement per final (the worker reports it as an event and again as flush()'s result). */
  private refined(f: AsrFinal): Promise<AsrFinal> {
    const key = `${f.startMs}|${f.endMs}|${f.text}`;
    let p = this.done.get(key);
    if (!p) {
      p = this.refiner.refine(f).catch(() => f);
      this.done.set(key, p);
      if (this.done.size > REMEMBERED) this.done.delete(this.done.keys().next().value!);
    }
    return p;
  }

  override on<E extends keyof AsrStreamEvents>(event: E, listener: AsrStreamEvents[E]): this {
    return super.on(event, listener as (...a: unknown[]) => void);
  }

  override off<E extends keyof AsrStreamEvents>(event: E, listener: AsrStreamEvents[E]): this {
    return super.off(event, listener as (...a: unknown[]) => void);
  }
}
