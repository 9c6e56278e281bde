// Pure pieces of "audio in": container truncation checks and whole-file decoding (core/audio), how a JSON
// `audio` field is read (base64 vs hex vs float arrays), and which language a text's script asks for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AudioFormatError,
  decodeAudioFile,
  encodeWav,
  float32ToF32le,
  float32ToS16le,
  wavHeader,
} from '../../src-main/core/audio/index.js';
import { truncationProblem } from '../../src-main/core/audio/container-length.js';
import { decodeJsonAudio } from '../../src-main/core/api/ws/json-audio.js';
import { languageFromScript } from '../../src-main/core/engine/text/script-language.js';
import { SessionError } from '../../src-main/core/sessions/index.js';

/** A 32-bit float WAV (encodeWav writes 16-bit). */
function encodeWavF32(samples: Float32Array, rate: number): Buffer {
  return Buffer.concat([wavHeader({ sampleRate: rate, format: 'f32', dataBytes: samples.length * 4 }), float32ToF32le(samples)]);
}
const tone = (n: number, rate: number) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate));

test('a whole WAV decodes; a cut one, an empty one and bytes of no format are specific AudioFormatErrors', async () => {
  const wav = encodeWav(tone(8000, 16000), 16000);
  const d = await decodeAudioFile(wav);
  assert.equal(d.format, 'wav');
  assert.equal(d.sampleRate, 16000);
  assert.equal(d.channelData[0]!.length, 8000);
  assert.equal(truncationProblem('wav', wav), null);
  const cut = wav.subarray(0, 9000);
  assert.match(truncationProblem('wav', cut) ?? '', /declares 16000 bytes but only 8956 are present/);
  await assert.rejects(
    decodeAudioFile(cut),
    (e: unknown) => e instanceof AudioFormatError && /invalid WAV file: the file is truncated/.test(e.message),
  );
  await assert.rejects(decodeAudioFile(new Uint8Array(0)), (e: unknown) => e instanceof AudioFormatError && /empty/.test(e.message));
  await assert.rejects(
    decodeAudioFile(Buffer.from('plain text, no audio here')),
    (e: unknown) => e instanceof AudioFormatError && /unrecognised audio format/.test(e.message),
  );
  // A view into a larger buffer (as gRPC and multipart hand them over) is read at its own offset.
  const pooled = Buffer.concat([Buffer.from('xxxxxxxx'), wav]).subarray(8);
  assert.equal((await decodeAudioFile(pooled)).format, 'wav');
  // …also at an offset that is no multiple of 4 (decoders view 32-bit samples as Int32Array/Float32Array).
  const f32 = Buffer.concat([Buffer.from('abc'), encodeWavF32(tone(800, 16000), 16000)]).subarray(3);
  const d32 = await decodeAudioFile(f32);
  assert.equal(d32.channelData[0]!.length, 800);
  assert.ok(Math.abs(d32.channelData[0]![100]! - tone(800, 16000)[100]!) < 1e-6);
});

test('JSON audio: float arrays, hex with digits, base64 (also of silence, which looks like hex)', () => {
  const pcm = float32ToS16le(tone(160, 16000));
  const hex = decodeJsonAudio(pcm.toString('hex'));
  assert.ok(hex.kind === 'bytes' && hex.from === 'hex' && hex.data.equals(pcm));
  const b64 = decodeJsonAudio(pcm.toString('base64'));
  assert.ok(b64.kind === 'bytes' && b64.from === 'base64' && b64.data.equals(pcm));
  const silence = Buffer.alloc(64);
  const s = decodeJsonAudio(silence.toString('base64')); // "AAAA…": hex characters, but no digit
  assert.ok(s.kind === 'bytes' && s.from === 'base64' && s.data.equals(silence));
  const floats = decodeJsonAudio([0, 0.5, -0.25, 1.2]);
  assert.ok(floats.kind === 'samples');
  assert.deepEqual(Array.from(floats.samples), [0, 0.5, -0.25, 1]);
  const bad = (v: unknown, code: string, re: RegExp) =>
    assert.throws(
      () => decodeJsonAudio(v),
      (e: unknown) => e instanceof SessionError && e.code === code && re.test(e.message),
    );
  bad([0, 1200, -3000], 'bad_audio', /float samples lie in \[-1, 1\]/);
  bad([0, 'x'], 'bad_audio', /finite float samples/);
  bad('not base64!', 'bad_json', /neither hex nor base64/);
  bad(42, 'bad_json', /base64 or hex string/);
});

test('the language of a text by its script', () => {
  assert.equal(languageFromScript('مرحباً'), 'ar');
  assert.equal(languageFromScript('کتاب خوب است'), 'fa');
  assert.equal(languageFromScript('Привет, как дела?'), 'ru');
  assert.equal(languageFromScript('こんにちは世界'), 'ja');
  assert.equal(languageFromScript('你好世界'), 'cmn');
  assert.equal(languageFromScript('Hello there, the word λόγος is Greek.'), undefined);
  assert.equal(languageFromScript('12345 !!'), undefined);
});
