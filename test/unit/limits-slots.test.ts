// Limits: defaults, validation, and the shared stream-slot counter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, resolveLimits, StreamSlots } from '../../src-main/core/api/limits.js';

test('defaults match docs/PROTOCOL.md and overrides are validated', () => {
  assert.equal(DEFAULT_LIMITS.maxFrameBytes, 1024 * 1024);
  assert.equal(DEFAULT_LIMITS.maxJsonBytes, 64 * 1024);
  assert.equal(DEFAULT_LIMITS.maxTtsTextChars, 100_000);
  assert.equal(resolveLimits({ maxConcurrentStreams: 3 }).maxConcurrentStreams, 3);
  assert.throws(() => resolveLimits({ idleTimeoutMs: 0 }), /idleTimeoutMs must be a positive number/);
  assert.throws(() => resolveLimits({ maxFrameBytes: Number.NaN }), /maxFrameBytes/);
});

test('stream slots: at most max at once; release is idempotent', () => {
  const s = new StreamSlots(2);
  const a = s.acquire()!;
  const b = s.acquire()!;
  assert.equal(s.acquire(), null);
  assert.equal(s.active, 2);
  a();
  a();
  assert.equal(s.active, 1);
  assert.ok(s.acquire());
  b();
  assert.equal(s.active, 1);
});
