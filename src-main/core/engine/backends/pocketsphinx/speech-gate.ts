// Whether an utterance holds speech, by the Silero VAD (sherpa-onnx's Vad, ../sherpa/vad.ts): the pocketsphinx
// worker's energy VAD hears any loud sound as "voiced", and the decoder turns noise into words. Runs in the
// worker beside the decoder, on the same 16 kHz blocks.
import { loadSherpa } from '../sherpa/native.js';
import { SileroVadTracker } from '../sherpa/vad.js';

export interface SpeechGate {
  /** Feed audio (the rate given at creation). */
  push(samples: Float32Array): void;
  /** A new utterance starts: `heard` is reset, unless speech is still going on. */
  newUtterance(): void;
  /** Silero has heard speech since the current utterance started. */
  readonly heard: boolean;
  /** The stream ended: its Silero goes back to the thread's pool (../sherpa/vad-pool.ts). */
  release(): void;
}

/** Silero's speech probability threshold: its default, which passes quiet read speech and rejects hiss and hum. */
const THRESHOLD = 0.5;
/** Speech shorter than this is not speech (a cough, a knock); Silero's rising edge waits this long. */
const MIN_SPEECH_MS = 200;

/** A gate on `modelPath` (silero_vad.onnx); throws when sherpa-onnx or the model cannot be loaded. */
export function createSpeechGate(modelPath: string, sampleRate: number): SpeechGate {
  let talking = false;
  let heard = false;
  const tracker = new SileroVadTracker(
    loadSherpa(),
    modelPath,
    sampleRate,
    {
      speechStart: () => {
        talking = true;
        heard = true;
      },
      speechEnd: () => {
        talking = false;
      },
    },
    { threshold: THRESHOLD, minSpeechMs: MIN_SPEECH_MS },
  );
  return {
    push: (samples) => tracker.accept(samples),
    newUtterance: () => {
      heard = talking;
    },
    get heard() {
      return heard;
    },
    release: () => tracker.release(),
  };
}
