// The stop registry: close() asks every piece of work to finish, waits at most the grace period, cuts the rest
// with a reason, and refuses nothing silently (work added during a stop is asked to finish at once).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkInProgress } from '../../src-main/core/api/work-in-progress.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('work that finishes when asked is not cut; stop resolves as soon as everything is done', async () => {
  const work = new WorkInProgress();
  const log: string[] = [];
  const remove = work.add({
    finish: async () => {
      log.push('finish');
      await sleep(20);
      remove();
    },
    cut: () => log.push('cut'),
  });
  const report = await work.stop(60_000);
  assert.deepEqual(report, { finished: 1, cut: 0 });
  assert.deepEqual(log, ['finish']);
  assert.equal(work.size, 0);
  assert.equal(work.isStopping, true);
});

test('work still running at the deadline is cut with a message that says why', async () => {
  const work = new WorkInProgress();
  const cuts: string[] = [];
  const removeQuick = work.add({ finish: () => removeQuick(), cut: () => cuts.push('quick') });
  work.add({ finish: () => undefined, cut: (m) => cuts.push(m) });
  const report = await work.stop(50);
  assert.deepEqual(report, { finished: 1, cut: 1 });
  assert.equal(cuts.length, 1);
  assert.match(cuts[0]!, /shutting down.*50 ms/);
});

test('a throwing finish or cut does not stop the others', async () => {
  const work = new WorkInProgress();
  const cut: string[] = [];
  work.add({
    finish: () => {
      throw new Error('boom');
    },
    cut: () => {
      throw new Error('boom');
    },
  });
  work.add({
    finish: async () => {
      throw new Error('boom');
    },
    cut: () => cut.push('b'),
  });
  const report = await work.stop(10);
  assert.deepEqual(report, { finished: 0, cut: 2 });
  assert.deepEqual(cut, ['b']);
});

test('work added while stopping is asked to finish at once', async () => {
  const work = new WorkInProgress();
  const hold = work.add({ finish: () => undefined, cut: () => undefined });
  const stopping = work.stop(1000);
  let asked = false;
  const late = work.add({
    finish: () => {
      asked = true;
      late();
    },
    cut: () => undefined,
  });
  await Promise.resolve();
  assert.equal(asked, true);
  hold();
  assert.deepEqual(await stopping, { finished: 2, cut: 0 });
});
