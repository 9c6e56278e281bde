import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PushToTalk } from '../../src-main/shell/push-to-talk.js';

// A manual clock: timers fire only when the test advances time.
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimer: (fn: () => void, ms: number) => {
      pending.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimer: (h: unknown) => void pending.delete(h as number),
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending])
        if (t.at <= now) {
          pending.delete(id);
          t.fn();
        }
    },
  };
}

test('auto-repeat keeps one hold; silence releases it once', () => {
  const clock = fakeTimers();
  const log: string[] = [];
  const ptt = new PushToTalk({ releaseAfterMs: 500, onStart: () => log.push('start'), onStop: () => log.push('stop'), ...clock });
  ptt.press();
  for (let i = 0; i < 10; i++) {
    clock.advance(100); // repeats every 100 ms
    ptt.press();
  }
  assert.deepEqual(log, ['start']);
  assert.equal(ptt.isHeld, true);
  clock.advance(499);
  assert.deepEqual(log, ['start']);
  clock.advance(1);
  assert.deepEqual(log, ['start', 'stop']);
  assert.equal(ptt.isHeld, false);
  ptt.press();
  assert.deepEqual(log, ['start', 'stop', 'start']);
});

test('explicit release stops at once and is idempotent', () => {
  const clock = fakeTimers();
  let stops = 0;
  const ptt = new PushToTalk({ onStart: () => {}, onStop: () => stops++, ...clock });
  ptt.release();
  assert.equal(stops, 0);
  ptt.press();
  ptt.release();
  ptt.release();
  clock.advance(10_000);
  assert.equal(stops, 1);
});
