// sherpa-onnx text-to-speech (piper/VITS, Kokoro, Matcha). Loading uses OfflineTts.createAsync and every
// generation runs through generateAsync on the addon's own thread, so the event loop never runs the model.
// The request's pieces (cut by the caller: text/tts-request.ts) are generated one by one, each streaming out chunk by
// chunk through onProgress, and a bounded queue lets generation run ahead of a slow consumer by at most
// MAX_AHEAD_SECONDS of audio.
import { availableParallelism } from 'node:os';
import { checkPieces, checkSpeed, TtsRequestError } from '../../text/tts-request.js';
import type { SynthesisChunk, SynthesisRequest, Synthesizer, TtsVoice } from '../../types.js';
import { loadSherpa } from './native.js';
import { offlineTtsConfig, type SherpaTtsModel } from './tts-config.js';

/** Audio generated ahead of the consumer before generation waits. */
const MAX_AHEAD_SECONDS = 30;

type OfflineTts = InstanceType<ReturnType<typeof loadSherpa>['OfflineTts']>;

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

  constructor(
    private readonly tts: OfflineTts,
    readonly model: SherpaTtsModel,
  ) {
    const base = {
      name: model.name,
      language: model.language,
      backend: 'sherpa' as const,
      sampleRate: tts.sampleRate,
      ...(model.fixture ? { fixture: true } : {}),
    };
    this.voiceList = [{ id: model.id, ...base }];
    for (let sid = 1; sid < tts.numSpeakers; sid++)
      this.voiceList.push({ ...base, id: `${model.id}:${sid}`, name: `${model.name} #${sid}` });
  }

  get sampleRate(): number {
    return this.tts.sampleRate;
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
    const pieces = checkPieces(req.pieces);
    const speed = checkSpeed(req.speed ?? 1);
    const sid = this.speakerFor(req.voice);
    return this.stream(pieces, sid, speed, signal);
  }

  private async *stream(pieces: readonly string[], sid: number, speed: number, signal?: AbortSignal): AsyncGenerator<SynthesisChunk> {
    if (signal?.aborted) return;
    const queue = new ChunkQueue(MAX_AHEAD_SECONDS * this.tts.sampleRate);
    let stopped = false;
    const stop = () => {
      stopped = true;
      queue.stop();
    };
    signal?.addEventListener('abort', stop, { once: true });
    const producer = this.exclusive(async () => {
      for (let i = 0; i < pieces.length && !stopped; i++) {
        await queue.room();
        if (stopped) break;
        let streamed = false;
        const audio = await this.tts.generateAsync({
          text: pieces[i],
          sid,
          speed,
          // Runs on the event loop with each piece the model thread produced; returning 0 stops generation.
          onProgress: (info: { samples: Float32Array; progress: number }) => {
            if (stopped) return 0;
            if (info.samples?.length) {
              streamed = true;
              queue.push({ samples: Float32Array.from(info.samples), sampleRate: this.tts.sampleRate, sentence: i });
            }
            return 1;
          },
        });
        // Backends that report no progress chunks still return the whole piece.
        if (!streamed && !stopped && audio.samples.length)
          queue.push({ samples: Float32Array.from(audio.samples), sampleRate: audio.sampleRate, sentence: i });
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

/** Load a sherpa voice (off the event loop) and return its streaming synthesizer. */
export async function loadSherpaTts(model: SherpaTtsModel, opts: { threads?: number } = {}): Promise<SherpaSynthesizer> {
  const sherpa = loadSherpa();
  const threads = Math.max(1, Math.min(opts.threads ?? Math.min(2, availableParallelism()), 8));
  // createAsync exists in sherpa-onnx-node >= 1.12 (non-streaming-tts.js) but not in our type declarations.
  const factory = sherpa.OfflineTts as unknown as { createAsync(config: Record<string, unknown>): Promise<OfflineTts> };
  const tts = await factory.createAsync(offlineTtsConfig(model, threads));
  return new SherpaSynthesizer(tts, model);
}
