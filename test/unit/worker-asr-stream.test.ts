// The host side of a worker-decoded stream (engine/worker-asr-stream.ts): what it knows from the worker's
// progress reports — audio still waiting (pendingMs, drained) and how far behind real time it is (lagMs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerAsrStream, type AsrStreamChannel } from '../../src-main/core/engine/worker-asr-stream.js';

function stream(batch = false) {
  const writes: number[] = [];
  const channel: AsrStreamChannel = {
    write: (_id, samples) => void writes.push(samples.length),
    flush: async () => null,
    close: async () => null,
  };
  return { s: new WorkerAsrStream('t', 16000, channel, () => undefined, batch), writes };
}

test('pendingMs follows the worker progress; drained() resolves once the backlog is small enough', async () => {
  const { s } = stream(true);
  assert.equal(s.batch, true);
  for (let i = 0; i < 30; i++) s.write(new Float32Array(1600));
  assert.equal(s.pendingMs, 3000);
  let drained = false;
  const wait = s.drained(1000).then(() => (drained = true));
  s.progress(1500);
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false, 'still 1.5 s waiting');
  s.progress(2100);
  await wait;
  assert.equal(s.pendingMs, 900);
  await s.drained(5000); // already below
});

test('lagMs: 0 while the worker keeps up or the audio is ahead of real time; grows once due audio waits', async () => {
  const { s } = stream();
  s.write(new Float32Array(16000 * 2)); // 2 s at once: due over the next 2 s
  assert.equal(s.lagMs(), 0, 'audio ahead of real time is not late');
  const now = performance.now();
  assert.ok(s.lagMs(now + 3000) >= 900 && s.lagMs(now + 3000) <= 3000, `undecoded 3 s later: ${s.lagMs(now + 3000)}`);
  s.progress(1800);
  assert.equal(s.lagMs(now + 3000), 0, 'a small remainder (under 0.5 s) is no lag');
  s.progress(2000);
  assert.equal(s.pendingMs, 0);
  assert.equal(s.lagMs(now + 60_000), 0);
});

test('close wakes anyone waiting for the backlog to drain', async () => {
  const { s } = stream();
  s.write(new Float32Array(16000 * 5));
  const wait = s.drained(0);
  await s.close();
  await wait;
});
