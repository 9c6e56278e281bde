// The pool of Silero VADs a worker thread keeps for its next streams (engine/backends/sherpa/vad-pool.ts): a VAD
// given back is reset and handed to the next stream of the same configuration, never to another configuration,
// never twice, and at most maxIdle wait. (The real VAD's reset is checked on speech in integration/vad-reuse.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Vad, VadConfig } from 'sherpa-onnx-node';
import { VadPool } from '../../src-main/core/engine/backends/sherpa/vad-pool.js';

function fakeVad(config: VadConfig) {
  return {
    config,
    resets: 0,
    reset() {
      this.resets++;
    },
  };
}
type FakeVad = ReturnType<typeof fakeVad>;

const config = (threshold: number): VadConfig => ({ sileroVad: { model: '/m/silero_vad.onnx', threshold }, sampleRate: 16000 });

function pool(maxIdle?: number) {
  const made: FakeVad[] = [];
  const p = new VadPool((c) => {
    const v = fakeVad(c);
    made.push(v);
    return v as unknown as Vad;
  }, maxIdle);
  return { p, made };
}

test('a VAD given back is reset and taken by the next stream of the same configuration', () => {
  const { p, made } = pool();
  const a = p.take(config(0.5)) as unknown as FakeVad;
  assert.equal(made.length, 1);
  p.give(config(0.5), a as unknown as Vad);
  assert.equal(a.resets, 1, 'reset when given back');
  assert.deepEqual(p.stats, { made: 1, reused: 0, idle: 1 });
  const b = p.take(config(0.5));
  assert.equal(b, a as unknown as Vad, 'the same VAD, not a new one');
  assert.deepEqual(p.stats, { made: 1, reused: 1, idle: 0 });
  const c = p.take(config(0.5));
  assert.notEqual(c, b, 'the pool is empty again: a new one');
  assert.equal(made.length, 2);
});

test('a VAD is never handed to another configuration (its threshold and durations are fixed when made)', () => {
  const { p, made } = pool();
  const a = p.take(config(0.5));
  p.give(config(0.5), a);
  const b = p.take(config(0.3)) as unknown as FakeVad;
  assert.notEqual(b as unknown as Vad, a);
  assert.equal(b.config.sileroVad?.threshold, 0.3);
  assert.equal(made.length, 2);
  assert.equal(p.stats.idle, 1, 'the 0.5 one still waits');
});

test('at most maxIdle wait; a VAD given back twice is kept once', () => {
  const { p } = pool(2);
  const vads = [p.take(config(0.5)), p.take(config(0.5)), p.take(config(0.5))];
  for (const v of vads) p.give(config(0.5), v);
  assert.equal(p.stats.idle, 2, 'the third is left to the GC');
  const { p: q } = pool();
  const v = q.take(config(0.5));
  q.give(config(0.5), v);
  q.give(config(0.5), v);
  assert.equal(q.stats.idle, 1);
  assert.equal(q.take(config(0.5)), v);
  assert.notEqual(q.take(config(0.5)), v, 'never to two streams at once');
});
