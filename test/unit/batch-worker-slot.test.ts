// The batch worker's place (engine/batch-worker-slot.ts): one worker for every batch stream at a time, started at
// the first, stopped idleMs after the last unless a stream comes first, and handed over whole at engine close.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWorkerSlot } from '../../src-main/core/engine/batch-worker-slot.js';

function fakeWorker() {
  const w = {
    streams: new Set<string>(),
    terminated: 0,
    rpc: { terminate: async () => void w.terminated++, dead: null as Error | null },
  };
  return w;
}

test('one worker for concurrent batch streams; stopped idleMs after the last one ends', async () => {
  let started = 0;
  const slot = new BatchWorkerSlot(() => (started++, fakeWorker()), 30);
  const { worker: a, release: releaseA } = slot.acquire();
  a.streams.add('s1');
  const { worker: b, release: releaseB } = slot.acquire();
  b.streams.add('s2');
  assert.equal(a, b);
  assert.equal(started, 1);
  a.streams.delete('s1');
  releaseA();
  await sleep(60);
  assert.equal(a.terminated, 0, 'a stream is still open on it');
  a.streams.delete('s2');
  releaseB();
  assert.equal(slot.worker, a);
  await sleep(80);
  assert.equal(a.terminated, 1);
  assert.equal(slot.worker, null);
  const { worker: c } = slot.acquire();
  assert.notEqual(c, a, 'a stream after the stop gets a fresh worker');
  assert.equal(started, 2);
});

test('a stream that comes before the idle time is up keeps the worker; take() empties the slot for close', async () => {
  const slot = new BatchWorkerSlot(fakeWorker, 40);
  const { worker: w, release } = slot.acquire();
  release();
  await sleep(10);
  const { worker: again } = slot.acquire();
  assert.equal(again, w);
  again.streams.add('s');
  await sleep(80);
  assert.equal(w.terminated, 0);
  assert.equal(slot.take(), w);
  assert.equal(slot.worker, null);
  assert.equal(slot.take(), null);
});

test('a batch worker that died is not reused: the next stream gets a fresh one', () => {
  let started = 0;
  const slot = new BatchWorkerSlot(() => (started++, fakeWorker()), 1000);
  const { worker: a, release } = slot.acquire();
  a.rpc.dead = new Error('inference worker stopped unexpectedly (exit code 1)');
  release();
  const { worker: b } = slot.acquire();
  assert.notEqual(b, a);
  assert.equal(started, 2);
  assert.equal(slot.worker, b);
  slot.take();
});
