// `earshot models import <archive-or-folder>`: a model downloaded elsewhere is identified, verified against the
// catalog and installed without the network. Archives are made here from the real tone-alphabet fixture (the
// only catalog model whose files exist on this machine), with the system's tar/bzip2 as a user would have them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { promisify } from 'node:util';
import { pack as tarPack } from 'tar-stream';
import { catalogModel, importModel, ModelImportError } from '../../src-main/core/engine/index.js';
import { sha256File } from '../../src-main/core/engine/models/download.js';
import { TONE_ALPHABET } from '../helpers/shared.js';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'earshot-import-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A writable copy of the fixture folder (../shared is read-only), named `name`. */
function copyFixture(name: string): string {
  const dir = join(tmp, 'src', name);
  mkdirSync(join(tmp, 'src'), { recursive: true });
  cpSync(TONE_ALPHABET, dir, { recursive: true });
  for (const f of ['model.onnx', 'tokens.txt', 'README.md']) chmodSync(join(dir, f), 0o644);
  chmodSync(dir, 0o755);
  return dir;
}

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await p.then(
    () => assert.fail('expected the import to be refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ModelImportError, `a ModelImportError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
}

test('CLI: the .tar.bz2 of a model folder installs, verified, and the engine then transcribes with the imported copy', async () => {
  const archive = join(tmp, 'downloaded-model.tar.bz2'); // a name that says nothing: the top folder identifies it
  await run('tar', ['-C', join(TONE_ALPHABET, '..'), '-cjf', archive, 'tone-alphabet']);
  const models = join(tmp, 'user-models');
  const env = { ...process.env, EARSHOT_MODELS_DIR: models };
  const out = await run(process.execPath, ['bin/earshot.mjs', 'models', 'import', archive], { env });
  assert.match(out.stdout, /tone-alphabet\/model\.onnx: sha256 ok/);
  assert.match(out.stdout, /tone-alphabet\/tokens\.txt: sha256 ok/);
  const installed = join(models, 'fixtures', 'tone-alphabet');
  assert.match(out.stdout, new RegExp(`tone-alphabet: installed in ${installed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  // Only the catalog's files are taken (the archive also holds a README and test WAVs); no staging left behind.
  assert.deepEqual(readdirSync(installed).sort(), ['model.onnx', 'tokens.txt']);
  assert.deepEqual(readdirSync(models).sort(), ['fixtures']);
  for (const f of catalogModel('tone-alphabet').files) assert.equal(await sha256File(join(installed, f.path)), f.sha256);
  // The models dir comes first in resolution: list shows the imported copy, and it decodes speech-like tones.
  const list = await run(process.execPath, ['bin/earshot.mjs', 'models', 'list', '--dev-fixtures'], { env });
  assert.match(list.stdout, new RegExp(`^tone-alphabet .*installed.* ${installed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  const text = await run(
    process.execPath,
    ['bin/earshot.mjs', 'transcribe', join(TONE_ALPHABET, 'test-wavs', 'pangram.wav'), '--model', 'tone-alphabet'],
    { env },
  );
  assert.equal(text.stdout, 'the quick brown fox jumps over the lazy dog\n');
});

test('CLI: a corrupt archive and a missing path fail with the problem and the next step, exit 1', async () => {
  const bad = join(tmp, 'tone-alphabet.tar.bz2');
  writeFileSync(bad, Buffer.from('BZh91AY&SY this is not really bzip2 data'));
  const e1 = (await run(process.execPath, ['bin/earshot.mjs', 'models', 'import', bad, '--into', join(tmp, 'm-bad')]).catch((e) => e)) as {
    code: number;
    stderr: string;
  };
  assert.equal(e1.code, 1);
  assert.match(e1.stderr, /^earshot: .*tone-alphabet\.tar\.bz2: cannot read the archive .*Download it again/);
  const e2 = (await run(process.execPath, ['bin/earshot.mjs', 'models', 'import', join(tmp, 'nope.tar.bz2')]).catch((e) => e)) as {
    code: number;
    stderr: string;
  };
  assert.equal(e2.code, 1);
  assert.match(e2.stderr, /nope\.tar\.bz2: no such file or folder/);
  assert.equal(existsSync(join(tmp, 'm-bad', 'fixtures')), false);
});

test('a folder with an unrelated name is identified by its files; a .tar.gz works too', async () => {
  const folder = copyFixture('Downloads-unpacked');
  const r = await importModel(folder, { into: join(tmp, 'm-folder') });
  assert.equal(r.model.id, 'tone-alphabet');
  assert.deepEqual(
    r.files.map((f) => f.check),
    ['catalog', 'catalog'],
  );
  const tgz = join(tmp, 'whatever.tgz');
  await run('tar', ['-C', folder, '-czf', tgz, '.']); // files at the archive root, as `./model.onnx`
  const r2 = await importModel(tgz, { into: join(tmp, 'm-tgz') });
  assert.equal(r2.model.id, 'tone-alphabet');
  assert.equal(await sha256File(join(r2.dir, 'model.onnx')), catalogModel('tone-alphabet').files[0]!.sha256);
});

test('checksum mismatch: one changed byte (same size) is refused and nothing is installed', async () => {
  const folder = copyFixture('tone-alphabet');
  const tokens = readFileSync(join(folder, 'tokens.txt'));
  tokens[0] = tokens[0]! ^ 0x01;
  writeFileSync(join(folder, 'tokens.txt'), tokens);
  const archive = join(tmp, 'tone-alphabet-corrupt.tar.bz2');
  await run('tar', ['-C', join(folder, '..'), '-cjf', archive, 'tone-alphabet']);
  const into = join(tmp, 'm-sha');
  await rejects(
    importModel(archive, { into }),
    'checksum_mismatch',
    /tokens\.txt has sha256 [0-9a-f]{64}, the catalog expects 1754afa1.*Nothing was installed/,
  );
  assert.deepEqual(readdirSync(into), [], 'no model folder, no staging left');
  rmSync(folder, { recursive: true });
});

test('missing file and wrong size name the file, the model and where to download it', async () => {
  const folder = copyFixture('tone-alphabet');
  rmSync(join(folder, 'model.onnx'));
  await rejects(importModel(folder, { into: join(tmp, 'm-miss') }), 'missing_file', /missing file model\.onnx of model "tone-alphabet"/);
  writeFileSync(join(folder, 'model.onnx'), readFileSync(join(TONE_ALPHABET, 'model.onnx')).subarray(0, 1000));
  await rejects(importModel(folder, { into: join(tmp, 'm-miss') }), 'size_mismatch', /model\.onnx is 1000 bytes, the catalog says 29243/);
  rmSync(folder, { recursive: true });
  // An upstream archive identified by its name (the catalog's upstream file name) but holding only one file.
  const up = join(tmp, 'up', 'sherpa-onnx-streaming-zipformer-en-20M-2023-02-17');
  mkdirSync(up, { recursive: true });
  writeFileSync(join(up, 'tokens.txt'), '<blk> 0\n');
  const archive = join(tmp, 'sherpa-onnx-streaming-zipformer-en-20M-2023-02-17.tar.bz2');
  await run('tar', ['-C', join(tmp, 'up'), '-cjf', archive, 'sherpa-onnx-streaming-zipformer-en-20M-2023-02-17']);
  await rejects(
    importModel(archive, { into: join(tmp, 'm-up') }),
    'missing_file',
    /missing file encoder-epoch-99-avg-1\.int8\.onnx of model "zipformer-en-20m".*https:\/\/github\.com\/k2-fsa\/sherpa-onnx\/releases\/download\/asr-models\/sherpa-onnx-streaming-zipformer-en-20M-2023-02-17\.tar\.bz2/,
  );
});

test('unknown model: files matching no catalog entry, and an unknown --id', async () => {
  const dir = join(tmp, 'src', 'my-own-model');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), 'x');
  await rejects(
    importModel(dir, { into: join(tmp, 'm-unk') }),
    'unknown_model',
    /not a model Earshot knows.*Known models: zipformer-en-20m.*--id <id>/,
  );
  assert.doesNotMatch(
    ((await importModel(dir, { into: join(tmp, 'm-unk') }).catch((e: Error) => e)) as Error).message,
    /tone-alphabet/,
    'fixtures are not offered to users',
  );
  await rejects(importModel(dir, { into: join(tmp, 'm-unk'), id: 'no-such-model' }), 'unknown_model', /unknown model "no-such-model"/);
});

test('a hostile archive writes nothing outside the models dir: ../ paths, absolute paths and links are ignored', async () => {
  const archive = join(tmp, 'tone-alphabet.tar.gz');
  const p = tarPack();
  const outside = join(tmp, 'escaped.txt');
  p.entry({ name: '../escaped.txt' }, 'pwned');
  p.entry({ name: outside }, 'pwned');
  p.entry({ name: 'tone-alphabet/tokens.txt', type: 'symlink', linkname: '/etc/passwd' });
  p.entry({ name: 'tone-alphabet/model.onnx' }, readFileSync(join(TONE_ALPHABET, 'model.onnx')));
  p.finalize();
  await pipeline(p, createGzip(), createWriteStream(archive));
  const into = join(tmp, 'm-hostile');
  await rejects(importModel(archive, { into }), 'missing_file', /missing file tokens\.txt of model "tone-alphabet"/);
  assert.equal(existsSync(outside), false);
  assert.equal(existsSync(join(into, '..', 'escaped.txt')), false);
  assert.deepEqual(readdirSync(into), []);
});
