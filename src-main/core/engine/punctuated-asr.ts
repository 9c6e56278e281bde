// Punctuation for finals, for every ASR backend: wraps an AsrEngine so that each final its streams report
// carries `punctuatedText` (interims pass unchanged). Punctuation is asynchronous (a worker), so every event of
// a stream goes through one queue: a partial of the next utterance never overtakes the final before it.
import { EventEmitter } from 'node:events';
import type { AsrEngine, AsrFinal, AsrStream, AsrStreamEvents, AsrStreamOptions, Punctuator } from './types.js';

/** Finals whose punctuated form is remembered, so flush()/close() answer with the one the event carried. */
const REMEMBERED = 8;

export class PunctuatedAsrEngine implements AsrEngine {
  constructor(
    readonly inner: AsrEngine,
    private readonly punctuator: Punctuator,
  ) {}

  get backend() {
    return this.inner.backend;
  }
  get modelId() {
    return this.inner.modelId;
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
    return new PunctuatedAsrStream(this.inner.createStream(opts), this.punctuator);
  }
}

class PunctuatedAsrStream extends EventEmitter implements AsrStream {
  private queue: Promise<void> = Promise.resolve();
  private readonly done = new Map<string, Promise<AsrFinal>>();

  constructor(
    private readonly inner: AsrStream,
    private readonly punctuator: Punctuator,
  ) {
    super();
    inner.on('partial', (p) => this.enqueue(() => this.emit('partial', p)));
    inner.on('final', (f) => {
      const ready = this.punctuated(f);
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
  }

  async flush(): Promise<AsrFinal | null> {
    return this.settle(await this.inner.flush());
  }

  async close(): Promise<AsrFinal | null> {
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
    const ready = this.punctuated(f);
    await this.queue;
    return ready;
  }

  private enqueue(step: () => unknown): void {
    this.queue = this.queue.then(step).then(
      () => undefined,
      () => undefined,
    );
  }

  /** One punctuation per final (the worker reports it as an event and again as flush()'s result). */
  private punctuated(f: AsrFinal): Promise<AsrFinal> {
    const key = `${f.startMs}|${f.endMs}|${f.text}`;
    let p = this.done.get(key);
    if (!p) {
      p = this.punctuator.punctuate(f.text).then(
        (punctuatedText) => ({ ...f, punctuatedText }),
        () => f, // too long or the queue is full: the raw text stands
      );
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
