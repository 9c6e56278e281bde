// AudioWorklet processor: the microphone at the AudioContext's rate → 16 kHz s16 frames of ~100 ms, posted to
// the main thread (transferred, no copy), plus a level reading for the meter. Runs on the audio thread, so it
// does no allocation-heavy work beyond the small output arrays.
import { Int16Framer, StreamingDownsampler, floatToInt16, levelDb } from '../lib/downsampler.js';

// The AudioWorkletGlobalScope is not in TypeScript's DOM lib.
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: unknown);
}

interface Options {
  processorOptions?: { targetRate?: number; frameSamples?: number };
}

class MicDownsampler extends AudioWorkletProcessor {
  private readonly down: StreamingDownsampler;
  private readonly framer: Int16Framer;
  private levelAcc: number[] = [];
  private running = true;

  constructor(options: Options) {
    super(options);
    const target = options.processorOptions?.targetRate ?? 16000;
    this.down = new StreamingDownsampler(sampleRate, target);
    this.framer = new Int16Framer(options.processorOptions?.frameSamples ?? Math.round(target / 10));
    this.port.onmessage = (ev: MessageEvent) => {
      if (ev.data === 'stop') {
        const rest = this.framer.drain();
        if (rest) this.port.postMessage({ type: 'frame', pcm: rest }, [rest.buffer]);
        this.running = false;
      }
    };
  }

  process(inputs: Float32Array[][]): boolean {
    if (!this.running) return false;
    const channels = inputs[0];
    if (!channels || channels.length === 0 || !channels[0]) return true;
    // Mix down to mono.
    let mono = channels[0];
    if (channels.length > 1) {
      mono = new Float32Array(channels[0].length);
      for (const ch of channels) for (let i = 0; i < mono.length; i++) mono[i]! += ch[i]! / channels.length; // channels share one length
    }
    const pcm = floatToInt16(this.down.process(mono));
    for (const frame of this.framer.push(pcm)) {
      const level = levelDb(Float32Array.from(frame, (s) => s / 32768));
      this.port.postMessage({ type: 'frame', pcm: frame, level }, [frame.buffer]);
    }
    return true;
  }
}

registerProcessor('earshot-mic-downsampler', MicDownsampler);
