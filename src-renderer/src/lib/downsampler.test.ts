import { describe, expect, it } from 'vitest';
import { Int16Framer, StreamingDownsampler, floatToInt16, levelDb } from './downsampler.js';

function sine(rate: number, hz: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));
}

describe('StreamingDownsampler', () => {
  it.each([48000, 44100, 32000, 22050])('%i Hz → 16 kHz keeps the duration exactly, in 128-sample quanta', (rate) => {
    const d = new StreamingDownsampler(rate, 16000);
    const input = sine(rate, 440, 3);
    let out = 0;
    for (let i = 0; i < input.length; i += 128) out += d.process(input.subarray(i, i + 128)).length;
    expect(out).toBe(48000);
  });

  it('keeps a speech-band tone (same frequency, amplitude ~kept) and is continuous across blocks', () => {
    const d = new StreamingDownsampler(48000, 16000);
    const input = sine(48000, 500, 1);
    const chunks: Float32Array[] = [];
    for (let i = 0; i < input.length; i += 128) chunks.push(d.process(input.subarray(i, i + 128)));
    const out = Float32Array.from(chunks.flatMap((c) => [...c]));
    let crossings = 0;
    for (let i = 1; i < out.length; i++) if (out[i - 1] < 0 !== out[i] < 0) crossings++;
    expect(crossings).toBeGreaterThanOrEqual(998);
    expect(crossings).toBeLessThanOrEqual(1002);
    const peak = Math.max(...out.map(Math.abs));
    expect(peak).toBeGreaterThan(0.45);
    // No jump larger than the tone's own slope at 16 kHz (a block seam would show one).
    let maxStep = 0;
    for (let i = 1; i < out.length; i++) maxStep = Math.max(maxStep, Math.abs(out[i] - out[i - 1]));
    expect(maxStep).toBeLessThan(0.11);
  });

  it('upsamples a low rate by holding samples, and rejects nonsense rates', () => {
    expect(new StreamingDownsampler(8000, 16000).process(new Float32Array(800)).length).toBe(1600);
    expect(() => new StreamingDownsampler(NaN, 16000)).toThrow(/input rate/);
    expect(() => new StreamingDownsampler(48000, 0)).toThrow(/output rate/);
  });
});

describe('framing and levels', () => {
  it('floatToInt16 clips and scales', () => {
    expect([...floatToInt16(Float32Array.from([0, 1, -1, 2, -2, 0.5]))]).toEqual([0, 32767, -32768, 32767, -32768, 16384]);
  });

  it('Int16Framer emits fixed frames and drains the rest', () => {
    const f = new Int16Framer(1600);
    expect(f.push(new Int16Array(1000))).toHaveLength(0);
    const frames = f.push(Int16Array.from({ length: 2500 }, (_, i) => i));
    expect(frames.map((x) => x.length)).toEqual([1600, 1600]);
    expect(frames[1][0]).toBe(600);
    expect(f.drain()?.length).toBe(300);
    expect(f.drain()).toBeNull();
  });

  it('levelDb: full-scale square is 0 dB, silence is -100', () => {
    expect(levelDb(Float32Array.from([1, -1, 1, -1]))).toBeCloseTo(0, 5);
    expect(levelDb(new Float32Array(10))).toBe(-100);
  });
});
