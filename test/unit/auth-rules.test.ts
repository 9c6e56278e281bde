// The auth decision of docs/PROTOCOL.md "Auth and origin", as pure functions, plus the token file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkAccess,
  createAuthPolicy,
  extractToken,
  hostAllowed,
  hostnameOf,
  isLoopbackHostname,
  loadOrCreateToken,
  originAllowed,
  tokenPath,
} from '../../src-main/core/api/auth.js';

const TOKEN = 'secret-token-abcdefghijklmnopqrstuvwxyz';
const policy = (p = {}) => createAuthPolicy({ token: TOKEN, ownPorts: [8088, 9999], ...p });
const req = (r: Partial<Parameters<typeof checkAccess>[0]>) => ({
  host: '127.0.0.1:8088',
  origin: undefined,
  authorization: undefined,
  ...r,
});

test('loopback host names and Host header parsing', () => {
  for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'app.localhost', '::ffff:127.0.0.1'])
    assert.ok(isLoopbackHostname(h), h);
  for (const h of ['evil.example', '10.0.0.1', '0.0.0.0', 'localhost.evil.example', '128.0.0.1']) assert.ok(!isLoopbackHostname(h), h);
  assert.equal(hostnameOf('127.0.0.1:8088'), '127.0.0.1');
  assert.equal(hostnameOf('[::1]:8088'), '::1');
  assert.equal(hostnameOf('LocalHost'), 'localhost');
  assert.ok(hostAllowed('localhost:8088', policy()));
  assert.ok(!hostAllowed('evil.example:8088', policy()));
  assert.ok(!hostAllowed(undefined, policy()));
  assert.ok(hostAllowed('speech.lan', policy({ allowedHosts: ['speech.lan'] })));
});

test('own UI origins and the allow-list', () => {
  assert.ok(originAllowed('http://127.0.0.1:8088', policy()));
  assert.ok(originAllowed('http://localhost:9999', policy()));
  assert.ok(!originAllowed('http://localhost:5173', policy()));
  assert.ok(originAllowed('http://localhost:5173/', policy({ allowedOrigins: ['http://localhost:5173'] })));
  assert.ok(!originAllowed('https://evil.example', policy()));
  assert.ok(!originAllowed('null', policy()));
});

test('token from Authorization: Bearer or ?token=', () => {
  assert.equal(extractToken('Bearer abc', null), 'abc');
  assert.equal(extractToken('bearer  abc ', null), 'abc');
  assert.equal(extractToken(undefined, 'q'), 'q');
  assert.equal(extractToken('Basic xyz', null), null);
});

test('the decision table', () => {
  const p = policy();
  // Native loopback client without Origin: token optional, and any other key is accepted too (OpenAI-style
  // SDKs always send one); only --require-token or a non-loopback bind refuse a wrong one (below).
  assert.deepEqual(checkAccess(req({}), p), { ok: true });
  assert.deepEqual(checkAccess(req({ authorization: 'Bearer sk-any-key' }), p), { ok: true });
  // Browser: Origin must be allowed AND carry the token.
  const evil = checkAccess(req({ origin: 'https://evil.example', authorization: `Bearer ${TOKEN}` }), p);
  assert.ok(!evil.ok && evil.status === 403 && evil.wsCloseCode === 4403);
  const own = checkAccess(req({ origin: 'http://127.0.0.1:8088' }), p);
  assert.ok(!own.ok && own.status === 401 && own.wsCloseCode === 4401 && own.grpcCode === 'UNAUTHENTICATED');
  assert.deepEqual(checkAccess(req({ origin: 'http://127.0.0.1:8088', queryToken: TOKEN }), p), { ok: true });
  // Forged Host (DNS rebinding): 403 even with the token.
  const host = checkAccess(req({ host: 'evil.example', authorization: `Bearer ${TOKEN}` }), p);
  assert.ok(!host.ok && host.status === 403);
  // --require-token, and a non-loopback bind, make the token mandatory for everyone.
  for (const strict of [policy({ requireToken: true }), policy({ bindHost: '0.0.0.0' })]) {
    const r = checkAccess(req({}), strict);
    assert.ok(!r.ok && r.status === 401);
    const wrong = checkAccess(req({ authorization: 'Bearer nope' }), strict);
    assert.ok(!wrong.ok && wrong.status === 401 && /invalid API token/.test(wrong.reason));
    assert.deepEqual(checkAccess(req({ authorization: `Bearer ${TOKEN}` }), strict), { ok: true });
  }
  // 'public' (/healthz) is open; 'ui' (static UI files) needs only a good Host; no level = protected.
  assert.deepEqual(
    checkAccess(req({ access: 'public', host: 'evil.example', origin: 'https://evil.example' }), policy({ requireToken: true })),
    { ok: true },
  );
  assert.deepEqual(checkAccess(req({ access: 'ui', origin: 'https://x.example' }), policy({ requireToken: true })), { ok: true });
  assert.equal(checkAccess(req({ access: 'ui', host: 'evil.example' }), p).ok, false);
  assert.equal(checkAccess(req({ origin: 'https://x.example' }), p).ok, false);
  assert.equal(checkAccess(req({ access: 'protected' }), policy({ requireToken: true })).ok, false);
});

test('token file: created once with mode 0600, stable, regenerable, permissions tightened', () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-token-'));
  try {
    const a = loadOrCreateToken({ dir });
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(statSync(tokenPath(dir)).mode & 0o777, 0o600);
    assert.equal(loadOrCreateToken({ dir }), a);
    chmodSync(tokenPath(dir), 0o644);
    assert.equal(loadOrCreateToken({ dir }), a);
    assert.equal(statSync(tokenPath(dir)).mode & 0o777, 0o600);
    const b = loadOrCreateToken({ dir, regenerate: true });
    assert.notEqual(b, a);
    assert.equal(loadOrCreateToken({ dir }), b);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
