// sherpa-onnx text-to-speech (piper/VITS, Kokoro, Matcha). The model lives in a worker thread (tts-worker.ts),
// which generates one sentence per call and streams its pieces back, so the event loop never runs the model;
// after a while without requests the worker is replaced by a fresh one (engine/worker-recycler.ts), which gives
// back the memory generation grew. The request's pieces (cut by the caller: text/tts-request.ts) are generated one
// by one; a bounded queue lets generation run ahead of a slow consumer by at most MAX_AHEAD_SECONDS of audio.
import { availableParallelism } from 'node:os';
import { checkPieces, checkSpeed, TtsRequestError } from '../../text/tts-request.js';
import type { SynthesisChunk, SynthesisRequest, Synthesizer, TtsVoice } from '../../types.js';
import { RpcClient, spawnWorker } from '../../worker-host.js';
import { recycleIdleMsFromEnv, WorkerRecycler } from '../../worker-recycler.js';
import { offlineTtsConfig, type SherpaTtsModel } from './tts-config.js';
import type { GenerateArg, TtsWorkerEvents, TtsWorkerInit } from './tts-worker.js';

/** Audio generated ahead of the consumer before generation waits. */
const MAX_AHEAD_SECONDS = 30;

type WorkerApi = {
  load: (a: undefined) => { sampleRate: number; numSpeakers: number };
  generate: (a: GenerateArg) => void;
  cancel: (a: { job: number }) => void;
};
type TtsWorker = RpcClient<WorkerApi, TtsWorkerEvents>;

/** Chunks from the generator to the consumer; the producer waits while too much audio is queued. */
class ChunkQueue {
  private items: SynthesisChunk[] = [];
  private queuedSamples = 0;
  private done = false;
  private error: Error | null = null;
  private wakeConsumer: (() => void) | null = null;
  private wakeProducer: (() => void) | null = null;

  constructor(private readonly maxSamples: number) {}

  push(c: SynthesisChunk): void {
    this.items.push(c);
    this.queuedSamples += c.samples.length;
    this.wakeConsumer?.();
  }

  end(err?: Error): void {
    this.done = true;
    if (err) this.error = err;
    this.wakeConsumer?.();
  }

  /** Resolves when the consumer has drained the queue below the limit (or stopped). */
  async room(): Promise<void> {
    while (this.queuedSamples > this.maxSamples && !this.done) await new Promise<void>((r) => (this.wakeProducer = r));
  }

  async *drain(): AsyncGenerator<SynthesisChunk> {
    for (;;) {
      const c = this.items.shift();
      if (c) {
        this.queuedSamples -= c.samples.length;
        if (this.queuedSamples <= this.maxSamples) this.wakeProducer?.();
        yield c;
        continue;
      }
      if (this.done) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((r) => (this.wakeConsumer = r));
      this.wakeConsumer = null;
    }
  }

  /** The consumer went away: release a waiting producer. */
  stop(): void {
    this.done = true;
    this.wakeProducer?.();
  }
}

export class SherpaSynthesizer implements Synthesizer {
  readonly backend = 'sherpa' as const;
  private readonly voiceList: TtsVoice[];
  /** One generation at a time per model: a sherpa OfflineTts is not safe to run concurrently. */
  private lock: Promise<void> = Promise.resolve();
  /** The worker, replaced by a fresh one when it has been idle a while. */
  private readonly workers: WorkerRecycler<TtsWorker>;
  private nextJob = 1;
  private closed = false;

  constructor(
    first: TtsWorker,
    start: () => Promise<TtsWorker>,
    info: { sampleRate: number; numSpeakers: number },
    readonly model: SherpaTtsModel,
    idleMs = recycleIdleMsFromEnv(),
  ) {
    this.sampleRate = info.sampleRate;
    this.workers = new WorkerRecycler(first, { idleMs, start, stop: (w) => w.terminate(), watch: (w, died) => w.on('workerError', died) });
    const base = {
      name: model.name,
      language: model.language,
      backend: 'sherpa' as const,
      sampleRate: info.sampleRate,
      ...(model.fixture ? { fixture: true } : {}),
    };
    this.voiceList = [{ id: model.id, ...base }];
    for (let sid = 1; sid < info.numSpeakers; sid++)
      this.voiceList.push({ ...base, id: `${model.id}:${sid}`, name: `${model.name} #${sid}` });
  }

  readonly sampleRate: number;

  /** The worker's thread id and how many times it was replaced (tests, diagnostics). */
  workerGenerations(): { threadId: number; generation: number }[] {
    return [{ threadId: this.workers.current.worker.threadId, generation: this.workers.generation }];
  }

