// Silero VADs of this thread kept for the next stream. Making one builds an ONNX Runtime session on
// silero_vad.onnx: 40–110 ms of the thread that also decodes every live stream, and ~11 MB (16 in a row took
// 1.8 s on the 2-core machine under load), while reset() takes microseconds. So a stream that ends gives its VAD
// back, reset, and the next stream with the same configuration takes it instead of making one. At most
// MAX_IDLE_VADS wait per configuration; they go with the worker, which is replaced when idle (worker-recycler.ts).
import type { Vad, VadConfig } from 'sherpa-onnx-node';

/** Idle VADs kept per configuration: the streams one live worker serves at once on a fast machine. */
export const MAX_IDLE_VADS = 16;

export interface VadPoolStats {
  /** VADs made since the pool was created. */
  made: number;
  /** VADs taken from the pool instead of made. */
  reused: number;
  /** VADs waiting in the pool now. */
  idle: number;
}

export class VadPool {
  private readonly idle = new Map<string, Vad[]>();
  private made = 0;
  private reused = 0;

  constructor(
    private readonly make: (config: VadConfig) => Vad,
    private readonly maxIdle = MAX_IDLE_VADS,
  ) {}

  /** A VAD for `config` in its initial state: one given back earlier, or a new one. */
  take(config: VadConfig): Vad {
    const vad = this.takeIdle(config);
    if (vad) return vad;
    this.made++;
    return this.make(config);
  }

  /** One given back earlier for `config`, or null (nothing is made). */
  takeIdle(config: VadConfig): Vad | null {
    const vad = this.idle.get(keyOf(config))?.pop() ?? null;
    if (vad) this.reused++;
    return vad;
  }

  /** `vad` (made for `config`) is no longer used: reset, it waits for the next stream, or is left to the GC. */
  give(config: VadConfig, vad: Vad): void {
    const key = keyOf(config);
    const list = this.idle.get(key) ?? [];
    if (list.length >= this.maxIdle || list.includes(vad)) return;
    vad.reset();
    list.push(vad);
    this.idle.set(key, list);
  }

  get stats(): VadPoolStats {
    let idle = 0;
    for (const list of this.idle.values()) idle += list.length;
    return { made: this.made, reused: this.reused, idle };
  }
}

function keyOf(config: VadConfig): string {
  return JSON.stringify(config);
}
