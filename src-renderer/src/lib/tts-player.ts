// Gapless streamed playback with Web Audio: each PCM chunk becomes an AudioBuffer scheduled to start exactly
// where the previous one ends, so playback starts with the first chunk and has no gaps between chunks.
// An AnalyserNode sits before the output: it drives the output meter and lets tests see that samples reach
// the audio graph.

/** Where the next chunk starts: back to back, or a little ahead of now after an underrun. */
export function nextStartTime(now: number, scheduledEnd: number, leadS = 0.03): number {
  return Math.max(scheduledEnd, now + leadS);
}

/** s16le bytes → Int16 samples, carrying an odd trailing byte to the next chunk. */
export class PcmAssembler {
  private carry: number | null = null;

  push(bytes: Uint8Array): Int16Array {
    let data = bytes;
    if (this.carry !== null) {
      data = new Uint8Array(bytes.length + 1);
      data[0] = this.carry;
      data.set(bytes, 1);
      this.carry = null;
    }
    const even = data.length & ~1;
    if (even < data.length) this.carry = data[data.length - 1] ?? null;
    const out = new Int16Array(even / 2);
    const view = new DataView(data.buffer, data.byteOffset, even);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
    return out;
  }

  reset(): void {
    this.carry = null;
  }
}

export class TtsPlayer {
  private ctx: AudioContext | null = null;
  private analyser: AnalyserNode | null = null;
  private scheduledEnd = 0;
  private sources = new Set<AudioBufferSourceNode>();
  /** Samples handed to the audio graph since the last stop. */
  samplesScheduled = 0;
  onIdle: (() => void) | null = null;

  /** Create (or resume) the context; call from a user gesture so autoplay rules allow sound. */
  async prepare(): Promise<void> {
    if (!this.ctx) {
      this.ctx = new AudioContext();
      this.analyser = this.ctx.createAnalyser();
      this.analyser.fftSize = 1024;
      this.analyser.connect(this.ctx.destination);
    }
    if (this.ctx.state === 'suspended') await this.ctx.resume();
  }

  enqueue(samples: Int16Array, sampleRate: number): void {
    if (!this.ctx || !this.analyser || samples.length === 0) return;
    const buf = this.ctx.createBuffer(1, samples.length, sampleRate);
    const ch = buf.getChannelData(0);
    samples.forEach((s, i) => (ch[i] = s / 32768));
    const src = this.ctx.createBufferSource();
    src.buffer = buf;
    src.connect(this.analyser);
    const at = nextStartTime(this.ctx.currentTime, this.scheduledEnd);
    src.start(at);
    this.scheduledEnd = at + buf.duration;
    this.samplesScheduled += samples.length;
    this.sources.add(src);
    src.onended = () => {
      this.sources.delete(src);
      if (this.sources.size === 0) this.onIdle?.();
    };
  }

  /** Peak absolute amplitude now at the output (0..1). */
  outputPeak(): number {
    if (!this.analyser) return 0;
    const data = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(data);
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v));
    return peak;
  }

  get playing(): boolean {
    return this.sources.size > 0;
  }

  stop(): void {
    for (const s of this.sources) {
      try {
        s.stop();
      } catch {
        /* not started */
      }
    }
    this.sources.clear();
    this.scheduledEnd = 0;
    this.samplesScheduled = 0;
  }

  async close(): Promise<void> {
    this.stop();
    await this.ctx?.close().catch(() => undefined);
    this.ctx = null;
    this.analyser = null;
  }
}