  /** Replace the worker now if it has generated and is idle, without waiting for the idle time (tests). */
  async recycleIdleWorkers(): Promise<number> {
    return (await this.workers.recycleNow()) ? 1 : 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const workers = await this.workers.close();
    await Promise.allSettled(workers.map((w) => w.terminate()));
  }

  voices(): TtsVoice[] {
    return this.voiceList.map((v) => ({ ...v }));
  }

  /** Speaker id for a voice id/name (the model id itself = speaker 0). */
  private speakerFor(voice?: string): number {
    if (!voice) return 0;
    const v = this.voiceList.findIndex((x) => x.id === voice || x.name.toLowerCase() === voice.toLowerCase());
    if (v < 0)
      throw new TtsRequestError(
        `unknown voice "${voice}" for sherpa model ${this.model.id} (voices: ${this.voiceList.map((x) => x.id).join(', ')})`,
      );
    return v;
  }

  synthesize(req: SynthesisRequest, signal?: AbortSignal): AsyncIterable<SynthesisChunk> {
    if (this.closed) throw new Error(`TTS voice ${this.model.id} is closed`);
    const pieces = checkPieces(req.pieces);
    const speed = checkSpeed(req.speed ?? 1);
    const sid = this.speakerFor(req.voice);
    return this.stream(pieces, sid, speed, signal);
  }

  private async *stream(pieces: readonly string[], sid: number, speed: number, signal?: AbortSignal): AsyncGenerator<SynthesisChunk> {
    if (signal?.aborted) return;
    const queue = new ChunkQueue(MAX_AHEAD_SECONDS * this.sampleRate);
    let stopped = false;
    /** The sentence being generated: stopping cancels it in the worker. */
    let running: { worker: TtsWorker; job: number } | null = null;
    const stop = () => {
      stopped = true;
      queue.stop();
      if (running && !running.worker.dead) running.worker.send('cancel', { job: running.job });
    };
    signal?.addEventListener('abort', stop, { once: true });
    const producer = this.exclusive(async () => {
      const { worker, release } = this.workers.acquire();
      // A worker keeps the process alive only while it generates (an idle voice must not hold an exit).
      worker.worker.ref();
      try {
        for (let i = 0; i < pieces.length && !stopped; i++) {
          await queue.room();
          if (stopped) break;
          const job = this.nextJob++;
          const onChunk = (c: TtsWorkerEvents['chunk']) => {
            if (c.job === job && !stopped) queue.push({ samples: c.samples, sampleRate: c.sampleRate, sentence: i });
          };
          worker.on('chunk', onChunk);
          running = { worker, job };
          try {
            await worker.call('generate', { job, text: pieces[i]!, sid, speed });
          } finally {
            running = null;
            worker.off('chunk', onChunk as (p: never) => void);
          }
        }
      } finally {
        worker.worker.unref();
        release();
      }
    }).then(
      () => queue.end(),
      (err: unknown) => queue.end(err instanceof Error ? err : new Error(String(err))),
    );
    try {
      for await (const c of queue.drain()) {
        if (stopped) break;
        yield c;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      stop();
      await producer; // the model call in flight ends at its next progress callback
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/**
 * Load a sherpa voice in a worker thread and return its streaming synthesizer. `recycleIdleMs`: replace the
 * worker after this long without requests (0: never; default recycleIdleMsFromEnv()).
 */
export async function loadSherpaTts(
  model: SherpaTtsModel,
  opts: { threads?: number; recycleIdleMs?: number } = {},
): Promise<SherpaSynthesizer> {
  const threads = Math.max(1, Math.min(opts.threads ?? Math.min(2, availableParallelism()), 8));
  const init: TtsWorkerInit = { config: offlineTtsConfig(model, threads) }; // checks the files here, with the reason
  const start = async () => {
    const worker: TtsWorker = new RpcClient<WorkerApi, TtsWorkerEvents>(
      // Same extension as this module: .ts from source (tsx), .js when built.
      spawnWorker(new URL(`./tts-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url), init, {
        name: `sherpa-tts ${model.id}`,
      }),
    );
    try {
      const info = await worker.call('load', undefined);
      worker.worker.unref();
      return { worker, info };
    } catch (err) {
      await worker.terminate().catch(() => {});
      throw err;
    }
  };
  const { worker, info } = await start();
  return new SherpaSynthesizer(worker, async () => (await start()).worker, info, model, opts.recycleIdleMs ?? recycleIdleMsFromEnv());
}
