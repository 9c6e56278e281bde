// The recognizer part of the catalog (issue 15): real upstream entries (size, sha256, URL per file) with the
// languages, kind, sherpa family and speed/accuracy classes the engine, the CLI and Settings act on; and the
// sentence that tells a user which model adds a language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCatalog, parseCatalog, type CatalogModel } from '../../src-main/core/engine/models/catalog.js';
import { isOfflineFamily } from '../../src-main/core/engine/backends/sherpa/offline-asr-config.js';
import {
  coversLanguage,
  missingLanguageHint,
  recognizersFor,
  downloadBytes,
  formatSize,
} from '../../src-main/core/engine/models/language-models.js';

const catalog = loadCatalog();
const byId = new Map(catalog.map((m) => [m.id, m]));
const recognizers = catalog.filter((m) => (m.kind === 'asr-streaming' || m.kind === 'asr-offline') && !m.fixture);
// The families the offline and the streaming backends load: an entry of any other type could never be used.
const STREAMING_TYPES = ['transducer', 'nemo_ctc', 'zipformer2_ctc'];

test('every upstream recognizer: languages (ISO 639-1), kind, sherpa type, speed and accuracy classes, and per file a pinned size + sha256 + https URL', () => {
  assert.ok(recognizers.length >= 8, `recognizers: ${recognizers.map((m) => m.id).join(', ')}`);
  for (const m of recognizers) {
    assert.ok(m.languages?.length, `${m.id} lists its languages`);
    for (const l of m.languages!) assert.match(l, /^[a-z]{2}$/, `${m.id}: ${l}`);
    assert.ok(m.kind === 'asr-offline' ? isOfflineFamily(m.type) : STREAMING_TYPES.includes(m.type), `${m.id}: type ${m.type}`);
    assert.ok(m.speed && m.accuracy, `${m.id} has speed and accuracy classes`);
    assert.ok(m.note && m.note.length > 20, `${m.id} explains itself`);
    for (const f of m.files) {
      assert.ok(Number.isInteger(f.size) && f.size! > 0, `${m.id}/${f.path}: size`);
      assert.match(f.sha256 ?? '', /^[0-9a-f]{64}$/, `${m.id}/${f.path}: sha256`);
      assert.match(f.url ?? '', /^https:\/\/huggingface\.co\/[\w.-]+\/[\w.-]+\/resolve\/([0-9a-f]{40}|main)\//, `${m.id}/${f.path}: url`);
      assert.ok(f.url!.endsWith('/' + f.path), `${m.id}/${f.path}: the URL fetches that file`);
    }
  }
});

test('issue 15 coverage: a multilingual int8 Whisper for ar/de/fr/es/pt, a more accurate offline English model, streaming models for other languages', () => {
  for (const lang of ['ar', 'de', 'fr', 'es', 'pt']) {
    const whisper = recognizersFor(catalog, lang).filter((m) => m.type === 'whisper' && m.kind === 'asr-offline');
    assert.ok(whisper.length >= 1, `a Whisper covers ${lang}`);
    for (const m of whisper)
      assert.ok(
        m.files.filter((f) => /encoder|decoder/.test(f.role)).every((f) => f.path.includes('.int8.')),
        m.id,
      );
  }
  const zip = byId.get('zipformer-en-20m')!;
  const rank = ['basic', 'fair', 'good', 'best'];
  const betterEnglish = recognizersFor(catalog, 'en').filter(
    (m) => m.kind === 'asr-offline' && rank.indexOf(m.accuracy!) > rank.indexOf(zip.accuracy!) && m.languages!.length === 1,
  );
  assert.deepEqual(
    betterEnglish.map((m) => m.id),
    ['parakeet-tdt-0.6b-v2-int8'],
  );
  assert.equal(byId.get('parakeet-tdt-0.6b-v2-int8')!.type, 'nemo_transducer');
  for (const lang of ['de', 'fr', 'es']) {
    assert.ok(
      recognizersFor(catalog, lang).some((m) => m.kind === 'asr-streaming'),
      `a streaming model for ${lang}`,
    );
  }
  // Whisper and SenseVoice find the language themselves; the others are told.
  assert.deepEqual(
    recognizers
      .filter((m) => m.detectsLanguage)
      .map((m) => m.type)
      .sort(),
    ['sense_voice', 'whisper', 'whisper', 'whisper'],
  );
});

test('recognizersFor: best accuracy first, live before offline at equal accuracy, then the smaller download; base language of a tag', () => {
  assert.equal(recognizersFor(catalog, 'en')[0]!.id, 'parakeet-tdt-0.6b-v2-int8');
  const ar = recognizersFor(catalog, 'ar-EG').map((m) => m.id);
  assert.deepEqual(ar, ['whisper-small-int8', 'whisper-base-int8', 'whisper-tiny-int8']);
  const de = recognizersFor(catalog, 'de').map((m) => m.id);
  assert.ok(de.indexOf('kroko-de-streaming') < de.indexOf('whisper-base-int8'), 'fair live before fair offline');
  assert.deepEqual(recognizersFor(catalog, 'xx'), []);
  assert.ok(coversLanguage(byId.get('silero-vad')!, 'ar'), 'the VAD covers every language');
  assert.ok(!coversLanguage(byId.get('zipformer-en-20m')!, 'de'));
});

test('missingLanguageHint names the models that add a language, their size and classes, and how to install one', () => {
  const none = () => false;
  const hint = missingLanguageHint(catalog, 'ar', none);
  assert.match(hint, /^no installed speech recognizer understands "ar"/);
  assert.match(hint, /whisper-small-int8 \(offline, 375 MB, slow, good accuracy\)/);
  assert.match(hint, /whisper-tiny-int8 \(offline, 104 MB, fast, basic accuracy\)/);
  assert.match(hint, /earshot models pull whisper-small-int8/);
  assert.match(hint, /Settings → Engines and models/);
  const installedTiny = missingLanguageHint(catalog, 'ar', (m) => m.id === 'whisper-tiny-int8');
  assert.match(installedTiny, /installed but not loaded: whisper-tiny-int8/);
  assert.doesNotMatch(installedTiny, /whisper-tiny-int8 \(offline/);
  assert.match(missingLanguageHint(catalog, 'xx', none), /the model catalog has none for it either/);
  assert.equal(formatSize(downloadBytes(byId.get('whisper-small-int8')!)), '375 MB');
});

test('the schema refuses an unknown speed or accuracy class and a language that is not ISO 639-1', () => {
  const base: Partial<CatalogModel> = {
    id: 'x',
    name: 'x',
    kind: 'asr-offline',
    backend: 'sherpa',
    language: 'en',
    type: 'whisper',
    dir: 'x',
    license: 'MIT',
    sampleRate: 16000,
    files: [{ role: 'model', path: 'a.onnx' }],
  };
  assert.equal(parseCatalog({ version: 1, models: [{ ...base, speed: 'fast', accuracy: 'good' }] })[0]!.speed, 'fast');
  assert.throws(() => parseCatalog({ version: 1, models: [{ ...base, speed: 'warp' }] }), /invalid at models\.0\.speed/);
  assert.throws(() => parseCatalog({ version: 1, models: [{ ...base, accuracy: 'perfect' }] }), /invalid at models\.0\.accuracy/);
  assert.throws(() => parseCatalog({ version: 1, models: [{ ...base, languages: ['english'] }] }), /invalid at models\.0\.languages\.0/);
});
