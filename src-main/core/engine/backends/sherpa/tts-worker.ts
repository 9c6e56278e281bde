// The sherpa TTS worker: owns one OfflineTts (one voice model) and generates one sentence per call, streaming
// each piece the model produces back to the host (tts.ts) as a `chunk` event before the call's reply.
// Why a worker: generation's memory (ONNX Runtime's arena, grown to the longest sentence, and the glibc arenas
// of the threads that ran it) is only given back when the OfflineTts is destroyed; ending the worker destroys
// it, so an idle voice is replaced by a fresh worker (engine/worker-recycler.ts) and its memory returned.
import { workerData } from 'node:worker_threads';
import { serveRpc } from '../../worker-host.js';
import { loadSherpa } from './native.js';

export interface TtsWorkerInit {
  /** The OfflineTts config (tts-config.ts offlineTtsConfig, checked on the host). */
  config: Record<string, unknown>;
}

export type TtsWorkerEvents = {
  /** A piece of the sentence `job` is generating (moved, not copied). */
  chunk: { job: number; samples: Float32Array; sampleRate: number };
};

export interface GenerateArg {
  job: number;
  text: string;
  sid: number;
  speed: number;
}

type OfflineTts = InstanceType<ReturnType<typeof loadSherpa>['OfflineTts']>;

const { config } = workerData as TtsWorkerInit;
let tts: OfflineTts | null = null;
/** Jobs the host stopped: their generation ends at the model's next progress callback. */
const cancelled = new Set<number>();
/** The highest job finished: job numbers only grow, so a cancel that arrives after its job ended is ignored. */
let lastDone = -1;
/** The host asked this worker to stop: every generation ends at its next progress callback. */
let stopping = false;

const { emit } = serveRpc<TtsWorkerEvents>(
  {
    load: async () => {
      // createAsync exists in sherpa-onnx-node >= 1.12 (non-streaming-tts.js) but not in our type declarations.
      const factory = loadSherpa().OfflineTts as unknown as { createAsync(config: Record<string, unknown>): Promise<OfflineTts> };
      tts = await factory.createAsync(config);
      return { sampleRate: tts.sampleRate, numSpeakers: tts.numSpeakers };
    },
    /** Generate one sentence; resolves once every chunk of it was emitted. */
    generate: async (a: GenerateArg) => {
      if (!tts) throw new Error('TTS model is not loaded');
      const model = tts;
      const send = (samples: Float32Array) => {
        const copy = Float32Array.from(samples);
        emit('chunk', { job: a.job, samples: copy, sampleRate: model.sampleRate }, [copy.buffer]);
      };
      let streamed = false;
      try {
        const audio = await model.generateAsync({
          text: a.text,
          sid: a.sid,
          speed: a.speed,
          // Runs on this worker's event loop with each piece the model thread produced; returning 0 stops generation.
          onProgress: (info: { samples: Float32Array; progress: number }) => {
            if (stopping || cancelled.has(a.job)) return 0;
            if (info.samples?.length) {
              streamed = true;
              send(info.samples);
            }
            return 1;
          },
        });
        // Backends that report no progress chunks still return the whole sentence.
        if (!streamed && !cancelled.has(a.job) && audio.samples.length) send(audio.samples);
      } finally {
        cancelled.delete(a.job);
        lastDone = Math.max(lastDone, a.job);
      }
    },
    cancel: (a: { job: number }) => {
      if (a.job > lastDone) cancelled.add(a.job);
    },
  },
  // The generation in flight is a `generate` call, which serveRpc waits for; this makes it end at once.
  { beforeStop: () => void (stopping = true) },
);
