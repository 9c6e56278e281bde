import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AudioFormatError,
  decodeWav,
  encodeWav,
  f32leToFloat32,
  float32ToS16le,
  parseWavHeader,
  Rechunker,
  resample,
  s16leToFloat32,
  StreamingResampler,
  wavHeader,
} from '../../src-main/core/audio/index.js';

const sine = (hz: number, rate: number, seconds: number) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));

test('s16le round trip and odd byte count', () => {
  const x = Float32Array.from([0, 0.5, -0.5, 0.999, -1]);
  const back = s16leToFloat32(float32ToS16le(x));
  x.forEach((v, i) => assert.ok(Math.abs(v - back[i]!) < 1e-4));
  assert.throws(() => s16leToFloat32(new Uint8Array(3)), /even number of bytes, got 3/);
});

test('f32le rejects NaN and Inf, and ragged lengths', () => {
  const b = Buffer.alloc(8);
  b.writeFloatLE(0.25, 0);
  b.writeFloatLE(NaN, 4);
  assert.throws(
    () => f32leToFloat32(b),
    (e: unknown) => e instanceof AudioFormatError && /sample 1 is NaN/.test(e.message),
  );
  b.writeFloatLE(Infinity, 4);
  assert.throws(() => f32leToFloat32(b), /Infinity/);
  assert.throws(() => f32leToFloat32(new Uint8Array(6)), /multiple of 4/);
});

test('WAV encode/decode round trip and header validation', () => {
  const x = sine(440, 16000, 0.1);
  const wav = encodeWav(x, 16000);
  const d = decodeWav(wav);
  assert.equal(d.sampleRate, 16000);
  assert.equal(d.channels, 1);
  assert.equal(d.channelData[0]!.length, x.length);
  assert.throws(() => parseWavHeader(Buffer.from('hello world, not a wav')), /starts with "hell"/);
  assert.throws(() => parseWavHeader(new Uint8Array(4)), /shorter than a RIFF header/);
  const h = wavHeader({ sampleRate: 8000 });
  h.writeUInt16LE(8, 34);
  assert.throws(() => parseWavHeader(h), /must be 16-bit, got 8-bit/);
  // A streamed header (unknown length) reads whatever data follows.
  const streamed = Buffer.concat([wavHeader({ sampleRate: 22050 }), float32ToS16le(x)]);
  assert.equal(decodeWav(streamed).channelData[0]!.length, x.length);
});

test('resampler: streaming equals whole-buffer, and keeps a tone at its frequency', () => {
  const x = sine(440, 48000, 0.5);
  const whole = resample(x, 48000, 16000);
  assert.ok(Math.abs(whole.length - 8000) <= 1, `length ${whole.length}`);
  const r = new StreamingResampler(48000, 16000);
  const parts: number[] = [];
  for (let i = 0; i < x.length; i += 4801) parts.push(...r.process(x.subarray(i, i + 4801)));
  parts.push(...r.flush());
  assert.equal(parts.length, whole.length);
  for (let i = 0; i < whole.length; i++) assert.ok(Math.abs(parts[i]! - whole[i]!) < 1e-5);
  // Compare against an ideal 440 Hz sine at 16 kHz away from the edges.
  const ideal = sine(440, 16000, 0.5);
  let err = 0;
  for (let i = 200; i < 7800; i++) err = Math.max(err, Math.abs(whole[i]! - ideal[i]!));
  assert.ok(err < 0.01, `max error ${err}`);
  // Upsampling too.
  const up = resample(sine(300, 8000, 0.25), 8000, 16000);
  const idealUp = sine(300, 16000, 0.25);
  let errUp = 0;
  for (let i = 200; i < 3800; i++) errUp = Math.max(errUp, Math.abs(up[i]! - idealUp[i]!));
  assert.ok(errUp < 0.01, `max error ${errUp}`);
});

test('resampler removes content above the new Nyquist', () => {
  const y = resample(sine(12000, 48000, 0.5), 48000, 16000); // 12 kHz cannot exist at 16 kHz
  let peak = 0;
  for (let i = 200; i < y.length - 200; i++) peak = Math.max(peak, Math.abs(y[i]!));
  assert.ok(peak < 0.05, `aliased peak ${peak}`);
});

test('rechunker cuts any block sizes into fixed frames', () => {
  const r = new Rechunker(4);
  assert.deepEqual(r.push(Float32Array.from([1, 2, 3])).length, 0);
  const frames = r.push(Float32Array.from([4, 5, 6, 7, 8, 9]));
  assert.deepEqual(
    frames.map((f) => Array.from(f)),
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ],
  );
  assert.deepEqual(Array.from(r.drain()!), [9, 0, 0, 0]);
  assert.equal(r.drain(), null);
});
