// The web UI has an icon (no 404 on /favicon.ico: the .ico and the shell's PNG are served), and HTTP requests are
// logged at debug level only: at the default level a request writes no log line. Starting the server prints no
// Fastify deprecation warning (FSTDEP023: the top-level disableRequestLogging option).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { appRoot } from '../../src-main/core/paths.js';

let engine: Engine;
const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
const logger = pino({ level: 'info' }, sink);
let server: RunningServer;
/** Process warnings emitted while the server starts and serves (Fastify's deprecations come this way). */
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);

before(async () => {
  process.on('warning', onWarning);
  engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false, warmup: false });
  server = await startServer({ engine, token: 'x'.repeat(32), asrPort: 0, ttsPort: 0, grpc: false, logger });
});
after(async () => {
  process.off('warning', onWarning);
  await server?.close();
  await engine?.close();
});

test('/favicon.ico and /icon.png are the app icon, where the web UI is served', async () => {
  for (const base of [server.asrUrl]) {
    const ico = await fetch(`${base}/favicon.ico`);
    assert.equal(ico.status, 200);
    assert.match(ico.headers.get('content-type') ?? '', /icon/);
    const bytes = Buffer.from(await ico.arrayBuffer());
    assert.deepEqual(bytes, readFileSync(join(appRoot, 'resources', 'favicon.ico')));
    assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 1, 0], 'an ICO header');
    const png = await fetch(`${base}/icon.png`);
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await png.arrayBuffer()), readFileSync(join(appRoot, 'resources', 'icon.png')));
  }
});

test('requests leave no log line at info level, and one "request completed" line each at debug level', async () => {
  lines.length = 0;
  for (let i = 0; i < 3; i++) assert.equal((await fetch(`${server.asrUrl}/healthz`)).status, 200);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(lines, [], 'no request lines at info level');
  logger.level = 'debug';
  try {
    await fetch(`${server.asrUrl}/healthz`);
    await new Promise((r) => setTimeout(r, 50));
    const done = lines
      .map((l) => JSON.parse(l) as { msg: string; statusCode?: number; level: number })
      .filter((l) => l.msg === 'request completed');
    assert.equal(done.length, 1, lines.join('\n'));
    assert.equal(done[0]!.statusCode, 200);
    assert.equal(done[0]!.level, 20, 'debug');
  } finally {
    logger.level = 'info';
  }
});

test('the server starts and serves without a Fastify deprecation warning', async () => {
  assert.equal((await fetch(`${server.asrUrl}/healthz`)).status, 200);
  await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  const fastify = warnings.filter((w) => /^FST/.test((w as Error & { code?: string }).code ?? '') || /fastify/i.test(w.message));
  assert.deepEqual(
    fastify.map((w) => `${(w as Error & { code?: string }).code}: ${w.message}`),
    [],
  );
});
