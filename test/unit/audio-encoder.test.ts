// The streaming encoder (bundled ffmpeg): every compressed format round-trips to the same duration and recognisable
// content, the rate each container needs is reported, and a broken input fails loudly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  AudioEncoder,
  bundledFfmpeg,
  encodedRate,
  encodePcm,
  COMPRESSED_FORMATS,
  float32ToS16le,
} from '../../src-main/core/audio/index.js';

function tone(seconds: number, rate: number): Buffer {
  const x = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate);
  return Buffer.from(float32ToS16le(x));
}

function decode(encoded: Buffer, rate: number): Buffer {
  const ffmpeg = bundledFfmpeg();
  assert.ok('path' in ffmpeg);
  const r = spawnSync(
    ffmpeg.path,
    ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', String(rate), 'pipe:1'],
    { input: encoded },
  );
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
}

test('each format encodes 2 s of a 440 Hz tone that decodes back to ~2 s of the tone', async () => {
  for (const format of COMPRESSED_FORMATS) {
    const out = await encodePcm(tone(2, 22050), { format, inputRate: 22050 });
    const pcm = decode(out, 22050);
    const seconds = pcm.length / 2 / 22050;
    assert.ok(Math.abs(seconds - 2) < 0.1, `${format}: ${seconds} s`);
    // Zero crossings per second of the middle of the decoded audio ≈ 2 × 440.
    let crossings = 0;
    for (let i = 22050 / 2 + 1; i < 22050 * 1.5; i++) if (pcm.readInt16LE((i - 1) * 2) < 0 !== pcm.readInt16LE(i * 2) < 0) crossings++;
    assert.ok(Math.abs(crossings - 880) < 20, `${format}: ${crossings} zero crossings in 1 s`);
  }
});

test('rates: Opus codes 8/12/16/24/48 kHz, MP3 and AAC the MPEG set, FLAC any', () => {
  assert.equal(encodedRate({ format: 'opus', inputRate: 22050 }), 24000);
  assert.equal(encodedRate({ format: 'opus', inputRate: 44100 }), 48000);
  assert.equal(encodedRate({ format: 'mp3', inputRate: 22050 }), 22050);
  assert.equal(encodedRate({ format: 'mp3', inputRate: 23000 }), 24000);
  assert.equal(encodedRate({ format: 'flac', inputRate: 23000 }), 23000);
});

test('streamed: encoded bytes arrive before the input ends', async () => {
  const enc = new AudioEncoder({ format: 'mp3', inputRate: 16000 });
  const it = enc.output()[Symbol.asyncIterator]();
  for (let i = 0; i < 20; i++) await enc.write(tone(0.25, 16000));
  const first = await it.next();
  assert.ok(!first.done && first.value.length > 0, 'bytes out while the stream is still open');
  enc.end();
  while (!(await it.next()).done);
});
