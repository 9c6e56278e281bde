// The decode order inside inference workers (engine/realtime-order.ts): virtual-clock deadlines and the
// two classes — due live audio first, then bursts and batch work — so a burst cannot make a live stream late.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DUE_SLACK_MS, pickNext, VirtualClock, type QueuedWork } from '../../src-main/core/engine/realtime-order.js';

test('virtual clock: real-time audio is due as it arrives; a burst is due spread over its own duration', () => {
  const live = new VirtualClock();
  assert.deepEqual(live.stamp(1000, 100), { startMs: 1000, endMs: 1100 });
  assert.deepEqual(live.stamp(1100, 100), { startMs: 1100, endMs: 1200 });
  assert.equal(live.leadMs(1200), 0);
  const burst = new VirtualClock();
  // 115 s sent at t=1000 in 10 s writes: the last write is due 115 s later, not now.
  for (let i = 0; i < 11; i++) burst.stamp(1000, 10_000);
  assert.deepEqual(burst.stamp(1000, 5_000), { startMs: 111_000, endMs: 116_000 });
  assert.equal(burst.leadMs(1000), 115_000);
  // A pause resets nothing in the past: audio after a long silence is due when it arrives.
  assert.deepEqual(burst.stamp(500_000, 100), { startMs: 500_000, endMs: 500_100 });
});

test('due live work comes first (least recently served first), then bursts and batch by deadline', () => {
  const now = 10_000;
  const never = Number.NEGATIVE_INFINITY;
  const q = new Map<string, QueuedWork | null>([
    ['burst-ahead', { deadlineMs: now + 60_000, batch: false, servedAtMs: never }],
    ['batch-overdue', { deadlineMs: now - 5_000, batch: true, servedAtMs: never }],
    ['live-late', { deadlineMs: now - 200, batch: false, servedAtMs: now - 10 }],
    ['live-now', { deadlineMs: now + 50, batch: false, servedAtMs: now - 20 }],
    ['live-new', { deadlineMs: now + 60, batch: false, servedAtMs: never }],
    ['idle', null],
  ]);
  const order: string[] = [];
  for (;;) {
    const next = pickNext(q.keys(), (k) => q.get(k) ?? null, now);
    if (!next) break;
    order.push(next);
    q.set(next, null);
  }
  // Batch work waits for every due live stream even when its own deadline is older.
  assert.deepEqual(order, ['live-new', 'live-now', 'live-late', 'batch-overdue', 'burst-ahead']);
});

test('audio ahead of real time becomes due as time passes; a burst that fell behind shares fairly with a live stream', () => {
  const never = Number.NEGATIVE_INFINITY;
  const work = { deadlineMs: 5_000 + DUE_SLACK_MS + 1, batch: false, servedAtMs: never };
  const other = { deadlineMs: 4_000 + 60_000, batch: true, servedAtMs: never };
  const head = (k: string) => (k === 'a' ? work : other);
  assert.equal(pickNext(['b', 'a'], head, 5_000), 'a', 'class 2: earliest deadline wins');
  const live = { deadlineMs: 5_100, batch: false, servedAtMs: never };
  assert.equal(
    pickNext(['a', 'l'], (k) => (k === 'a' ? work : live), 5_000),
    'l',
    'due live beats ahead audio',
  );
  assert.equal(
    pickNext(['l', 'a'], (k) => (k === 'a' ? work : { ...live, deadlineMs: 9_999 }), 5_000),
    'a',
    'among audio ahead of real time the earlier deadline goes first',
  );
  assert.equal(
    pickNext(['a', 'l'], (k) => (k === 'a' ? work : live), 5_600),
    'l',
    'once due, the stream served less recently goes first',
  );
  // A burst whose old audio is overdue (the worker fell behind) takes turns with a live stream, not precedence.
  const burst = { deadlineMs: 1_000, batch: false, servedAtMs: 5_590 };
  assert.equal(
    pickNext(['burst', 'l'], (k) => (k === 'burst' ? burst : { ...live, servedAtMs: 5_580 }), 5_600),
    'l',
  );
  assert.equal(
    pickNext(['burst', 'l'], (k) => (k === 'burst' ? burst : { ...live, servedAtMs: 5_595 }), 5_600),
    'burst',
  );
});
