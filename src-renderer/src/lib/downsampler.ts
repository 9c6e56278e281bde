// Streaming downsampler + framer used by the microphone AudioWorklet: float samples at the AudioContext's rate
// (44.1/48 kHz…) in, 16-bit PCM frames at 16 kHz out. Pure (no Web Audio) so it is unit-tested in Node.
//
// Each output sample is the mean of the input samples that fall in its period (a box filter): enough of an
// anti-alias low-pass for speech recognition, exact for integer ratios (48k → 16k averages 3 samples), and it
// carries its state across the worklet's 128-sample render quanta, so frame boundaries add no clicks.

export class StreamingDownsampler {
  private readonly inRate: number;
  private readonly outRate: number;
  /** Input index within the current period of `inRate` samples (kept small so integer maths stays exact). */
  private inIdx = 0;
  /** Output index within that period. */
  private outIdx = 0;
  private sum = 0;
  private count = 0;
  private last = 0;

  constructor(inRate: number, outRate: number) {
    if (!Number.isFinite(inRate) || inRate < 3000 || inRate > 384000) throw new Error(`unsupported input rate ${inRate}`);
    if (!Number.isFinite(outRate) || outRate < 3000 || outRate > inRate * 8) throw new Error(`unsupported output rate ${outRate}`);
    this.inRate = Math.round(inRate);
    this.outRate = Math.round(outRate);
  }

  /** Feed input samples; returns the output samples they complete (maybe none). */
  process(input: Float32Array): Float32Array {
    const out: number[] = [];
    if (this.outRate >= this.inRate) {
      // Upsampling (rare: a context below 16 kHz): zero-order hold keeps the stream's timing right.
      for (let i = 0; i < input.length; i++) {
        this.inIdx++;
        const target = Math.floor((this.inIdx * this.outRate) / this.inRate);
        while (this.outIdx < target) {
          out.push(input[i]);
          this.outIdx++;
        }
        this.wrap();
      }
      return Float32Array.from(out);
    }
    for (let i = 0; i < input.length; i++) {
      this.sum += input[i];
      this.count++;
      this.inIdx++;
      // Output sample `outIdx` covers input [outIdx*in/out, (outIdx+1)*in/out).
      if (this.inIdx * this.outRate >= (this.outIdx + 1) * this.inRate) {
        this.last = this.sum / this.count;
        out.push(this.last);
        this.sum = 0;
        this.count = 0;
        this.outIdx++;
      }
      this.wrap();
    }
    return Float32Array.from(out);
  }

  private wrap(): void {
    if (this.inIdx === this.inRate) {
      this.inIdx = 0;
      this.outIdx = 0;
    }
  }
}

/** Float [-1, 1] → s16, clipped. */
export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    out[i] = s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff);
  }
  return out;
}

/** Collects samples into fixed-size Int16 frames (e.g. 1600 = 100 ms at 16 kHz). */
export class Int16Framer {
  private buf: Int16Array;
  private fill = 0;

  constructor(readonly frameSamples: number) {
    if (!Number.isInteger(frameSamples) || frameSamples <= 0) throw new Error(`bad frame size ${frameSamples}`);
    this.buf = new Int16Array(frameSamples);
  }

  /** Returns the frames completed by these samples. */
  push(samples: Int16Array): Int16Array[] {
    const frames: Int16Array[] = [];
    let i = 0;
    while (i < samples.length) {
      const n = Math.min(this.frameSamples - this.fill, samples.length - i);
      this.buf.set(samples.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === this.frameSamples) {
        frames.push(this.buf);
        this.buf = new Int16Array(this.frameSamples);
        this.fill = 0;
      }
    }
    return frames;
  }

  /** The partial frame, if any (at stop). */
  drain(): Int16Array | null {
    if (this.fill === 0) return null;
    const rest = this.buf.slice(0, this.fill);
    this.fill = 0;
    return rest;
  }
}

/** RMS level of a block in dBFS (−100 for silence): drives the level meter. */
export function levelDb(samples: Float32Array): number {
  if (samples.length === 0) return -100;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / samples.length);
  return rms > 1e-5 ? Math.max(-100, 20 * Math.log10(rms)) : -100;
}
