import { describe, expect, it } from 'vitest';
import { Int16Framer, StreamingDownsampler, floatToInt16, levelDb } from './downsampler.js';

function sine(rate: number, hz: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));
}

function tones(rate: number, seconds: number): Float32Array {
  // Speech-band content: 200 Hz … 6.5 kHz.
  const f = [200, 950, 2300, 4100, 6500];
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) =>
    f.reduce((a, hz) => a + 0.15 * Math.sin((2 * Math.PI * hz * i) / rate), 0),
  );
}

function feed(d: StreamingDownsampler, input: Float32Array, quantum = 128): Float32Array {
  const parts: number[] = [];
  for (let i = 0; i < input.length; i += quantum) parts.push(...d.process(input.subarray(i, i + quantum)));
  return Float32Array.from(parts);
}

describe('StreamingDownsampler', () => {
  it.each([48000, 44100, 32000, 22050, 8000])(
    '%i Hz → 16 kHz: one output per 1/16000 s, minus a look-ahead under 4 ms, no drift',
    (rate) => {
      const out = feed(new StreamingDownsampler(rate, 16000), sine(rate, 440, 30));
      expect(out.length).toBeLessThanOrEqual(16000 * 30);
      expect(out.length).toBeGreaterThanOrEqual(16000 * 30 - 64);
    },
  );

  it('48 kHz and 44.1 kHz → 16 kHz match the same signal generated at 16 kHz (SNR > 40 dB), in 128-sample quanta', () => {
    const want = tones(16000, 1);
    for (const rate of [48000, 44100]) {
      const got = feed(new StreamingDownsampler(rate, 16000), tones(rate, 1));
      let sig = 0;
      let err = 0;
      // Skip the edges, where the filter sees the implicit silence before and after.
      for (let i = 200; i < got.length - 200; i++) {
        sig += want[i]! ** 2; // i < got.length - 200 <= want.length
        err += (got[i]! - want[i]!) ** 2;
      }
      expect(10 * Math.log10(sig / err)).toBeGreaterThan(40);
    }
  });

  it('removes what would alias: a 10 kHz tone at 48 kHz is gone at 16 kHz', () => {
    const got = feed(new StreamingDownsampler(48000, 16000), sine(48000, 10000, 1));
    const rms = Math.sqrt(got.slice(200, -200).reduce((a, v) => a + v * v, 0) / (got.length - 400));
    expect(rms).toBeLessThan(0.005); // input RMS is 0.35
  });

  it('gives the same output whatever the block sizes', () => {
    const input = tones(44100, 0.5);
    const a = feed(new StreamingDownsampler(44100, 16000), input, 128);
    const b = feed(new StreamingDownsampler(44100, 16000), input, 1000);
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6); // same length, checked above
  });

  it('rejects nonsense rates', () => {
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
    expect(frames[1]?.[0]).toBe(600);
    expect(f.drain()?.length).toBe(300);
    expect(f.drain()).toBeNull();
  });

  it('levelDb: full-scale square is 0 dB, silence is -100', () => {
    expect(levelDb(Float32Array.from([1, -1, 1, -1]))).toBeCloseTo(0, 5);
    expect(levelDb(new Float32Array(10))).toBe(-100);
  });
});
