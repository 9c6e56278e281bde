// `earshot serve`'s signal policy: the first stop signal starts the graceful stop; copies arriving within the
// window (a terminal's Ctrl-C reaches serve from the process group AND from bin/start.mjs's forwarding) are the
// same stop; a signal after the window means "exit now".
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { onStopSignals, SAME_STOP_WINDOW_MS, type StopSignal } from '../../src-main/stop-signals.js';

function harness() {
  const source = new EventEmitter();
  let clock = 0;
  const calls: string[] = [];
  const remove = onStopSignals(
    { stop: (s) => calls.push(`stop ${s}`), exitNow: (s) => calls.push(`exit ${s}`) },
    { source: source as never, now: () => clock },
  );
  return {
    calls,
    remove,
    source,
    signal(s: StopSignal, atMs: number) {
      clock = atMs;
      source.emit(s);
    },
  };
}

test('Ctrl-C under npm start (group SIGINT + forwarded SIGINT, ms apart) is one graceful stop', () => {
  const h = harness();
  h.signal('SIGINT', 1000);
  h.signal('SIGINT', 1003); // forwarded by bin/start.mjs
  h.signal('SIGINT', 1010); // forwarded by npm
  assert.deepEqual(h.calls, ['stop SIGINT']);
});

test('a SIGTERM right after the SIGINT is the same stop too', () => {
  const h = harness();
  h.signal('SIGTERM', 0);
  h.signal('SIGINT', SAME_STOP_WINDOW_MS);
  assert.deepEqual(h.calls, ['stop SIGTERM']);
});

test('a signal after the window means exit now (a person insisting)', () => {
  const h = harness();
  h.signal('SIGINT', 0);
  h.signal('SIGINT', 5);
  h.signal('SIGINT', SAME_STOP_WINDOW_MS + 1);
  assert.deepEqual(h.calls, ['stop SIGINT', 'exit SIGINT']);
});

test('SIGHUP (terminal closed) stops gracefully; remove() uninstalls every listener', () => {
  const h = harness();
  h.signal('SIGHUP', 0);
  assert.deepEqual(h.calls, ['stop SIGHUP']);
  h.remove();
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) assert.equal(h.source.listenerCount(s), 0);
});
