// The offline (non-streaming) zipformer CTC conformance fixture (models/fixtures/generate.py): sherpa-onnx's
// OfflineRecognizer loads it through the production config (offline-asr-config.ts) and it decodes the
// tone-alphabet test WAVs to exactly the streaming fixture's text and token times, whole or cut anywhere
// between letters. Its bytes are pinned by the catalog (the generator test in fixture-tone-transducer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { requireModel } from '../../src-main/core/engine/index.js';
import { offlineRecognizerConfig } from '../../src-main/core/engine/backends/sherpa/offline-asr-config.js';
import { onlineRecognizerConfig } from '../../src-main/core/engine/backends/sherpa/asr-config.js';
import { loadSherpa } from '../../src-main/core/engine/backends/sherpa/native.js';
import '../helpers/fixtures.js';
import { TONE_ALPHABET } from '../helpers/shared.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

const sherpa = loadSherpa();
const wav = (name: string) => sherpa.readWave(join(TONE_ALPHABET, 'test-wavs', name));
const offline = new sherpa.OfflineRecognizer(offlineRecognizerConfig(requireModel('tone-offline'), 1));

function decodeOffline(samples: Float32Array, sampleRate = 16000) {
  const s = offline.createStream();
  s.acceptWaveform({ samples, sampleRate });
  offline.decode(s);
  return offline.getResult(s);
}

function decodeStreaming(samples: Float32Array) {
  const rec = new sherpa.OnlineRecognizer(onlineRecognizerConfig(requireModel('tone-alphabet'), 1));
  const s = rec.createStream();
  s.acceptWaveform({ samples, sampleRate: 16000 });
  s.acceptWaveform({ samples: new Float32Array(8000), sampleRate: 16000 });
  s.inputFinished();
  while (rec.isReady(s)) rec.decode(s);
  return rec.getResult(s);
}

test('catalog: tone-offline is an offline zipformer CTC fixture, hidden like the others', () => {
  const m = requireModel('tone-offline');
  assert.equal(m.kind, 'asr-offline');
  assert.equal(m.type, 'zipformer_ctc');
  assert.equal(m.fixture, true);
  const config = offlineRecognizerConfig(m, 1);
  assert.ok(config.modelConfig.zipformerCtc, 'the offline config takes the zipformer CTC branch');
  assert.throws(() => offlineRecognizerConfig(requireModel('tone-alphabet'), 1), /not an offline ASR model/);
});

test('both test WAVs decode to exactly the streaming fixture text, with the same token times', () => {
  for (const [name, phrase] of [
    ['hello-world.wav', 'hello world'],
    ['pangram.wav', 'the quick brown fox jumps over the lazy dog'],
  ] as const) {
    const w = wav(name);
    const off = decodeOffline(w.samples, w.sampleRate);
    const on = decodeStreaming(w.samples);
    assert.equal(off.text.trim(), phrase, name);
    assert.equal(on.text.trim(), phrase, `${name} (streaming)`);
    assert.deepEqual(off.timestamps, on.timestamps, `${name}: token times`);
  }
});

test('a prefix of the audio decodes to a prefix of the text (what interims re-decode), at 48 kHz too', () => {
  const samples = toneAudio('abc xyz');
  for (const cutS of [0.7, 1.1, 1.5]) {
    const text = decodeOffline(samples.subarray(0, Math.round(cutS * 16000))).text.trim();
    assert.ok('abc xyz'.startsWith(text) && text.length > 0, `cut at ${cutS} s: "${text}"`);
  }
  const at48 = toneAudio('the lazy dog', { sampleRate: 48000 });
  assert.equal(decodeOffline(at48, 48000).text.trim(), 'the lazy dog');
  assert.equal(decodeOffline(new Float32Array(16000)).text.trim(), '', 'silence decodes to nothing');
});

test('decodeAsync (the worker path) gives the same result as decode', async () => {
  const w = wav('hello-world.wav');
  const s = offline.createStream();
  s.acceptWaveform({ samples: w.samples, sampleRate: w.sampleRate });
  const r = await offline.decodeAsync(s);
  assert.equal(r.text.trim(), 'hello world');
});
