// The streaming zipformer transducer conformance fixture (models/fixtures/generate.py): sherpa-onnx loads it
// through the transducer branch of the production config (asr-config.ts) and it decodes the tone-alphabet
// test WAVs to exactly the CTC fixture's text, with greedy search and with modified beam search; hotwords
// decide a near tie, which only a transducer can show. The generator is deterministic (catalog sha256s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OnlineRecognizerConfig } from 'sherpa-onnx-node';
import { requireModel, catalogModel } from '../../src-main/core/engine/index.js';
import { onlineRecognizerConfig } from '../../src-main/core/engine/backends/sherpa/asr-config.js';
import { loadSherpa } from '../../src-main/core/engine/backends/sherpa/native.js';
import { GENERATED_FIXTURES, GENERATOR, fixturePython } from '../helpers/fixtures.js';
import { TONE_ALPHABET } from '../helpers/shared.js';
import { rng } from '../helpers/random.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

const sherpa = loadSherpa();
const WAVS = ['hello-world.wav', 'pangram.wav'];

function recognizer(id: string, extra: Partial<OnlineRecognizerConfig> = {}) {
  const config = onlineRecognizerConfig(requireModel(id), 1);
  return new sherpa.OnlineRecognizer({ ...config, ...extra, modelConfig: { ...config.modelConfig, ...extra.modelConfig } });
}

/** Whole-utterance decode: the samples, 0.5 s of padding (sherpa decodes full windows only), end of input. */
function decode(rec: InstanceType<typeof sherpa.OnlineRecognizer>, samples: Float32Array, sampleRate = 16000) {
  const s = rec.createStream();
  s.acceptWaveform({ samples, sampleRate });
  s.acceptWaveform({ samples: new Float32Array(8000), sampleRate: 16000 });
  s.inputFinished();
  while (rec.isReady(s)) rec.decode(s);
  return rec.getResult(s);
}

const wav = (name: string) => sherpa.readWave(join(TONE_ALPHABET, 'test-wavs', name));

test('the generator is deterministic: a fresh build matches the catalog byte for byte', () => {
  const out = mkdtempSync(join(tmpdir(), 'earshot-fixtures-'));
  try {
    const r = spawnSync(fixturePython(), [GENERATOR, out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    for (const id of GENERATED_FIXTURES) {
      const m = catalogModel(id);
      assert.equal(m.fixture, true);
      const dir = join(out, m.dir.replace(/^fixtures\//, ''));
      for (const f of m.files) {
        const bytes = readFileSync(join(dir, f.path));
        assert.equal(bytes.length, f.size, `${id}/${f.path} size`);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, `${id}/${f.path} sha256`);
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('catalog: tone-transducer is a transducer fixture with encoder, decoder, joiner and tokens', () => {
  const m = requireModel('tone-transducer');
  assert.equal(m.type, 'transducer');
  assert.equal(m.fixture, true);
  const config = onlineRecognizerConfig(m, 1);
  assert.ok(config.modelConfig.transducer, 'asr-config takes the transducer branch');
  assert.equal(config.modelConfig.nemoCtc, undefined);
});

test('greedy search: both test WAVs decode to exactly the CTC fixture text, with the same timestamps', () => {
  const ctc = recognizer('tone-alphabet');
  const td = recognizer('tone-transducer');
  for (const name of WAVS) {
    const a = decode(ctc, wav(name).samples);
    const b = decode(td, wav(name).samples);
    assert.ok(a.text.length > 10, `CTC fixture text for ${name}: "${a.text}"`);
    assert.equal(b.text, a.text, name);
    assert.deepEqual(b.timestamps, a.timestamps, `${name}: token times`);
  }
  assert.equal(decode(td, wav('hello-world.wav').samples).text, 'hello world');
});

test('modified beam search gives the same exact text as greedy, on the WAVs and 12 random phrases', () => {
  const greedy = recognizer('tone-transducer');
  const beam = recognizer('tone-transducer', { decodingMethod: 'modified_beam_search', maxActivePaths: 4 });
  const next = rng(11);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const phrases = Array.from({ length: 12 }, () =>
    Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
      Array.from({ length: 2 + Math.floor(next() * 6) }, () => letters[Math.floor(next() * 26)]).join(''),
    ).join(' '),
  );
  for (const name of WAVS) assert.equal(decode(beam, wav(name).samples).text, decode(greedy, wav(name).samples).text, name);
  for (const p of phrases) {
    assert.equal(decode(greedy, toneAudio(p)).text, p, `greedy: ${p}`);
    assert.equal(decode(beam, toneAudio(p)).text, p, `beam: ${p}`);
  }
});

test('hotwords decide a near tie: a chord of "a" and "o" reads "cot" unless "cat" is a hotword', () => {
  // "cat" and "cot" spoken together: c and t are shared, the middle is a two-tone chord that both letters
  // claim; the fixture scores "o" a little higher.
  const cat = toneAudio('cat');
  const cot = toneAudio('cot');
  const chord = cat.map((v, i) => (v + cot[i]!) / 2);
  const dir = mkdtempSync(join(tmpdir(), 'earshot-hotwords-'));
  try {
    const hotwords = join(dir, 'hotwords.txt');
    writeFileSync(hotwords, 'c a t\n'); // modeling unit "cjkchar": one token per space-separated unit
    assert.equal(decode(recognizer('tone-transducer'), chord).text, 'cot', 'greedy takes the louder letter');
    assert.equal(
      decode(recognizer('tone-transducer', { decodingMethod: 'modified_beam_search' }), chord).text,
      'cot',
      'beam search alone agrees',
    );
    const biased = recognizer('tone-transducer', {
      decodingMethod: 'modified_beam_search',
      hotwordsFile: hotwords,
      hotwordsScore: 1.5,
      modelConfig: { tokens: requireModel('tone-transducer').paths.tokens!, modelingUnit: 'cjkchar' },
    });
    assert.equal(decode(biased, chord).text, 'cat', 'the hotword wins the tie');
    assert.equal(decode(biased, toneAudio('cot')).text, 'cot', 'a clear "o" is not overridden by the hotword');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
