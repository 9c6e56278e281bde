// Model installs over the REST API against a real startServer (real engine: pocketsphinx + espeak) and a
// loopback HTTP server serving ../shared/models (never the internet): progress seen while the bytes arrive,
// a joined second POST, the file verified on disk, 404 for unknown ids, a corrupt file ending in `error`,
// and the Origin/token rules on the state-changing POST.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { pino } from 'pino';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { catalogModel } from '../../src-main/core/engine/models/catalog.js';
import { sha256File } from '../../src-main/core/engine/models/download.js';
import { MODELS } from '../helpers/shared.js';

const TOKEN = 'pull-test-token-0123456789abcdef';
const tmp = mkdtempSync(join(tmpdir(), 'earshot-pull-api-'));
let engine: Engine;
let server: RunningServer;
let files: Server;
/** Paths (relative to MODELS) the file server answers with one byte flipped. */
const corrupt = new Set<string>();
/** Paths the file server sends only the first half of, until `release()` is called. */
const held = new Map<string, (() => void) | null>();
const requests: string[] = [];

before(async () => {
  files = createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^\/+/, '');
    const path = join(MODELS, rel);
    if (rel.startsWith('..') || !existsSync(path) || !statSync(path).isFile()) return void res.writeHead(404).end('not found');
    requests.push(rel);
    const data = readFileSync(path);
    if (corrupt.has(rel)) data.writeUInt8(data.readUInt8(data.length >> 1) ^ 0xff, data.length >> 1);
    res.writeHead(200, { 'content-length': data.length });
    if (held.has(rel)) return sendHeld(res, data, rel);
    res.end(data);
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [{ backend: 'espeak' }], vad: false });
  await engine.ready;
  server = await startServer({
    engine,
    token: TOKEN,
    asrPort: 0,
    ttsPort: 0,
    grpc: false,
    logger: pino({ level: 'silent' }),
    models: { into: join(tmp, 'models'), baseUrl: `http://127.0.0.1:${(files.address() as { port: number }).port}` },
  });
});

after(async () => {
  await server?.close();
  await engine?.close();
  files?.closeAllConnections();
  files?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function sendHeld(res: ServerResponse, data: Buffer, rel: string): void {
  const half = data.length >> 1;
  res.write(data.subarray(0, half));
  held.set(rel, () => res.end(data.subarray(half)));
}

const url = (path: string) => `${server.asrUrl}${path}`;
const pull = (id: string, headers: Record<string, string> = {}) => fetch(url(`/v1/models/${id}/pull`), { method: 'POST', headers });
const progressOf = async (id: string) => (await (await fetch(url(`/v1/models/${id}/pull`))).json()) as any;

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('POST starts a pull; GET reports downloading progress while bytes arrive, then done; the file is verified on disk', async () => {
  const rel = 'silero_vad/silero_vad.onnx';
  held.set(rel, null);
  const model = catalogModel('silero-vad');
  const size = model.files[0]!.size!;

  const started = await pull('silero-vad');
  assert.equal(started.status, 202);
  const first = (await started.json()) as any;
  assert.deepEqual({ id: first.id, state: first.state, total: first.total }, { id: 'silero-vad', state: 'downloading', total: size });

  const mid = await until(
    () => progressOf('silero-vad'),
    (p) => p.received > 0,
  );
  assert.equal(mid.state, 'downloading');
  assert.ok(mid.received < size, `half the file so far (${mid.received} of ${size})`);

  // A second POST while it runs joins the same download.
  const joined = (await (await pull('silero-vad')).json()) as any;
  assert.equal(joined.state, 'downloading');
  assert.equal(requests.filter((r) => r === rel).length, 1);

  held.get(rel)!();
  const done = await until(
    () => progressOf('silero-vad'),
    (p) => p.state === 'done' || p.state === 'error',
  );
  assert.deepEqual(done, { id: 'silero-vad', state: 'done', received: size, total: size });
  assert.equal(await sha256File(join(tmp, 'models', 'silero_vad', 'silero_vad.onnx')), model.files[0]!.sha256);
  assert.equal(existsSync(join(tmp, 'models', 'silero_vad', 'silero_vad.onnx.part')), false);
});

test('unknown model ids are 404 for POST and GET; a model never pulled is 404 on GET', async () => {
  const post = await pull('no-such-model');
  assert.equal(post.status, 404);
  const body = (await post.json()) as any;
  assert.equal(body.error.code, 'not_found');
  assert.match(body.error.message, /unknown model "no-such-model"/);
  assert.equal((await fetch(url('/v1/models/no-such-model/pull'))).status, 404);
  const never = await fetch(url('/v1/models/compute-20m/pull'));
  assert.equal(never.status, 404);
  assert.match(((await never.json()) as any).error.message, /no download of model "compute-20m"/);
});

test('a corrupt file ends the pull in error (sha256 mismatch), nothing is installed, and the server goes on', async () => {
  corrupt.add('fixtures/tone-alphabet/model.onnx');
  assert.equal((await pull('tone-alphabet')).status, 202);
  const failed = await until(
    () => progressOf('tone-alphabet'),
    (p) => p.state === 'done' || p.state === 'error',
  );
  assert.equal(failed.state, 'error');
  assert.match(failed.error, /sha256 mismatch/);
  assert.equal(existsSync(join(tmp, 'models', 'fixtures', 'tone-alphabet', 'model.onnx')), false);

  // Fixed upstream: pulling again installs it.
  corrupt.clear();
  assert.equal((await pull('tone-alphabet')).status, 202);
  const ok = await until(
    () => progressOf('tone-alphabet'),
    (p) => p.state === 'done' || p.state === 'error',
  );
  assert.equal(ok.state, 'done');
  for (const f of catalogModel('tone-alphabet').files)
    assert.equal(await sha256File(join(tmp, 'models', 'fixtures', 'tone-alphabet', f.path)), f.sha256);
});

test('the POST keeps the auth rules: an evil Origin is 403, the own UI origin needs the token', async () => {
  const evil = await pull('silero-vad', { Origin: 'https://evil.example', Authorization: `Bearer ${TOKEN}` });
  assert.equal(evil.status, 403);
  const own = `http://127.0.0.1:${server.asrPort}`;
  assert.equal((await pull('silero-vad', { Origin: own })).status, 401);
  assert.equal((await pull('silero-vad', { Origin: own, Authorization: 'Bearer wrong-token-0123456789abcdef' })).status, 401);
  const allowed = await pull('silero-vad', { Origin: own, Authorization: `Bearer ${TOKEN}` });
  assert.equal(allowed.status, 202);
  await until(
    () => progressOf('silero-vad'),
    (p) => p.state === 'done' || p.state === 'error',
  );
});
