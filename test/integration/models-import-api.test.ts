// `POST /v1/models/import` (the app's "Install from a file" when offline) against a real startServer: the
// archive is the raw request body, identified and verified against the catalog before anything is installed;
// a corrupt archive is a specific 400 and installs nothing; the Origin/token rules hold; the upload cap holds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  cpSync,
  chmodSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { ModelImportResult } from '../../proto/rest-models.js';
import { ModelPulls } from '../../src-main/core/api/model-pulls.js';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { catalogModel, createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { sha256File } from '../../src-main/core/engine/models/download.js';
import { TONE_ALPHABET } from '../helpers/shared.js';

const run = promisify(execFile);
const TOKEN = 'import-test-token-0123456789abcdef';
const tmp = mkdtempSync(join(tmpdir(), 'earshot-import-api-'));
const models = join(tmp, 'models');
let engine: Engine;
let server: RunningServer;
let good: string;
let corrupt: string;

before(async () => {
  good = join(tmp, 'tone-alphabet.tar.bz2');
  await run('tar', ['-C', join(TONE_ALPHABET, '..'), '-cjf', good, 'tone-alphabet']);
  const copy = join(tmp, 'src', 'tone-alphabet');
  mkdirSync(join(tmp, 'src'));
  cpSync(TONE_ALPHABET, copy, { recursive: true });
  chmodSync(copy, 0o755);
  chmodSync(join(copy, 'model.onnx'), 0o644);
  const m = readFileSync(join(copy, 'model.onnx'));
  m[m.length >> 1]! ^= 0xff;
  writeFileSync(join(copy, 'model.onnx'), m);
  corrupt = join(tmp, 'corrupt.tar.bz2');
  await run('tar', ['-C', join(tmp, 'src'), '-cjf', corrupt, 'tone-alphabet']);
  engine = await createEngine({ asr: [], tts: [], vad: false });
  await engine.ready;
  server = await startServer({
    engine,
    token: TOKEN,
    asrPort: 0,
    ttsPort: 0,
    grpc: false,
    logger: pino({ level: 'silent' }),
    models: { into: models },
  });
});

after(async () => {
  await server?.close();
  await engine?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const upload = (file: string, query: string, headers: Record<string, string> = {}) =>
  fetch(`${server.asrUrl}/v1/models/import?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${TOKEN}`, ...headers },
    body: readFileSync(file),
  });

test('an uploaded .tar.bz2 is identified, verified and installed into the user models dir', async () => {
  const r = await upload(good, 'filename=tone-alphabet.tar.bz2');
  assert.equal(r.status, 201, await r.clone().text());
  const body = ModelImportResult.parse(await r.json());
  assert.equal(body.id, 'tone-alphabet');
  assert.deepEqual(
    body.files.map((f) => [f.path, f.check]),
    [
      ['model.onnx', 'catalog'],
      ['tokens.txt', 'catalog'],
    ],
  );
  for (const f of catalogModel('tone-alphabet').files)
    assert.equal(await sha256File(join(models, 'fixtures', 'tone-alphabet', f.path)), f.sha256);
  assert.deepEqual(readdirSync(models).sort(), ['fixtures'], 'no upload or staging folder left');
});

test('a corrupt archive is a 400 naming the checksum problem, and installs nothing', async () => {
  rmSync(join(models, 'fixtures'), { recursive: true, force: true });
  const r = await upload(corrupt, 'filename=corrupt.tar.bz2');
  assert.equal(r.status, 400);
  const body = (await r.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'bad_config');
  assert.match(body.error.message, /model\.onnx has sha256 [0-9a-f]{64}, the catalog expects 6db976ef.*Nothing was installed/);
  assert.equal(existsSync(join(models, 'fixtures')), false);
});

test('bad requests: no filename, a non-archive name, path parts in the name; a foreign Origin is refused', async () => {
  const noName = await upload(good, '');
  assert.equal(noName.status, 400);
  assert.match(((await noName.json()) as { error: { message: string } }).error.message, /filename is required/);
  const txt = await upload(good, 'filename=notes.txt');
  assert.equal(txt.status, 400);
  assert.match(((await txt.json()) as { error: { message: string } }).error.message, /not a model archive \(expected \.tar\.bz2/);
  // The file name only says the archive type: its path parts never reach the disk.
  for (const name of ['..', '/etc/passwd']) {
    const odd = await upload(good, `filename=${encodeURIComponent(name)}`);
    assert.equal(odd.status, 400, name);
    assert.match(((await odd.json()) as { error: { message: string } }).error.message, /not a model archive/);
  }
  const climbing = await upload(good, `filename=${encodeURIComponent('../../x.tar.bz2')}`);
  assert.equal(climbing.status, 201);
  assert.equal(existsSync(join(models, '..', '..', 'x.tar.bz2')), false);
  assert.equal(existsSync(join(models, '..', 'x.tar.bz2')), false);
  assert.deepEqual(readdirSync(models), ['fixtures'], 'no upload folder left');
  rmSync(join(models, 'fixtures'), { recursive: true });
  const evil = await upload(good, 'filename=tone-alphabet.tar.bz2', { origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  const noToken = await fetch(`${server.asrUrl}/v1/models/import?filename=x.tar.bz2`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', origin: server.asrUrl },
    body: readFileSync(good),
  });
  assert.equal(noToken.status, 401);
  assert.equal(existsSync(join(models, 'fixtures')), false);
});

test('the upload cap stops an oversized body while it streams; the next import is not blocked', async () => {
  const size = statSync(good).size;
  const pulls = new ModelPulls({ into: join(tmp, 'capped'), maxUploadBytes: size });
  const twice = Readable.from([readFileSync(good), readFileSync(good)]);
  const err = (await pulls.importUpload(twice, 'tone-alphabet.tar.bz2').then(
    () => new Error('no error'),
    (e: Error) => e,
  )) as Error;
  assert.match(err.message, new RegExp(`the upload is over the ${size}-byte limit for a model archive`));
  assert.deepEqual(readdirSync(join(tmp, 'capped')), []);
  const ok = await pulls.importUpload(createReadStream(good), 'tone-alphabet.tar.bz2');
  assert.equal(ok.model.id, 'tone-alphabet');
});
