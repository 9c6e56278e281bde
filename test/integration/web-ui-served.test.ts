// The web UI on the ASR port follows the folder, not the state at start: a server started before the UI was
// built says how to build it (503), and serves the UI as soon as it exists — no restart (issue 9: a newcomer
// who builds after starting kept getting the "not built" text).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';

let engine: Engine;
let server: RunningServer;
let webRoot: string;

before(async () => {
  webRoot = join(mkdtempSync(join(tmpdir(), 'earshot-webroot-')), 'renderer');
  engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false, warmup: false });
  server = await startServer({ engine, token: 'x'.repeat(32), asrPort: 0, ttsPort: 0, grpc: false, webRoot });
});
after(async () => {
  await server?.close();
  await engine?.close();
  rmSync(join(webRoot, '..'), { recursive: true, force: true });
});

test('before the build: / says the UI is not built and names the command', async () => {
  const r = await fetch(`${server.asrUrl}/`);
  assert.equal(r.status, 503);
  const text = await r.text();
  assert.match(text, /web UI is not built/);
  assert.match(text, /npm run build:renderer/);
  assert.match(text, /npm start/);
});

test('a UI built after the server started is served at / and its assets, without a restart', async () => {
  mkdirSync(join(webRoot, 'assets'), { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Earshot</title><script src="./assets/app.js"></script>');
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log("earshot")');
  const page = await fetch(`${server.asrUrl}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await page.text(), /<title>Earshot<\/title>/);
  const asset = await fetch(`${server.asrUrl}/assets/app.js`);
  assert.equal(asset.status, 200);
  assert.equal(await asset.text(), 'console.log("earshot")');
  // The API is still the API.
  assert.equal((await fetch(`${server.asrUrl}/healthz`)).status, 200);
  assert.equal((await fetch(`${server.asrUrl}/assets/missing.js`)).status, 404);
});

test('a rebuild (the folder emptied and written again) is picked up too', async () => {
  rmSync(webRoot, { recursive: true, force: true });
  assert.equal((await fetch(`${server.asrUrl}/`)).status, 503);
  mkdirSync(webRoot, { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Earshot v2</title>');
  assert.match(await (await fetch(`${server.asrUrl}/`)).text(), /Earshot v2/);
});
