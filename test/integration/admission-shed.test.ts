// Lag-following admission on the real server with a real engine (sherpa, tone-transducer fixture): when the
// admitted streams fall behind real time — here the main thread really is blocked for 1.6 s, which delays every
// stream's audio and finals and which the governor counts as lag — every live stream is warned
// (`falling_behind`), the newest one is shed (its utterance in progress still gets its final and
// session_complete, then `rate_limited` and close 1013 with the reason), the oldest goes on untouched, and
// admission stays lowered (a new stream is refused with the reason) until the lag has been gone a while.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { connect, startTestServer, streamPcm, toS16, wsUrl } from './ws-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  h = await startTestServer({ asr: [{ backend: 'sherpa', model: 'tone-transducer' }], tts: [], punct: false });
});
after(async () => {
  await h?.close();
});

/** Block this (the server's) main thread for `ms`: a real event-loop stall, as a CPU-starved machine gives. */
function stallMainThread(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* busy */
  }
}

test('behind real time: warnings to every live stream, the newest shed with its final first, the oldest kept, admission lowered', async () => {
  const url = wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 16000, endpointing: 600, model: 'tone-transducer' });
  const oldest = connect(url);
  await oldest.waitFor((m) => m.type === 'ready');
  const newest = connect(url);
  await newest.waitFor((m) => m.type === 'ready');
  // An utterance in progress on the newest stream (no trailing silence: no endpoint yet).
  await streamPcm(newest.ws, toS16(toneAudio('alpha bravo', { tail: 0 })), 16000, 100, 0);
  await sleep(1000); // the governor has looked a few times (its delay probe is running)
  assert.equal(newest.messages.filter((m) => m.type === 'transcript' && m.is_final).length, 0, 'no final before the shed');

  stallMainThread(1600);

  const closed = await newest.closed;
  assert.equal(closed.code, 1013);
  assert.match(closed.reason, /^stream shed: the server is \d+ ms behind real time on tone-transducer/);
  const types = newest.messages.map((m) => (m.type === 'transcript' ? (m.is_final ? 'final' : 'interim') : `${m.type}:${m.code ?? ''}`));
  const order = types.filter((t) => t !== 'interim' && t !== 'ready:');
  assert.deepEqual(order, ['warning:falling_behind', 'error:rate_limited', 'final', 'session_complete:'], `messages: ${types.join(', ')}`);
  const shed = newest.messages.find((m) => m.type === 'error');
  assert.match(
    shed.message,
    /^stream shed: the server is \d+ ms behind real time on tone-transducer with 2 live streams; it keeps 1 real-time/,
  );
  const final = newest.messages.find((m) => m.type === 'transcript' && m.is_final);
  assert.equal(final.text, 'alpha bravo', 'the utterance in progress was finalized, not lost');
  assert.equal(newest.messages.find((m) => m.type === 'session_complete').segments, 1);

  // The oldest was warned, not shed: it goes on and gets its words.
  assert.ok(oldest.messages.some((m) => m.type === 'warning' && m.code === 'falling_behind'));
  await streamPcm(oldest.ws, toS16(toneAudio('charlie delta', { tail: 1.5 })), 16000, 100, 10);
  const f = await oldest.waitFor((m) => m.type === 'transcript' && m.is_final);
  assert.equal(f.text, 'charlie delta');

  // Admission stays lowered to what kept up: a new stream is refused, with the reason.
  const refused = connect(url);
  const r = await refused.closed;
  assert.equal(r.code, 1013);
  assert.match(
    r.reason,
    /^server at capacity: 1 of 1 live streams on tone-transducer; try again in \d+ s \(it keeps 1 real-time: lowered from/,
  );

  oldest.send({ type: 'end' });
  await oldest.waitFor((m) => m.type === 'session_complete');
  assert.equal((await oldest.closed).code, 1000);
});
