// Re-cuts an arbitrary sequence of sample blocks into fixed-size frames (clients send any length;
// engines and VADs want fixed windows).
export class Rechunker {
  private pending: Float32Array = new Float32Array(0);

  constructor(readonly frameSize: number) {
    if (!Number.isInteger(frameSize) || frameSize <= 0) throw new RangeError(`frame size must be a positive integer, got ${frameSize}`);
  }

  /** Samples held back, waiting for a full frame. */
  get buffered(): number {
    return this.pending.length;
  }

  push(samples: Float32Array): Float32Array[] {
    let data = samples;
    if (this.pending.length) {
      data = new Float32Array(this.pending.length + samples.length);
      data.set(this.pending);
      data.set(samples, this.pending.length);
    }
    const frames: Float32Array[] = [];
    let o = 0;
    for (; o + this.frameSize <= data.length; o += this.frameSize) frames.push(data.slice(o, o + this.frameSize));
    this.pending = data.slice(o);
    return frames;
  }

  /** The partial frame left over, zero-padded to full size, or null if nothing is buffered. */
  drain(pad = true): Float32Array | null {
    if (!this.pending.length) return null;
    const out = pad ? new Float32Array(this.frameSize) : new Float32Array(this.pending.length);
    out.set(this.pending);
    this.pending = new Float32Array(0);
    return out;
  }
}
