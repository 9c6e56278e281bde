// Streaming resampler + framer used by the microphone AudioWorklet: float samples at the AudioContext's rate
// (44.1/48 kHz…) in, 16-bit PCM frames at 16 kHz out. Pure (no Web Audio) so it is unit-tested in Node.
//
// Band-limited interpolation: each output sample is a Blackman-windowed sinc low-pass (cut just below the
// output's Nyquist) evaluated at its exact rational position in the input. Recognizers are sensitive to
// spectral tilt and aliasing, so a plain average or linear interpolation measurably changes what they hear.
// Positions are kept as integer numerators (no drift), and state carries across the worklet's 128-sample
// render quanta, so block boundaries add nothing.

/** Zero crossings of the sinc on each side of the centre (quality vs cost). */
const ZERO_CROSSINGS = 24;
/** Cut-off as a fraction of the lower Nyquist: leaves room for the window's transition band. */
const CUTOFF = 0.95;
/** Precompute kernels when the number of distinct fractional phases is at most this. */
const MAX_TABLE_PHASES = 2048;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export class StreamingDownsampler {
  private readonly inRate: number;
  private readonly outRate: number;
  /** Low-pass cut-off in cycles per input sample. */
  private readonly fc: number;
  /** Kernel half-width in input samples. */
  private readonly half: number;
  /** Pending input; hist[0] is input index `histStart` (relative bookkeeping only). */
  private hist = new Float32Array(0);
  /** Position of the next output, in input samples relative to hist[0], times outRate (exact). */
  private posNum: number;
  private readonly table: Map<number, { first: number; taps: Float32Array }> | null;

  constructor(inRate: number, outRate: number) {
    if (!Number.isFinite(inRate) || inRate < 3000 || inRate > 384000) throw new Error(`unsupported input rate ${inRate}`);
    if (!Number.isFinite(outRate) || outRate < 3000 || outRate > inRate * 8) throw new Error(`unsupported output rate ${outRate}`);
    this.inRate = Math.round(inRate);
    this.outRate = Math.round(outRate);
    this.fc = 0.5 * Math.min(1, this.outRate / this.inRate) * CUTOFF;
    this.half = Math.ceil(ZERO_CROSSINGS / (2 * this.fc));
    // Start "half" samples of silence in, so the first output is centred on the first input sample.
    this.hist = new Float32Array(this.half);
    this.posNum = this.half * this.outRate;
    const phases = this.outRate / gcd(this.inRate, this.outRate);
    this.table = phases <= MAX_TABLE_PHASES ? new Map() : null;
  }

  /** Feed input samples; returns the output samples they complete (maybe none). */
  process(input: Float32Array): Float32Array {
    const hist = new Float32Array(this.hist.length + input.length);
    hist.set(this.hist);
    hist.set(input, this.hist.length);
    const out: number[] = [];
    for (;;) {
      const centre = Math.floor(this.posNum / this.outRate);
      if (centre + this.half >= hist.length) break;
      const k = this.kernel(this.posNum % this.outRate);
      let acc = 0;
      const first = centre + k.first;
      for (let j = 0; j < k.taps.length; j++) acc += hist[first + j]! * k.taps[j]!; // centre + half < hist.length bounds first + j
      out.push(acc);
      this.posNum += this.inRate;
    }
    // Keep what the next outputs still need (from half a kernel left of the next centre).
    const keepFrom = Math.max(0, Math.floor(this.posNum / this.outRate) - this.half);
    this.hist = hist.slice(keepFrom);
    this.posNum -= keepFrom * this.outRate;
    return Float32Array.from(out);
  }

  /** Taps for an output whose position is centre + frac/outRate; normalised to unity DC gain. */
  private kernel(fracNum: number): { first: number; taps: Float32Array } {
    const cached = this.table?.get(fracNum);
    if (cached) return cached;
    const frac = fracNum / this.outRate;
    const first = -this.half + 1;
    const taps = new Float32Array(2 * this.half);
    let sum = 0;
    for (let j = 0; j < taps.length; j++) {
      const d = first + j - frac; // distance from the output position, in input samples
      const x = 2 * this.fc * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = d / this.half; // -1..1 across the window
      const blackman = Math.abs(w) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * w) + 0.08 * Math.cos(2 * Math.PI * w);
      const tap = sinc * blackman;
      taps[j] = tap;
      sum += tap;
    }
    const k = { first, taps: taps.map((t) => t / sum) };
    this.table?.set(fracNum, k);
    return k;
  }
}

/** Float [-1, 1] → s16, clipped. */
export function floatToInt16(samples: Float32Array): Int16Array {
  return Int16Array.from(samples, (v) => {
    const s = Math.max(-1, Math.min(1, v));
    return s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff);
  });
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
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / samples.length);
  return rms > 1e-5 ? Math.max(-100, 20 * Math.log10(rms)) : -100;
}
