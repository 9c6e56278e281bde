// Frame-energy voice activity detection for endpointing the pocketsphinx decoder. pocketsphinx's own VAD
// (ps_get_in_speech) never turns off when every frame is decoded (-remove_silence no, which exact word times
// need), so the worker decides speech/silence itself: a 10 ms frame is voiced when its energy is well above a
// tracked noise floor and above an absolute minimum level.

export interface EnergyVadOptions {
  /** Samples per frame (10 ms at 16 kHz = 160). */
  frameSamples?: number;
  /** Voiced frames need this many dB above the noise floor. */
  marginDb?: number;
  /** ...and at least this level (dBFS), so a digital-silence floor does not make room noise "speech". */
  minLevelDb?: number;
  /** Consecutive voiced frames that confirm speech (a click is not speech). */
  onsetFrames?: number;
}

export class EnergyVad {
  /** Samples consumed so far. */
  pos = 0;
  /** Sample index just after the last voiced frame of confirmed speech; -1 before any. */
  lastVoicedEnd = -1;
  /** Estimated background level, dBFS. */
  floorDb = -60;
  private readonly frame: number;
  private readonly margin: number;
  private readonly minLevel: number;
  private readonly onset: number;
  private run = 0;
  private pending: Float32Array = new Float32Array(0);

  constructor(opts: EnergyVadOptions = {}) {
    this.frame = opts.frameSamples ?? 160;
    this.margin = opts.marginDb ?? 10;
    this.minLevel = opts.minLevelDb ?? -55;
    this.onset = opts.onsetFrames ?? 5;
  }

  /** Feed samples. Returns the sample index where speech (re)started within them, or -1. */
  push(samples: Float32Array): number {
    let data = samples;
    if (this.pending.length) {
      data = new Float32Array(this.pending.length + samples.length);
      data.set(this.pending);
      data.set(samples, this.pending.length);
    }
    let onsetAt = -1;
    let o = 0;
    for (; o + this.frame <= data.length; o += this.frame) {
      let sum = 0;
      for (let i = o; i < o + this.frame; i++) sum += data[i]! * data[i]!;
      const db = 10 * Math.log10(sum / this.frame + 1e-10);
      const voiced = db > Math.max(this.floorDb + this.margin, this.minLevel);
      // The floor follows background quickly, and speech very slowly (a long talk must not raise it much).
      if (db < this.floorDb) this.floorDb = Math.max(db, -90);
      else this.floorDb += (db - this.floorDb) * (voiced ? 0.0005 : 0.05);
      const frameEnd = this.pos + this.frame;
      this.pos = frameEnd;
      if (!voiced) {
        this.run = 0;
        continue;
      }
      this.run++;
      if (this.run === this.onset && !this.inSpeechAt(frameEnd - this.frame * this.onset)) onsetAt = frameEnd - this.frame * this.onset;
      if (this.run >= this.onset) this.lastVoicedEnd = frameEnd;
    }
    this.pending = data.slice(o);
    return onsetAt;
  }

  /** Silence (samples) since the last voiced frame of speech, as of sample `at`; Infinity before any speech. */
  silenceAt(at: number): number {
    return this.lastVoicedEnd < 0 ? Infinity : Math.max(0, at - this.lastVoicedEnd);
  }

  private inSpeechAt(at: number): boolean {
    return this.lastVoicedEnd >= 0 && at - this.lastVoicedEnd < this.frame * 30;
  }
}
