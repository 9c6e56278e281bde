// In test/slow (the complete gate, not test:quick): three `earshot serve` processes and five CLI runs, about 19 CPU-seconds (test:quick starts `earshot serve` in no-store.test.ts).
// `earshot serve` and `earshot token` as real child processes: the token file (0600, stable, regenerable), the
// served API, and graceful shutdown — SIGTERM mid-stream gives the client its final and a clean close, and
// the final is in the store.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { openStore } from '../../src-main/core/store/index.js';
import { connect, streamPcm, toS16 } from '../integration/ws-harness.js';
import { TONE_MODELS } from '../helpers/fixtures.js';

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'earshot-serve-'));
const env = { ...process.env, EARSHOT_DATA_DIR: dataDir, EARSHOT_LOG_LEVEL: 'warn' };
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function earshot(args: string[]) {
  return spawnSync(process.execPath, ['bin/earshot.mjs', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
}

test('earshot token prints a stable 0600 token; --regenerate replaces it', () => {
  const a = earshot(['token']);
  assert.equal(a.status, 0, a.stderr);
  const token = a.stdout.trim();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256-bit base64url');
  assert.equal(earshot(['token']).stdout.trim(), token);
  const path = earshot(['token', '--path']).stdout.trim();
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const b = earshot(['token', '--regenerate']).stdout.trim();
  assert.notEqual(b, token);
  assert.equal(earshot(['token']).stdout.trim(), b);
});

for (const model of TONE_MODELS) {
  test(`SIGTERM on earshot serve mid-stream (${model}): the client gets its final and a clean close; the final is stored`, async () => {
    const db = join(dataDir, `serve-${model}.db`);
    const child = spawn(
      process.execPath,
      [
        'bin/earshot.mjs',
        'serve',
        '--port-asr',
        '0',
        '--port-tts',
        '0',
        '--no-grpc',
        '--engine',
        'sherpa',
        '--model',
        model,
        '--db',
        db,
        '--open',
      ],
      { cwd: root, env: { ...env, PATH: '/nonexistent' /* --open must not launch a real browser */ }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const line = (re: RegExp) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) resolve(m);
        };
        child.stdout.on('data', (d) => {
          out += d;
          check();
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}\n${err}`)));
        check();
      });
    const [, asrUrl] = await line(/listening asr=(\S+)/);
    const [, uiUrl] = await line(/open the web UI at (\S+)/);
    assert.match(uiUrl!, /#token=[A-Za-z0-9_-]{43}$/);
    await line(/ready/);
    const c = connect(`${asrUrl!.replace('http', 'ws')}/v1/audio/stream?model=${model}&endpointing=false&session=new&source=mic`);
    const ready = await c.waitFor((m) => m.type === 'ready');
    await streamPcm(c.ws, toS16(toneAudio('goodbye now', { tail: 0.3 })), 16000, 100, 20);
    // Wait until the server has heard it (an interim), then stop the server.
    await c.waitFor((m) => m.type === 'transcript' && m.text.length >= 4);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const close = await c.closed;
    assert.equal(await exited, 0, err);
    const finals = c.messages.filter((m) => m.type === 'transcript' && m.is_final);
    assert.deepEqual(
      finals.map((f) => f.text),
      ['goodbye now'],
    );
    assert.equal(c.messages.at(-1).type, 'session_complete');
    assert.equal(close.code, 1001, 'going away: a clean close');
    const store = openStore({ path: db });
    try {
      const s = store.getSession(ready.session_id);
      assert.ok(s, 'the session was stored');
      assert.deepEqual(
        s!.segments.map((x) => x.text),
        ['goodbye now'],
      );
      assert.equal(s!.segments[0]!.track, 'mic');
      assert.equal(s!.status, 'complete');
    } finally {
      store.close();
    }
  });
}
