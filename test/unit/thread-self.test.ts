// A worker thread names itself and lowers its own CPU priority without touching the process's other threads
// (Linux: /proc/thread-self and setpriority on the thread id), which is what lets batch work run niced while
// the main thread and the live workers keep theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { currentThreadId, lowerThisThreadPriority, threadPriority } from '../../src-main/core/engine/thread-self.js';
import { spawnWorker } from '../../src-main/core/engine/worker-host.js';

const linux = process.platform === 'linux';

/** Runs `body` (an async function's source taking the thread-self module) in a fresh worker; resolves with its result. */
function inWorker<T>(body: string): Promise<T> {
  const moduleUrl = new URL('../../src-main/core/engine/thread-self.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const src = `import(${JSON.stringify(tsx)}).then(async (tsx) => { tsx.register(); const m = await import(${JSON.stringify(moduleUrl)});
    const { parentPort } = await import('node:worker_threads'); parentPort.postMessage(await (${body})(m)); });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(src, { eval: true });
    w.once('message', (v: T) => {
      resolve(v);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

test('currentThreadId: the main thread is the process id; a worker has its own id', { skip: !linux && 'Linux only' }, async () => {
  assert.equal(currentThreadId(), process.pid);
  const tid = await inWorker<number>('async (m) => m.currentThreadId()');
  assert.equal(typeof tid, 'number');
  assert.notEqual(tid, process.pid);
});

test('nameThisThread names the calling thread only (15 bytes kept)', { skip: !linux && 'Linux only' }, async () => {
  const mainName = readFileSync('/proc/thread-self/comm', 'utf8').trim();
  const r = await inWorker<{ ok: boolean; tid: number; name: string }>(
    `async (m) => ({ ok: m.nameThisThread('asr-test-worker-long-name'), tid: m.currentThreadId(),
       name: (await import('node:fs')).readFileSync('/proc/thread-self/comm', 'utf8').trim() })`,
  );
  assert.equal(r.ok, true);
  assert.equal(r.name, 'asr-test-worker');
  assert.equal(readFileSync('/proc/thread-self/comm', 'utf8').trim(), mainName, 'the main thread keeps its name');
});

test(
  'lowerThisThreadPriority lowers the calling worker thread, not the main thread; never raises',
  { skip: !linux && 'Linux only' },
  async () => {
    const before = getPriority(process.pid);
    const r = await inWorker<{ tid: number; first: number | null; second: number | null }>(
      'async (m) => ({ tid: m.currentThreadId(), first: m.lowerThisThreadPriority(Math.min(19, 10)), second: m.lowerThisThreadPriority(5) })',
    );
    assert.equal(r.first, Math.max(10, before));
    assert.equal(r.second, r.first, 'asking for a higher priority leaves it as it was');
    assert.equal(getPriority(process.pid), before, 'the main thread (and so the process) keeps its priority');
    assert.equal(threadPriority(process.pid), before);
  },
);

test('lowerThisThreadPriority refuses a nice value outside 1..19', () => {
  assert.throws(() => lowerThisThreadPriority(0), /1\.\.19/);
  assert.throws(() => lowerThisThreadPriority(20), /1\.\.19/);
  assert.throws(() => lowerThisThreadPriority(2.5), /1\.\.19/);
});

test(
  'spawnWorker with nice: the worker thread is niced before its module loads; without, it keeps the priority',
  { skip: !linux && 'Linux only' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-nice-'));
    try {
      // The module reports its thread's nice value as it loads (its first statement).
      const mod = join(dir, 'report-nice.mjs');
      writeFileSync(
        mod,
        `import { readlinkSync } from 'node:fs'; import { getPriority } from 'node:os'; import { parentPort } from 'node:worker_threads';
       parentPort.postMessage(getPriority(Number(readlinkSync('/proc/thread-self').split('/').pop())));`,
      );
      const niceOf = (nice?: number) =>
        new Promise<number>((resolve, reject) => {
          const w = spawnWorker(pathToFileURL(mod), undefined, {}, nice);
          w.once('message', (v: number) => {
            resolve(v);
            void w.terminate();
          });
          w.once('error', reject);
        });
      const base = getPriority(process.pid);
      assert.equal(await niceOf(Math.max(7, base)), Math.max(7, base));
      assert.equal(await niceOf(), base);
      assert.throws(() => spawnWorker(pathToFileURL(mod), undefined, {}, 0), /1\.\.19/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
