// Every registered route against the token, Origin and Host rules, under every spelling of its path (issue 10).
// The route table comes from the running server itself (`RunningServer.routes`, filled by Fastify's onRoute
// hook), so a route added tomorrow is enumerated here without editing this file, and one added as open fails
// the allow-list test. Each protected route is requested with its path percent-encoded (`%76`, `%31`, `%2F`),
// with `//`, `/./`, `..`, upper case, a trailing slash, absolute-form and `;` — by a foreign Origin, the app's
// own Origin without the token, a wrong token, a forged Host, and (with --require-token) no token at all. A
// request either gets exactly the refusal the canonical path gets, or reaches no route (Fastify's own 404) —
// never a handler. The same for the WebSocket stream paths.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import type { RouteEntry } from '../../src-main/core/api/route-access.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { openStore, type Store } from '../../src-main/core/store/index.js';

const TOKEN = 'route-test-token-0123456789abcdefghij';
const SECRET = 'the quarterly numbers are confidential';
const EVIL = 'https://evil.example';

let engine: Engine;
let store: Store;
let webRoot: string;
let sessionId: string;
let open: RunningServer;
let strict: RunningServer;

before(async () => {
  engine = await createEngine({ asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [], vad: false });
  await engine.ready;
  store = openStore({ path: ':memory:' });
  sessionId = store.createSession({ engine: 'sherpa', model: 'tone-alphabet', language: 'en', title: 'Board meeting' });
  store.appendSegment(sessionId, { track: 'mic', startMs: 0, endMs: 1000, text: SECRET, confidence: 0.9, words: [] });
  store.endSession(sessionId);
  // A built web UI, so the static wildcard route (the one route that answers almost any GET) is registered.
  webRoot = mkdtempSync(join(tmpdir(), 'earshot-webroot-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Earshot</title>');
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
  const common = { engine, store, token: TOKEN, asrPort: 0, ttsPort: 0, grpc: false as const, webRoot, logger: pino({ level: 'silent' }) };
  open = await startServer(common);
  strict = await startServer({ ...common, requireToken: true });
});
after(async () => {
  await open?.close();
  await strict?.close();
  await engine?.close();
  store?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

interface Res {
  status: number;
  body: string;
}

function send(port: number, method: string, path: string, headers: Record<string, string>): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { 'content-length': '0', ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const portOf = (s: RunningServer, r: RouteEntry) => (r.port === 'asr' ? s.asrPort : s.ttsPort);

/** A concrete path for a route pattern: params filled with values that exist, so a bypass would return data. */
function concrete(url: string): string {
  return url.replace('/v1/sessions/:id', `/v1/sessions/${sessionId}`).replace(/:id/g, 'silero-vad').replace(/\*$/, 'assets/app.js');
}

/** Spellings of `path` that a naive check and the router may read differently. */
function spellings(path: string, port: number): Record<string, string> {
  const v = (from: RegExp, to: string | ((m: string, ...groups: string[]) => string)) =>
    path.replace(from, to as (m: string, ...g: string[]) => string);
  return {
    canonical: path,
    'pct-v (%76)': v(/v/, '%76'),
    'pct-1 (%31)': v(/1/, '%31'),
    'pct-last-segment': v(/\/([a-z])([^/]*)$/, (_m: string, c: string, rest: string) => `/%${c.charCodeAt(0).toString(16)}${rest}`),
    'pct-lower-hex (%2f)': v(/\/([a-z])/, (_m: string, c: string) => `/%${c.charCodeAt(0).toString(16).toLowerCase()}`),
    'slash as %2F': v(/^(\/[^/]+)\//, '$1%2F'),
    'double slash //': '/' + path,
    'inner //': v(/^(\/[^/]+)\//, '$1//'),
    'dot segment /./': '/.' + path,
    'dot-dot /x/..': '/x/..' + path,
    'encoded dot-dot %2e%2e': '/x/%2e%2e' + path,
    'upper case': path.toUpperCase(),
    'trailing slash': path + '/',
    'semicolon ;x': path + ';x',
    'double-encoded %2576': v(/v/, '%2576'),
    'absolute-form': `http://127.0.0.1:${port}${path}`,
    'with query': path + '?format=txt&token=wrong',
  };
}

interface Caller {
  name: string;
  server: () => RunningServer;
  headers: (port: number) => Record<string, string>;
  /** What the canonical path of a protected route answers. */
  refusal: 401 | 403;
}

const callers: Caller[] = [
  {
    name: 'foreign Origin with the token',
    server: () => open,
    headers: () => ({ Origin: EVIL, Authorization: `Bearer ${TOKEN}` }),
    refusal: 403,
  },
  { name: 'foreign Origin without a token', server: () => open, headers: () => ({ Origin: EVIL }), refusal: 403 },
  { name: 'own Origin without the token', server: () => open, headers: (p) => ({ Origin: `http://127.0.0.1:${p}` }), refusal: 401 },
  // Without --require-token a native client (no Origin) may send any key (OpenAI SDKs always send one): a wrong token
  // is refused where the token counts — from a browser, and with --require-token.
  {
    name: 'own Origin with a wrong token',
    server: () => open,
    headers: (p) => ({ Origin: `http://127.0.0.1:${p}`, Authorization: 'Bearer wrong-token-0123456789abcdef' }),
    refusal: 401,
  },
  {
    name: '--require-token, wrong token',
    server: () => strict,
    headers: () => ({ Authorization: 'Bearer wrong-token-0123456789abcdef' }),
    refusal: 401,
  },
  {
    name: 'forged Host with the token',
    server: () => open,
    headers: () => ({ Host: 'rebind.attacker.example', Authorization: `Bearer ${TOKEN}` }),
    refusal: 403,
  },
  { name: '--require-token, no token', server: () => strict, headers: () => ({}), refusal: 401 },
  { name: '--require-token, foreign Origin', server: () => strict, headers: () => ({ Origin: EVIL }), refusal: 403 },
];

/**
 * The request reached no protected route: the servers' OpenAI-shaped not-found answer ("no such endpoint"),
 * Fastify's "Route … not found" (the static plugin's fall-through when no such file exists) or the static plugin
 * refusing a `..`/`//` path. None of them carries any data.
 */
const isNoRoute = (r: Res, method: string) =>
  (r.status === 404 &&
    (method === 'HEAD' || /"message":"Route [A-Z]+:.* not found"/.test(r.body) || /"message":"no such endpoint: [A-Z]+ /.test(r.body))) ||
  (r.status === 403 && (method === 'HEAD' || /"code":"FST_STATIC_FORBIDDEN_PATH"/.test(r.body)));
const isRefusal = (r: Res, status: number, method: string) =>
  r.status === status && (method === 'HEAD' || JSON.parse(r.body).error.code === (status === 401 ? 'unauthorized' : 'forbidden'));

test('the route table is enumerated, and only /healthz and the web UI files are open', () => {
  for (const s of [open, strict]) {
    const urls = new Set(s.routes.map((r) => `${r.port} ${r.method} ${r.url}`));
    for (const must of [
      'asr GET /v1/sessions',
      'asr GET /v1/sessions/:id/export',
      'tts POST /v1/token/regenerate',
      'asr GET /metrics',
      'tts GET /v1/sessions',
    ]) {
      assert.ok(urls.has(must), `route table lists ${must}`);
    }
    const notProtected = s.routes
      .filter((r) => r.access !== 'protected')
      .map((r) => `${r.port} ${r.method} ${r.url} ${r.access}`)
      .sort();
    assert.deepEqual(notProtected, [
      'asr GET / ui',
      'asr GET /* ui',
      'asr GET /favicon.ico ui',
      'asr GET /healthz public',
      'asr GET /icon.png ui',
      'asr HEAD / ui',
      'asr HEAD /* ui',
      'asr HEAD /favicon.ico ui',
      'asr HEAD /healthz public',
      'asr HEAD /icon.png ui',
      'tts GET /healthz public',
      'tts HEAD /healthz public',
    ]);
  }
});

test('issue 10 repro: percent-encoded paths no longer skip the Origin and token checks', async () => {
  const evil = await send(open.asrPort, 'GET', '/%761/sessions', { Origin: EVIL });
  assert.equal(evil.status, 403, evil.body);
  assert.doesNotMatch(evil.body, /Board meeting/);
  const exp = await send(strict.asrPort, 'GET', `/v%31/sessions/${sessionId}/export?format=txt`, {});
  assert.equal(exp.status, 401, exp.body);
  assert.doesNotMatch(exp.body, /quarterly/);
  // The router really does decode these spellings: with the token they reach the same routes.
  const ok = await send(strict.asrPort, 'GET', `/v%31/sessions/${sessionId}/export?format=txt`, { Authorization: `Bearer ${TOKEN}` });
  assert.equal(ok.status, 200);
  assert.match(ok.body, /quarterly numbers/);
  assert.equal((await send(open.asrPort, 'GET', '/%761/sessions', {})).status, 200, 'a native loopback client still needs no token');
});

test('every protected route × every path spelling × every refused caller: refused exactly, or no route at all', async () => {
  const protectedRoutes = open.routes.filter((r) => r.access === 'protected');
  assert.ok(protectedRoutes.length >= 30, `${protectedRoutes.length} protected routes`);
  const failures: string[] = [];
  let reachedEncoded = 0;
  for (const caller of callers) {
    const server = caller.server();
    for (const route of server.routes.filter((r) => r.access === 'protected')) {
      const port = portOf(server, route);
      const jobs = Object.entries(spellings(concrete(route.url), port)).map(async ([name, path]) => {
        const r = await send(port, route.method, path, caller.headers(port));
        const expected =
          name === 'canonical'
            ? isRefusal(r, caller.refusal, route.method)
            : isRefusal(r, caller.refusal, route.method) || isNoRoute(r, route.method);
        if (!expected) failures.push(`${caller.name}: ${route.method} ${path} (${name}) → ${r.status} ${r.body.slice(0, 120)}`);
        if (name !== 'canonical' && r.status === caller.refusal) reachedEncoded++;
      });
      await Promise.all(jobs);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(reachedEncoded > 100, 'encoded spellings did reach protected routes (and were refused there)');
});

test('open routes: /healthz under any spelling the router maps to it; UI files need a good Host, nothing else', async () => {
  assert.equal((await send(strict.asrPort, 'GET', '/%68ealthz', { Origin: EVIL, Host: 'x.example' })).status, 200);
  assert.equal((await send(strict.ttsPort, 'HEAD', '/healthz', {})).status, 200);
  const ui = await send(strict.asrPort, 'GET', '/assets/app.js', { Origin: EVIL });
  assert.equal(ui.status, 200);
  assert.equal((await send(strict.asrPort, 'GET', '/', {})).status, 200);
  assert.equal((await send(strict.asrPort, 'GET', '/assets/app.js', { Host: 'rebind.attacker.example' })).status, 403);
  // Only GET/HEAD of UI paths are open: a POST to a UI path matches no route and is refused like any protected one.
  assert.equal((await send(strict.asrPort, 'POST', '/assets/app.js', {})).status, 401);
  // A path that matches nothing is protected too (deny by default), and the static files never escape webRoot.
  assert.equal((await send(strict.ttsPort, 'GET', '/no/such/route', {})).status, 401);
  const escape = await send(strict.asrPort, 'GET', '/assets/..%2f..%2f..%2fetc/passwd', {});
  assert.ok([403, 404].includes(escape.status), `${escape.status}`);
});

/** Outcome of a WebSocket handshake: 'ready', a close code, or the HTTP status of a refused upgrade. */
function handshake(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('message', (d) => {
      if (JSON.parse(String(d)).type === 'ready') {
        resolve('ready');
        ws.terminate();
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(`http ${res.statusCode}`);
      res.resume();
      ws.terminate();
    });
    ws.on('close', (code) => resolve(`close ${code}`));
    ws.on('error', () => undefined);
  });
}

test('WebSocket stream paths × spellings × refused callers: never a stream; the token opens the decoded spellings', async () => {
  const failures: string[] = [];
  for (const caller of callers) {
    const server = caller.server();
    for (const [portName, port] of [
      ['asr', server.asrPort],
      ['tts', server.ttsPort],
    ] as const) {
      for (const streamPath of [
        '/v1/audio/stream',
        '/v1/asr/stream',
        '/v1/tts/stream',
        '/v1/listen',
        '/v1/speak',
        '/v1/ai/speech/stream',
      ]) {
        // LMNT's socket authenticates in its first message (its SDK cannot set headers): a handshake that lacks only
        // the token is accepted and judged there (the next test); Origin and Host refusals still come first.
        if (streamPath === '/v1/ai/speech/stream' && caller.refusal === 401 && !('Origin' in caller.headers(port))) continue;
        for (const [name, path] of Object.entries(spellings(streamPath, port))) {
          if (name === 'absolute-form') continue; // the ws client cannot send an absolute-form request line
          const sep = path.includes('?') ? '&' : '?';
          const outcome = await handshake(`ws://127.0.0.1:${port}${path}${sep}model=tone-alphabet`, caller.headers(port));
          const okOutcomes =
            name === 'canonical'
              ? [`close 44${String(caller.refusal).slice(1)}`]
              : [`close 44${String(caller.refusal).slice(1)}`, 'http 404'];
          if (!okOutcomes.includes(outcome)) failures.push(`${caller.name}: ${portName} ${path} (${name}) → ${outcome}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
  // With the token, the spellings the router decodes open the stream; the others are 404.
  const withToken = { Authorization: `Bearer ${TOKEN}` };
  assert.equal(await handshake(`ws://127.0.0.1:${strict.asrPort}/%761/audio/stream?model=tone-alphabet`, withToken), 'ready');
  assert.equal(await handshake(`ws://127.0.0.1:${strict.asrPort}/V1/audio/stream?model=tone-alphabet`, withToken), 'http 404');
  assert.equal(await handshake(`ws://127.0.0.1:${strict.asrPort}/v1/audio/stream/?model=tone-alphabet`, withToken), 'http 404');
});

test('LMNT speech socket: without the token, the init message is judged like a Bearer token', async () => {
  const outcome = (init: Record<string, unknown>) =>
    new Promise<{ close: number; error: any }>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${strict.ttsPort}/v1/ai/speech/stream`);
      let error: any = null;
      ws.on('open', () => ws.send(JSON.stringify(init)));
      ws.on('message', (d, binary) => {
        if (!binary) {
          const m = JSON.parse(String(d));
          if (m.type === 'error') error = m;
          if (m.type === 'ready') ws.close(1000);
        }
      });
      ws.on('close', (close) => resolve({ close, error }));
      ws.on('error', () => undefined);
    });
  const none = await outcome({ voice: 'x', format: 'pcm_s16le' });
  assert.equal(none.close, 4401);
  assert.equal(none.error.error.type, 'authentication_error');
  const wrong = await outcome({ 'X-API-Key': 'wrong-token-0123456789abcdef', voice: 'x', format: 'pcm_s16le' });
  assert.equal(wrong.close, 4401);
  const right = await outcome({ 'X-API-Key': TOKEN, voice: 'x', format: 'pcm_s16le' });
  assert.equal(right.close, 1000, 'ready, then closed by the client');
});
