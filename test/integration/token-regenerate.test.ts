// POST /v1/token/regenerate over a real socket (startServer with a real engine): it needs the current token
// even from a native loopback client, rewrites the token file (0600), and the old token stops working at once
// for HTTP and WebSocket while the new one works; a browser request from a foreign Origin is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import WebSocket from 'ws';
import { loadOrCreateToken, tokenPath } from '../../src-main/core/api/auth.js';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';

const dir = mkdtempSync(join(tmpdir(), 'earshot-token-'));
const first = loadOrCreateToken({ dir });
let engine: Engine;
let server: RunningServer;
const rotated: string[] = [];

before(async () => {
  engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [{ backend: 'espeak' }], vad: false });
  await engine.ready;
  server = await startServer({
    engine,
    token: first,
    tokenDir: dir,
    asrPort: 0,
    ttsPort: 0,
    grpc: false,
    logger: pino({ level: 'silent' }),
    onTokenRotated: (t) => rotated.push(t),
  });
});
after(async () => {
  await server?.close();
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const regenerate = (headers: Record<string, string>) => fetch(`${server.asrUrl}/v1/token/regenerate`, { method: 'POST', headers });
// As the browser UI (Origin = its own): native loopback clients may send any key, so only a request with an
// Origin shows whether a token is still the valid one.
const ui = () => `http://127.0.0.1:${server.asrPort}`;
const models = (token: string) => fetch(`${server.asrUrl}/v1/models`, { headers: { Authorization: `Bearer ${token}`, Origin: ui() } });

/** Close code of a WS handshake on the ASR stream with `?token=`. */
function wsCloseCode(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `${server.asrUrl.replace('http', 'ws')}/v1/audio/stream?token=${encodeURIComponent(token)}&sample_rate=16000`,
      { headers: { Origin: ui() } },
    );
    ws.on('message', (d) => {
      if (JSON.parse(String(d)).type === 'ready') ws.close(1000);
    });
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
}

test('regenerate needs the current token, even from a native loopback client', async () => {
  const none = await regenerate({});
  assert.equal(none.status, 401);
  assert.match(((await none.json()) as any).error.message, /requires the current token/);
  assert.equal((await regenerate({ Authorization: 'Bearer not-the-token-0123456789abcdef' })).status, 401);
  assert.equal(readFileSync(tokenPath(dir), 'utf8').trim(), first, 'refused requests leave the token alone');
});

test('a request with a foreign Origin is refused, even with the right token', async () => {
  const evil = await regenerate({ Origin: 'https://evil.example', Authorization: `Bearer ${first}` });
  assert.equal(evil.status, 403);
  assert.equal(readFileSync(tokenPath(dir), 'utf8').trim(), first);
});

test('rotation: new token in the file (0600) and the response; the old one refused at once, the new one accepted', async () => {
  assert.equal((await models(first)).status, 200);
  assert.equal(await wsCloseCode(first), 1000);
  const res = await regenerate({ Origin: `http://127.0.0.1:${server.asrPort}`, Authorization: `Bearer ${first}` });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { token: string; persisted: boolean };
  assert.equal(body.persisted, true);
  assert.notEqual(body.token, first);
  assert.ok(body.token.length >= 43);
  assert.equal(readFileSync(tokenPath(dir), 'utf8').trim(), body.token);
  if (process.platform !== 'win32') assert.equal(statSync(tokenPath(dir)).mode & 0o777, 0o600);
  assert.deepEqual(rotated, [body.token]);

  assert.equal((await models(first)).status, 401);
  assert.equal(await wsCloseCode(first), 4401);
  assert.equal((await models(body.token)).status, 200);
  assert.equal(await wsCloseCode(body.token), 1000);
  // The TTS port shares the policy.
  const tts = (token: string) =>
    fetch(`${server.ttsUrl}/v1/voices`, { headers: { Authorization: `Bearer ${token}`, Origin: `http://127.0.0.1:${server.ttsPort}` } });
  assert.equal((await tts(first)).status, 401);
  assert.equal((await tts(body.token)).status, 200);
});
