// `earshot serve --no-store` as a real child process (issue 9): captions work unsaved — `session=new` (what the
// UI asks for) gets `ready` with stored:false, one `store_disabled` warning, and its finals — `/readyz` says
// store:false so the UI can say so before Start, and every /v1/sessions route is a 503 `store_disabled` that
// names the flag, not Fastify's "Route … not found".
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { connect, streamPcm, toS16 } from './ws-harness.js';

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'earshot-nostore-'));
let child: ChildProcess;
let base: string;

before(async () => {
  child = spawn(
    process.execPath,
    [
      'bin/earshot.mjs',
      'serve',
      '--no-store',
      '--port-asr',
      '0',
      '--port-tts',
      '0',
      '--no-grpc',
      '--engine',
      'sherpa',
      '--model',
      'tone-alphabet',
    ],
    { cwd: root, env: { ...process.env, EARSHOT_DATA_DIR: dataDir, EARSHOT_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!/earshot serve: ready/.test(out)) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) throw new Error(`serve not ready: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  base = /listening asr=(\S+)/.exec(out)![1]!;
});
after(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('/readyz tells clients the store is off', async () => {
  const r = await fetch(`${base}/readyz`);
  assert.equal(r.status, 200);
  const body = (await r.json()) as { ready: boolean; store: boolean };
  assert.equal(body.ready, true);
  assert.equal(body.store, false);
});

test('every /v1/sessions route answers 503 store_disabled naming --no-store', async () => {
  for (const [method, path] of [
    ['GET', '/v1/sessions?limit=50&offset=0'],
    ['GET', '/v1/sessions?q=hello'],
    ['GET', '/v1/sessions/abc'],
    ['GET', '/v1/sessions/abc/export?format=srt'],
    ['PATCH', '/v1/sessions/abc'],
    ['DELETE', '/v1/sessions/abc'],
  ] as const) {
    const r = await fetch(`${base}${path}`, {
      method,
      ...(method === 'PATCH' ? { headers: { 'content-type': 'application/json' }, body: '{"title":"x"}' } : {}),
    });
    assert.equal(r.status, 503, `${method} ${path}`);
    const body = (await r.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'store_disabled', `${method} ${path}`);
    assert.match(body.error.message, /--no-store/);
    assert.doesNotMatch(body.error.message, /not found/i);
  }
});

test('session=new streams unsaved: ready (stored:false), a store_disabled warning, finals, session_complete', async () => {
  const c = connect(`${base.replace('http', 'ws')}/v1/audio/stream?model=tone-alphabet&session=new&source=mic&endpointing=false`);
  const ready = await c.waitFor((m) => m.type === 'ready');
  assert.equal(ready.stored, false);
  const warning = await c.waitFor((m) => m.type === 'warning');
  assert.equal(warning.code, 'store_disabled');
  assert.match(warning.message, /captions are not saved/);
  assert.equal(c.messages.indexOf(warning), 1, 'right after ready');
  await streamPcm(c.ws, toS16(toneAudio('not saved')), 16000, 100, 0);
  c.send({ type: 'end' });
  const done = await c.waitFor((m) => m.type === 'session_complete');
  assert.deepEqual(
    c.messages.filter((m) => m.type === 'transcript' && m.is_final).map((m) => m.text),
    ['not saved'],
  );
  assert.equal(done.segments, 1);
  assert.equal(c.messages.filter((m) => m.type === 'error').length, 0);
  await c.closed;
  // Nothing was written: no database in the data dir.
  assert.ok(!existsSync(join(dataDir, 'earshot.db')), `data dir holds ${readdirSync(dataDir)}`);
});
