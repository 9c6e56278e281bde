// The live-stream governor (sessions/live-governor.ts) through Admission: admission follows the measured lag of
// the streams it admitted — warnings, a lowered ceiling, the newest stream shed first, never one under the floor,
// and the ceiling probed back up once lag is gone. A hand-driven clock and lag; no wall-clock assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, OverloadedError } from '../../src-main/core/sessions/admission.js';
import { LOWER_EVERY_MS, RAISE_AFTER_MS, SHED_LAG_MS, WARN_EVERY_MS } from '../../src-main/core/sessions/live-governor.js';
import type { AsrCapacity, AsrEngine } from '../../src-main/core/engine/types.js';

function setup(opts: { liveStreams?: number; minLiveStreams?: number } = {}) {
  const clock = { now: 0, mainLag: 0 };
  const capacity: AsrCapacity = { liveStreams: opts.liveStreams ?? 10, liveActive: 0, rtf: 0.05, workers: 1, lagMs: 0 };
  const asr: AsrEngine = {
    backend: 'sherpa',
    modelId: 'm',
    language: 'en',
    sampleRate: 16000,
    activeStreams: 0,
    createStream: () => {
      throw new Error('unused');
    },
    capacity: () => capacity,
  };
  const a = new Admission({
    maxLiveStreams: 64,
    maxBatchJobs: 1,
    minLiveStreams: opts.minLiveStreams ?? 1,
    governor: { now: () => clock.now, mainThreadLagMs: () => clock.mainLag, timer: false },
  });
  const events: string[] = [];
  const releases = new Map<string, () => void>();
  const admit = (name: string) => {
    const release = a.admitLive(asr, {
      warn: (m) => events.push(`warn ${name}: ${m}`),
      shed: (m) => {
        events.push(`shed ${name}: ${m}`);
        releases.get(name)!(); // the session ends and gives its slot back
      },
    });
    releases.set(name, release);
  };
  /** Advance the clock by `ms` and let the governor look. */
  const at = (ms: number) => {
    clock.now += ms;
    a.governor.tick();
  };
  return { a, asr, capacity, clock, events, admit, at };
}

test('lag over the bound warns every live stream (rate-limited), refuses new streams and lowers the ceiling', () => {
  const { a, asr, capacity, events, admit, at } = setup();
  for (const n of ['s1', 's2', 's3']) admit(n);
  at(250);
  assert.equal(events.length, 0);
  capacity.lagMs = 600;
  at(250);
  assert.equal(events.length, 3);
  assert.match(events[0]!, /^warn s1: the server is 600 ms behind real time on m; finals may be late$/);
  assert.throws(
    () => admit('s4'),
    (e: unknown) =>
      e instanceof OverloadedError &&
      /^server at capacity: 3 of 2 live streams on m; .*lowered from 10 when admitted streams fell behind/.test(e.message),
  );
  // Under the shed threshold nobody is shed, but the ceiling is one below what runs now.
  assert.equal(a.liveCapacity(asr), 2);
  at(250);
  assert.equal(events.length, 3, `warnings at most every ${WARN_EVERY_MS} ms`);
  at(WARN_EVERY_MS);
  assert.equal(events.filter((e) => e.startsWith('warn')).length, 6);
  assert.ok(!events.some((e) => e.startsWith('shed')));
});

test('lag that stays over the shed threshold sheds the newest streams first, one per step, while it does not shrink', () => {
  const { a, asr, capacity, events, admit, at } = setup();
  for (const n of ['s1', 's2', 's3', 's4']) admit(n);
  capacity.lagMs = SHED_LAG_MS + 500;
  at(250);
  const sheds = () => events.filter((e) => e.startsWith('shed'));
  assert.deepEqual(
    sheds().map((e) => e.split(':')[0]),
    ['shed s4'],
  );
  assert.match(sheds()[0]!, /^shed s4: stream shed: the server is 1500 ms behind real time on m with 4 live streams; it keeps 3 real-time/);
  assert.equal(a.liveOn(asr), 3);
  // Not again before LOWER_EVERY_MS.
  at(250);
  assert.equal(sheds().length, 1);
  // Still behind and not shrinking: the next newest goes.
  at(LOWER_EVERY_MS);
  assert.deepEqual(
    sheds().map((e) => e.split(':')[0]),
    ['shed s4', 'shed s3'],
  );
  // Lag shrinking since the last shed: the rest are kept while it recovers.
  capacity.lagMs = SHED_LAG_MS + 200;
  at(LOWER_EVERY_MS);
  assert.equal(sheds().length, 2);
  assert.equal(a.liveOn(asr), 2);
  assert.throws(() => admit('s5'), OverloadedError);
});

test('streams under the floor (minLiveStreams) are never shed', () => {
  const { a, asr, capacity, events, admit, at } = setup({ minLiveStreams: 2 });
  for (const n of ['s1', 's2', 's3']) admit(n);
  capacity.lagMs = 5000;
  for (let i = 0; i < 10; i++) at(LOWER_EVERY_MS);
  assert.deepEqual(
    events.filter((e) => e.startsWith('shed')).map((e) => e.split(':')[0]),
    ['shed s3'],
  );
  assert.equal(a.liveOn(asr), 2);
});

test("the main thread's event-loop delay counts as lag (audio and finals wait there too)", () => {
  const { clock, events, admit, at } = setup();
  admit('s1');
  admit('s2');
  clock.mainLag = SHED_LAG_MS + 100;
  at(250);
  assert.ok(events.some((e) => e.startsWith('shed s2') && /1100 ms behind/.test(e)));
  assert.ok(!events.some((e) => e.startsWith('shed s1')));
});

test('once lag is gone the ceiling rises one stream at a time, back to the engine estimate', () => {
  const { a, asr, capacity, admit, at } = setup({ liveStreams: 4 });
  for (const n of ['s1', 's2', 's3']) admit(n);
  capacity.lagMs = 400;
  at(250);
  assert.equal(a.liveCapacity(asr), 2);
  capacity.lagMs = 0;
  at(RAISE_AFTER_MS - 500);
  assert.equal(a.liveCapacity(asr), 2, 'not before the lag has been gone long enough');
  at(500);
  assert.equal(a.liveCapacity(asr), 3);
  assert.throws(() => admit('s4'), OverloadedError);
  at(RAISE_AFTER_MS);
  assert.equal(a.liveCapacity(asr), 4, 'back to the engine estimate (the ceiling no longer binds)');
  admit('s4');
  assert.throws(() => admit('s5'), OverloadedError);
});
