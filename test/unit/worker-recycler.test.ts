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

/** Workers that can die: `kill(n)` makes worker n report its death, as a crashed worker thread does. */
function mortalFixture(opts: { idleMs?: number; startDelayMs?: number; failStarts?: number } = {}) {
  let made = 0;
  let failStarts = opts.failStarts ?? 0;
  const stopped: number[] = [];
  const deaths = new Map<number, () => void>();
  const recycler = new WorkerRecycler<FakeWorker>(
    { n: 0, stopped: false },
    {
      idleMs: opts.idleMs ?? 0,
      start: async () => {
        await sleep(opts.startDelayMs ?? 0);
        if (failStarts > 0) {
          failStarts--;
          throw new Error('cannot start');
        }
        return { n: ++made, stopped: false };
      },
      stop: async (w) => {
        w.stopped = true;
        stopped.push(w.n);
      },
      watch: (w, died) => deaths.set(w.n, died),
    },
  );
  /** Lets the replacement's start (and the dead worker's stop) run. */
  const settle = () => sleep((opts.startDelayMs ?? 0) + 20);
  return { recycler, stopped, kill: (n: number) => deaths.get(n)!(), settle };
}

test('a worker that dies is replaced at once, even with recycling off; work acquired meanwhile goes to the dead one', async () => {
  const { recycler, stopped, kill, settle } = mortalFixture({ idleMs: 0, startDelayMs: 30 });
  const streaming = recycler.acquire();
  kill(0);
  // While the fresh one loads, new work still goes to the dead worker (it fails fast there with the reason).
  const meanwhile = recycler.acquire();
  assert.equal(meanwhile.worker.n, 0);
  await settle();
  assert.equal(recycler.current.n, 1, 'a fresh worker took over');
  assert.equal(recycler.generation, 1);
  assert.deepEqual(stopped, [0], 'the dead one is stopped without waiting for its work to be released');
  assert.deepEqual(recycler.all, [recycler.current], 'nothing dead is kept');
  // Releasing work of the dead worker is harmless and does not touch the fresh one.
  streaming.release();
  meanwhile.release();
  assert.equal(recycler.acquire().worker.n, 1);
  assert.equal(await recycler.recycleNow(), false, 'the fresh worker is busy');
});

test('a fresh worker that cannot start is tried again at the next work', async () => {
  const { recycler, kill, settle } = mortalFixture({ failStarts: 1 });
  kill(0);
  await settle();
  assert.equal(recycler.current.n, 0, 'the start failed: still the dead one');
  const work = recycler.acquire(); // fails on the dead worker, and starts another try
  assert.equal(work.worker.n, 0);
  work.release();
  await settle();
  assert.equal(recycler.current.n, 1);
  assert.equal(recycler.generation, 1);
});

test('a retiring worker that dies is forgotten; a worker stopped on purpose, or after close, starts nothing', async () => {
  const { recycler, stopped, kill, settle } = mortalFixture({ startDelayMs: 30 });
  recycler.acquire().release();
  const swap = recycler.recycleNow();
  const onOld = recycler.acquire(); // arrives while the fresh one loads: stays on worker 0, which retires
  assert.equal(await swap, true);
  assert.deepEqual(
    recycler.all.map((w) => w.n),
    [1, 0],
  );
  kill(0);
  assert.deepEqual(
    recycler.all.map((w) => w.n),
    [1],
    'the dead retiring worker is gone',
  );
  onOld.release();
  await settle();
  assert.equal(recycler.generation, 1, 'no replacement for a worker that was not current');
  assert.deepEqual(stopped, [], 'a dead retiring worker is not stopped again');

  kill(1); // the current one dies, then the recycler closes before the replacement is in
  const left = await recycler.close();
  assert.deepEqual(
    left.map((w) => w.n),
    [1],
    'close returns the workers still held (the dead one, for the caller to stop)',
  );
  assert.deepEqual(stopped, [2], 'the replacement that loaded after close is stopped, not adopted');
  const generation = recycler.generation;
  kill(1);
  await settle();
  assert.equal(recycler.generation, generation, 'a death after close starts nothing');
});
