// Silero VAD through sherpa's Vad, for one audio stream: feed samples at any rate, get speechStart /
// speechEnd in ms of stream time. Runs wherever the stream's audio is (the inference worker); any backend's
// worker can use it. The Vad itself comes from this thread's pool (./vad-pool.ts) and goes back on release().
import type { SherpaModule } from './native.js';
import type { LinearResampler, Vad, VadConfig } from 'sherpa-onnx-node';
import { VadPool, type VadPoolStats } from './vad-pool.js';

const VAD_RATE = 16000;
const WINDOW = 512; // samples per Silero window at 16 kHz
/** Audio a Vad keeps (its segments' samples); a segment is at most maxSpeechMs (20 s by default). */
const BUFFER_SECONDS = 60;
/** Audio (16 kHz samples) a tracker holds while it waits for its Vad; beyond this it makes one at once. */
const MAX_HELD = 10 * VAD_RATE;

/** This thread's pool (module state is per worker thread). */
let pool: VadPool | null = null;

/** How many VADs this thread has made, reused and holds idle. */
export function vadPoolStats(): VadPoolStats {
  return pool?.stats ?? { made: 0, reused: 0, idle: 0 };
}

/** Trackers waiting for a Vad to be made (makeLater), oldest first; one is made per turn of the event loop. */
const waiting: SileroVadTracker[] = [];
let makeScheduled = false;

function scheduleMake(): void {
  if (makeScheduled || !waiting.length) return;
  makeScheduled = true;
  setImmediate(() => {
    makeScheduled = false;
    waiting[0]?.attach();
    scheduleMake();
  });
}

export interface VadOptions {
  threshold?: number;
  minSilenceMs?: number;
  minSpeechMs?: number;
  maxSpeechMs?: number;
  /**
   * With no idle Vad in the pool, make one in a later turn of this thread's event loop, one per turn, and hold
   * the stream's audio until then (its events come later, with the same times), instead of in the constructor.
   * For a live worker whose streams' decoding does not wait on the VAD: making one takes 40–110 ms of the
   * thread, and streams that start together (a meeting, a load test) would otherwise hold every live stream for
   * that long times their number. Not for a worker whose decoding reads the VAD (the speech gate, segmenting).
   */
  makeLater?: boolean;
}

export interface VadListener {
  speechStart(atMs: number): void;
  speechEnd(atMs: number): void;
}

export class SileroVadTracker {
  private readonly config: VadConfig;
  /** Null while it waits to be made (makeLater) and once released. */
  private vad: Vad | null = null;
  private released = false;
  /** 16 kHz audio received while waiting for the Vad. */
  private held: Float32Array[] = [];
  private heldSamples = 0;
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
    this.config = {
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
    };
    this.resampler = inputRate === VAD_RATE ? null : new sherpa.LinearResampler(inputRate, VAD_RATE);
    pool ??= new VadPool((config) => new sherpa.Vad(config, BUFFER_SECONDS));
    if (!opts.makeLater) this.vad = pool.take(this.config);
    else {
      this.vad = pool.takeIdle(this.config);
      if (!this.vad) {
        waiting.push(this);
        scheduleMake();
      }
    }
  }

  /** Whether it has its Vad (false while it waits to be made, and once released). */
  get ready(): boolean {
    return this.vad !== null;
  }

  accept(samples: Float32Array): void {
    if (this.released) return;
    const x = this.resampler ? this.resampler.resample(samples) : samples;
    if (!this.vad) {
      this.held.push(x.slice());
      this.heldSamples += x.length;
      if (this.heldSamples > MAX_HELD) this.attach();
      return;
    }
    this.process(x);
  }

  /** End of audio: close any open speech segment. */
  flush(): void {
    if (this.released) return;
    if (!this.vad) this.attach();
    this.vad!.flush();
    this.poll();
    if (this.inSpeech) {
      this.inSpeech = false;
      this.listener.speechEnd(this.ms(this.fed));
    }
  }

  /** The stream is done with it: its Vad goes back to the pool for the next stream; later audio is ignored. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.unwait();
    if (this.vad) pool?.give(this.config, this.vad);
    this.vad = null;
    this.held = [];
  }

  /** Take or make the Vad now, and give it the audio held meanwhile. */
  attach(): void {
    this.unwait();
    if (this.released || this.vad) return;
    this.vad = pool!.take(this.config);
    const held = this.held;
    this.held = [];
    this.heldSamples = 0;
    for (const x of held) if (!this.released) this.process(x);
  }

  private unwait(): void {
    const i = waiting.indexOf(this);
    if (i >= 0) waiting.splice(i, 1);
  }

  private process(x: Float32Array): void {
    let data = x;
    if (this.pending.length) {
      data = new Float32Array(this.pending.length + x.length);
      data.set(this.pending);
      data.set(x, this.pending.length);
    }
    let o = 0;
    for (; o + WINDOW <= data.length; o += WINDOW) {
      if (!this.vad) return; // released by a listener
      this.vad.acceptWaveform(data.subarray(o, o + WINDOW));
      this.fed += WINDOW;
      this.poll();
    }
    this.pending = data.slice(o);
  }

  private poll(): void {
    const vad = this.vad;
    if (!vad) return;
    // Rising edge: Silero has seen minSpeech of speech; it started about that long (plus a window) ago.
    if (!this.inSpeech && vad.isDetected()) {
      this.inSpeech = true;
      this.listener.speechStart(Math.max(0, this.ms(this.fed) - this.minSpeechMs - (WINDOW * 1000) / VAD_RATE));
    }
    while (!vad.isEmpty()) {
      const seg = vad.front(false);
      vad.pop();
      if (!this.inSpeech) this.listener.speechStart(this.ms(seg.start));
      this.inSpeech = false;
      this.listener.speechEnd(this.ms(seg.start + seg.samples.length));
      if (vad.isDetected()) {
        this.inSpeech = true;
        this.listener.speechStart(this.ms(this.fed));
      }
    }
  }

  private ms(samples16k: number): number {
    return Math.round((samples16k * 1000) / VAD_RATE);
  }
}
