// Admission (sessions/admission.ts): live streams up to the engine's measured capacity (capped by the
// configured limit), batch jobs in their own slots; refusals say why and when to retry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, OverloadedError } from '../../src-main/core/sessions/index.js';
import { liveStreamsPerWorker, type AsrCapacity, type AsrEngine } from '../../src-main/core/engine/types.js';

function engineWith(cap: Partial<AsrCapacity>): AsrEngine {
  const capacity: AsrCapacity = { liveStreams: 3, liveActive: 0, rtf: 0.2, workers: 1, lagMs: 0, ...cap };
  return {
    backend: 'pocketsphinx',
    modelId: 'm',
    language: 'en',
    sampleRate: 16000,
    activeStreams: 0,
    createStream: () => {
      throw new Error('unused');
    },
    capacity: () => capacity,
  };
}

test('live streams are admitted up to the measured capacity, then refused with the reason; a release frees a slot', () => {
  const a = new Admission({ maxLiveStreams: 64, maxBatchJobs: 2 });
  const asr = engineWith({ liveStreams: 3, rtf: 0.21 });
  const held = [a.admitLive(asr), a.admitLive(asr), a.admitLive(asr)];
  assert.equal(a.liveOn(asr), 3);
  assert.throws(
    () => a.admitLive(asr),
    (e: unknown) =>
      e instanceof OverloadedError &&
      e.code === 'rate_limited' &&
      e.retryAfterS > 0 &&
      /^server at capacity: 3 of 3 live streams on m; try again in \d+ s \(it keeps 3 real-time: measured real-time factor 0\.210/.test(
        e.message,
      ),
  );
  held[0]!();
  held[0]!(); // idempotent
  assert.equal(a.liveOn(asr), 2);
  a.admitLive(asr);
  // Another engine has its own capacity.
  const other = engineWith({ liveStreams: 1 });
  a.admitLive(other);
  assert.throws(() => a.admitLive(other), OverloadedError);
});

test('while an admitted live stream is more than a second behind real time, no new one is admitted', () => {
  const a = new Admission({ maxLiveStreams: 64, maxBatchJobs: 1 });
  const cap: Partial<AsrCapacity> = { liveStreams: 10, lagMs: 0 };
  const asr = engineWith(cap);
  const capacity = asr.capacity();
  a.admitLive(asr);
  capacity.lagMs = 1500;
  assert.throws(
    () => a.admitLive(asr),
    (e: unknown) =>
      e instanceof OverloadedError && /1 live streams on m and the engine is 1500 ms behind real time; try again in \d+ s/.test(e.message),
  );
  capacity.lagMs = 200;
  a.admitLive(asr);
});

test('the configured limit caps the measurement; batch jobs have their own slots', () => {
  const a = new Admission({ maxLiveStreams: 2, maxBatchJobs: 1 });
  const asr = engineWith({ liveStreams: 50 });
  assert.equal(a.liveCapacity(asr), 2);
  a.admitLive(asr);
  a.admitLive(asr);
  assert.throws(() => a.admitLive(asr), OverloadedError);
  const job = a.admitBatch();
  assert.throws(
    () => a.admitBatch(),
    (e: unknown) => e instanceof OverloadedError && /1 file transcriptions are already running \(limit 1/.test(e.message),
  );
  job();
  a.admitBatch();
});

test('a configured floor admits that many even when the measurement is lower (never above the limit)', () => {
  const a = new Admission({ maxLiveStreams: 4, minLiveStreams: 3, maxBatchJobs: 1 });
  assert.equal(a.liveCapacity(engineWith({ liveStreams: 1 })), 3);
  assert.equal(a.liveCapacity(engineWith({ liveStreams: 9 })), 4);
  assert.equal(new Admission({ maxLiveStreams: 2, minLiveStreams: 5, maxBatchJobs: 1 }).liveCapacity(engineWith({ liveStreams: 1 })), 2);
});

test('streams per worker follow the measured real-time factor, with headroom, never below one', () => {
  assert.equal(liveStreamsPerWorker(0.125), 5); // ~8x real time → 5 streams at 70 % load
  assert.equal(liveStreamsPerWorker(0.01), 70);
  assert.equal(liveStreamsPerWorker(2), 1);
  assert.equal(liveStreamsPerWorker(Number.NaN), 1);
});
