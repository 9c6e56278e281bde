import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchScheduler } from '../../src-main/core/engine/backends/sherpa/batch-scheduler.js';

/** A fake stream: `chunks` = decodable chunks waiting. */
type Fake = { name: string; chunks: number; decoded: number };

function harness(maxBatch = 32) {
  const batches: string[][] = [];
  const queue: (() => void)[] = [];
  const s = new BatchScheduler<Fake>(
    {
      isReady: (f) => f.chunks > 0,
      decode: (batch) => {
        batches.push(batch.map((f) => f.name));
        for (const f of batch) f.chunks--;
      },
      afterDecode: (f) => f.decoded++,
    },
    maxBatch,
    (fn) => queue.push(fn),
  );
  const drain = () => {
    while (queue.length) queue.shift()!();
  };
  return { s, batches, drain };
}

test('batch scheduler decodes every ready stream in one call, repeating until none is ready', () => {
  const { s, batches, drain } = harness();
  const a = { name: 'a', chunks: 2, decoded: 0 };
  const b = { name: 'b', chunks: 1, decoded: 0 };
  const c = { name: 'c', chunks: 0, decoded: 0 };
  for (const f of [a, b, c]) s.add(f);
  s.kick();
  s.kick(); // coalesced
  drain();
  assert.deepEqual(batches, [['a', 'b'], ['a']]);
  assert.deepEqual([a.decoded, b.decoded, c.decoded], [2, 1, 0]);
  assert.deepEqual(s.stats, { batches: 2, decoded: 3, largestBatch: 2, idleRounds: 0 });
});

test('batch scheduler caps the batch size and forgets deleted streams', () => {
  const { s, batches, drain } = harness(2);
  const fakes = ['a', 'b', 'c'].map((name) => ({ name, chunks: 1, decoded: 0 }));
  for (const f of fakes) s.add(f);
  s.delete(fakes[1]!);
  fakes.push({ name: 'd', chunks: 1, decoded: 0 });
  s.add(fakes[3]!);
  s.kick();
  drain();
  assert.deepEqual(batches, [['a', 'c'], ['d']]);
  assert.throws(() => new BatchScheduler({ isReady: () => false, decode: () => {}, afterDecode: () => {} }, 0), /maxBatch/);
});

/** Live-first harness: `due` marks live audio whose real time has come; rests are recorded, run by hand. */
function liveFirstHarness(maxBatch = 32) {
  type Item = Fake & { due: boolean };
  const batches: string[][] = [];
  const queue: (() => void)[] = [];
  const rests: { fn: () => void; cancelled: boolean }[] = [];
  const s = new BatchScheduler<Item>(
    {
      isReady: (f) => f.chunks > 0,
      isUrgent: (f) => f.due,
      decode: (batch) => {
        batches.push(batch.map((f) => f.name));
        for (const f of batch) f.chunks--;
      },
      afterDecode: (f) => f.decoded++,
    },
    maxBatch,
    (fn) => queue.push(fn),
    (fn) => {
      const r = { fn, cancelled: false };
      rests.push(r);
      return { cancel: () => (r.cancelled = true) };
    },
  );
  const drain = () => {
    while (queue.length) queue.shift()!();
  };
  return { s, batches, drain, rests };
}

test('due live audio is decoded alone, before a burst or batch stream that is ready too', () => {
  const { s, batches, drain, rests } = liveFirstHarness();
  const burst = { name: 'burst', chunks: 100, decoded: 0, due: false };
  const live1 = { name: 'live1', chunks: 2, decoded: 0, due: true };
  const live2 = { name: 'live2', chunks: 1, decoded: 0, due: true };
  for (const f of [burst, live1, live2]) s.add(f);
  s.kick();
  drain();
  // Two rounds of due live audio (the burst stays out), then one round of the burst, then a rest.
  assert.deepEqual(batches, [['live1', 'live2'], ['live1'], ['burst']]);
  assert.equal(s.stats.idleRounds, 1);
  assert.equal(rests.length, 1, 'after a round that was not due the worker rests instead of running on');
  // New live audio ends the rest at once and goes first again.
  live2.chunks = 1;
  s.kick();
  assert.equal(rests[0]!.cancelled, true);
  drain();
  assert.deepEqual(batches.slice(3), [['live2'], ['burst']]);
  // The rest over, the burst goes on (one round per rest).
  rests.at(-1)!.fn();
  drain();
  assert.deepEqual(batches.slice(5), [['burst']]);
  assert.equal(burst.decoded, 3);
});

test('beyond maxBatch, due streams take turns (a decoded stream goes to the back)', () => {
  const { s, batches, drain } = liveFirstHarness(2);
  const fakes = ['a', 'b', 'c'].map((name) => ({ name, chunks: 2, decoded: 0, due: true }));
  for (const f of fakes) s.add(f);
  s.kick();
  drain();
  assert.deepEqual(batches, [
    ['a', 'b'],
    ['c', 'a'],
    ['b', 'c'],
  ]);
});

test('while live streams are behind (idleAllowed false), work that is not due waits; then it goes on', () => {
  let allowed = false;
  const batches: string[][] = [];
  const queue: (() => void)[] = [];
  const rests: (() => void)[] = [];
  const s = new BatchScheduler<Fake & { due: boolean }>(
    {
      isReady: (f) => f.chunks > 0,
      isUrgent: (f) => f.due,
      idleAllowed: () => allowed,
      decode: (batch) => {
        batches.push(batch.map((f) => f.name));
        for (const f of batch) f.chunks--;
      },
      afterDecode: (f) => f.decoded++,
    },
    32,
    (fn) => queue.push(fn),
    (fn) => {
      rests.push(fn);
      return { cancel: () => undefined };
    },
  );
  const drain = () => {
    while (queue.length) queue.shift()!();
  };
  const live = { name: 'live', chunks: 1, decoded: 0, due: true };
  const upload = { name: 'upload', chunks: 5, decoded: 0, due: false };
  s.add(upload);
  s.add(live);
  s.kick();
  drain();
  assert.deepEqual(batches, [['live']], 'the live chunk, and nothing else while held');
  assert.equal(rests.length, 1, 'the held work is looked at again later');
  rests.shift()!();
  drain();
  assert.deepEqual(batches, [['live']]);
  allowed = true;
  rests.shift()!();
  drain();
  assert.deepEqual(batches, [['live'], ['upload']]);
});
