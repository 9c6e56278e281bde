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
  assert.deepEqual(s.stats, { batches: 2, decoded: 3, largestBatch: 2 });
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
