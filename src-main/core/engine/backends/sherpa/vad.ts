// Silero VAD through sherpa's Vad, for one audio stream: feed samples at any rate, get speechStart /
// speechEnd in ms of stream time. Runs wherever the stream's audio is (the inference worker); any backend's
// worker can use it.
import type { SherpaModule } from './native.js';
import type { LinearResampler, Vad } from 'sherpa-onnx-node';

const VAD_RATE = 16000;
const WINDOW = 512; // samples per Silero window at 16 kHz

export interface VadOptions {
  threshold?: number;
  minSilenceMs?: number;
  minSpeechMs?: number;
  maxSpeechMs?: number;
}

export interface VadListener {
  speechStart(atMs: number): void;
  speechEnd(atMs: number): void;
}

export class SileroVadTracker {
  private readonly vad: Vad;
  private readonly resampler: LinearResampler | null;
  private pending = new Float32Array(0);
  /** 16 kHz samples given to the VAD so far. */
  private fed = 0;
  private inSpeech = false;
  private readonly minSpeechMs: number;

  constructor(
    sherpa: SherpaModule,
    modelPath: string,
    inputRate: number,
    private readonly listener: VadListener,
    opts: VadOptions = {},
  ) {
    this.minSpeechMs = opts.minSpeechMs ?? 250;
    this.vad = new sherpa.Vad(
      {
        sileroVad: {
          model: modelPath,
          threshold: opts.threshold ?? 0.5,
          minSilenceDuration: (opts.minSilenceMs ?? 250) / 1000,
          minSpeechDuration: this.minSpeechMs / 1000,
          maxSpeechDuration: (opts.maxSpeechMs ?? 20000) / 1000,
          windowSize: WINDOW,
        },
        sampleRate: VAD_RATE,
        numThreads: 1,
        debug: false,
      },
      60,
    );
    this.resampler = inputRate === VAD_RATE ? null : new sherpa.LinearResampler(inputRate, VAD_RATE);
  }

  accept(samples: Float32Array): void {
    const x = this.resampler ? this.resampler.resample(samples) : samples;
    let data = x;
    if (this.pending.length) {
      data = new Float32Array(this.pending.length + x.length);
      data.set(this.pending);
      data.set(x, this.pending.length);
    }
    let o = 0;
    for (; o + WINDOW <= data.length; o += WINDOW) {
      this.vad.acceptWaveform(data.subarray(o, o + WINDOW));
      this.fed += WINDOW;
      this.poll();
    }
    this.pending = data.slice(o);
  }

  /** End of audio: close any open speech segment. */
  flush(): void {
    this.vad.flush();
    this.poll();
    if (this.inSpeech) {
      this.inSpeech = false;
      this.listener.speechEnd(this.ms(this.fed));
    }
  }

  private poll(): void {
    // Rising edge: Silero has seen minSpeech of speech; it started about that long (plus a window) ago.
    if (!this.inSpeech && this.vad.isDetected()) {
      this.inSpeech = true;
      this.listener.speechStart(Math.max(0, this.ms(this.fed) - this.minSpeechMs - (WINDOW * 1000) / VAD_RATE));
    }
    while (!this.vad.isEmpty()) {
      const seg = this.vad.front(false);
      this.vad.pop();
      if (!this.inSpeech) this.listener.speechStart(this.ms(seg.start));
      this.inSpeech = false;
      this.listener.speechEnd(this.ms(seg.start + seg.samples.length));
      if (this.vad.isDetected()) {
        this.inSpeech = true;
        this.listener.speechStart(this.ms(this.fed));
      }
    }
  }

  private ms(samples16k: number): number {
    return Math.round((samples16k * 1000) / VAD_RATE);
  }
}
