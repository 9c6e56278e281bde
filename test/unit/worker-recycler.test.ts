// Idle workers are replaced by fresh ones (engine/worker-recycler.ts): only a worker that has done work and
// has none; work that arrives while the fresh one loads stays on the old one, which is stopped only once that
// work is released; a failed start keeps the old worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { recycleIdleMsFromEnv, WorkerRecycler, DEFAULT_RECYCLE_IDLE_MS } from '../../src-main/core/engine/worker-recycler.js';

interface FakeWorker {
  n: number;
  stopped: boolean;
}

function fixture(idleMs = 0, startDelayMs = 0) {
  let made = 0;
  const stopped: number[] = [];
  let failNext = false;
  const start = async (): Promise<FakeWorker> => {
    await sleep(startDelayMs);
    if (failNext) {
      failNext = false;
      throw new Error('cannot start');
    }
    return { n: ++made, stopped: false };
  };
  const recycler = new WorkerRecycler<FakeWorker>(
    { n: 0, stopped: false },
    {
      idleMs,
      start,
      stop: async (w) => {
        w.stopped = true;
        stopped.push(w.n);
      },
    },
  );
  return { recycler, stopped, failOnce: () => (failNext = true) };
}

test('an unused worker is never replaced; one that did work is, once it has none', async () => {
  const { recycler, stopped } = fixture();
  assert.equal(await recycler.recycleNow(), false, 'never used');
  const work = recycler.acquire();
  assert.equal(await recycler.recycleNow(), false, 'busy');
  work.release();
  work.release(); // twice counts once
  assert.equal(await recycler.recycleNow(), true);
  assert.equal(recycler.generation, 1);
  assert.equal(recycler.current.n, 1);
  assert.deepEqual(stopped, [0]);
  assert.equal(await recycler.recycleNow(), false, 'the fresh worker has done nothing yet');
});

test('a status call (grows=false) does not make a worker worth replacing', async () => {
  const { recycler } = fixture();
  recycler.acquire(false).release();
  assert.equal(await recycler.recycleNow(), false);
});

test('the idle timer replaces the worker by itself; new work before it fires cancels it', async () => {
  const { recycler, stopped } = fixture(60);
  recycler.acquire().release();
  const again = recycler.acquire(); // work resumes within the idle time
  await sleep(150);
  assert.equal(recycler.generation, 0, 'busy again: not replaced');
  again.release();
  for (let i = 0; i < 50 && recycler.generation === 0; i++) await sleep(20);
  assert.equal(recycler.generation, 1);
  assert.deepEqual(stopped, [0]);
});

test('work that starts while the fresh worker loads stays on the old one, which stops only after it ends', async () => {
  const { recycler, stopped } = fixture(0, 100);
  recycler.acquire().release();
  const swap = recycler.recycleNow();
  await sleep(20); // the fresh worker is loading
  const late = recycler.acquire();
  assert.equal(late.worker.n, 0, 'new work goes to the worker that is running');
  await swap;
  assert.equal(recycler.current.n, 1, 'swapped');
  assert.equal(late.worker.stopped, false, 'not stopped under its work');
  assert.deepEqual(
    recycler.all.map((w) => w.n),
    [1, 0],
  );
  assert.equal(recycler.acquire().worker.n, 1, 'later work goes to the fresh worker');
  late.release();
  await sleep(0);
  assert.deepEqual(stopped, [0]);
  assert.deepEqual(
    recycler.all.map((w) => w.n),
    [1],
  );
});

test('a fresh worker that fails to start leaves the old one serving', async () => {
  const { recycler, stopped, failOnce } = fixture();
  recycler.acquire().release();
  failOnce();
  assert.equal(await recycler.recycleNow(), false);
  assert.equal(recycler.current.n, 0);
  assert.deepEqual(stopped, []);
  recycler.acquire().release();
  assert.equal(await recycler.recycleNow(), true, 'tried again after more work');
});

test('close() during a swap stops the fresh worker and returns the running ones', async () => {
  const { recycler, stopped } = fixture(0, 50);
  recycler.acquire().release();
  void recycler.recycleNow();
  await sleep(10);
  const left = await recycler.close();
  assert.deepEqual(
    left.map((w) => w.n),
    [0],
  );
  assert.deepEqual(stopped, [1]);
  assert.equal(await recycler.recycleNow(), false, 'closed');
});

test('EARSHOT_WORKER_RECYCLE_MS: a number of ms, 0 turns it off; anything else is an error', () => {
  assert.equal(recycleIdleMsFromEnv({}), DEFAULT_RECYCLE_IDLE_MS);
  assert.equal(recycleIdleMsFromEnv({ EARSHOT_WORKER_RECYCLE_MS: '0' }), 0);
  assert.equal(recycleIdleMsFromEnv({ EARSHOT_WORKER_RECYCLE_MS: '2500' }), 2500);
  assert.throws(() => recycleIdleMsFromEnv({ EARSHOT_WORKER_RECYCLE_MS: 'soon' }), /EARSHOT_WORKER_RECYCLE_MS/);
  assert.throws(() => recycleIdleMsFromEnv({ EARSHOT_WORKER_RECYCLE_MS: '-1' }), /EARSHOT_WORKER_RECYCLE_MS/);
});
