// Streaming band-limited resampler (windowed sinc). Stateful across chunks, so a stream cut into
// 100 ms pieces resamples to the same samples as the whole buffer at once (to float rounding).

const HALF_WIDTH = 16; // taps each side, at the lower of the two rates

export class StreamingResampler {
  readonly ratio: number; // input samples per output sample
  private readonly cutoff: number; // relative to the input Nyquist
  private readonly width: number; // half-width in input samples
  private buf = new Float32Array(0);
  /** Position of the next output sample, in input samples relative to buf[0]. */
  private t: number;
  private flushed = false;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`bad resampler rates ${fromRate} -> ${toRate}`);
    this.ratio = fromRate / toRate;
    this.cutoff = Math.min(1, toRate / fromRate) * 0.97;
    this.width = Math.ceil(HALF_WIDTH / Math.min(1, toRate / fromRate));
    // Left context of zeros, so output sample 0 sits at input sample 0.
    this.buf = new Float32Array(this.width);
    this.t = this.width;
  }

  get isIdentity(): boolean {
    return this.fromRate === this.toRate;
  }

  /** Feed input samples; returns every output sample that can be computed so far. */
  process(input: Float32Array): Float32Array {
    if (this.flushed) throw new Error('resampler already flushed');
    if (this.isIdentity) return input;
    const merged = new Float32Array(this.buf.length + input.length);
    merged.set(this.buf);
    merged.set(input, this.buf.length);
    this.buf = merged;
    return this.drain();
  }

  /** Emit the tail (pads with zeros on the right). The resampler cannot be used afterwards. */
  flush(): Float32Array {
    if (this.isIdentity || this.flushed) return new Float32Array(0);
    const pad = new Float32Array(this.buf.length + this.width + 1);
    pad.set(this.buf);
    const inputLeft = this.buf.length - this.t; // real input samples not yet passed
    this.buf = pad;
    const out = this.drain(Math.max(0, Math.ceil(inputLeft / this.ratio)));
    this.flushed = true;
    return out;
  }

  private drain(limit = Infinity): Float32Array {
    const out: number[] = [];
    const { width, cutoff, buf } = this;
    while (out.length < limit && Math.floor(this.t) + width < buf.length) {
      const center = Math.floor(this.t);
      const frac = this.t - center;
      let acc = 0;
      let norm = 0;
      for (let k = -width + 1; k <= width; k++) {
        const d = k - frac;
        const x = Math.PI * d;
        const sinc = d === 0 ? 1 : Math.sin(cutoff * x) / (cutoff * x);
        const w = 0.5 * (1 + Math.cos(x / width));
        const h = sinc * w;
        acc += buf[center + k]! * h;
        norm += h;
      }
      out.push(acc / norm);
      this.t += this.ratio;
    }
    // Drop input that no future output sample can reach.
    const keepFrom = Math.max(0, Math.floor(this.t) - width);
    if (keepFrom > 0) {
      this.buf = buf.slice(keepFrom);
      this.t -= keepFrom;
    }
    return Float32Array.from(out);
  }
}

/** Resample a whole buffer in one call. */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples;
  const r = new StreamingResampler(fromRate, toRate);
  const a = r.process(samples);
  const b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
