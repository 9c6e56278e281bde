// Lag-following admission on the real server with a real engine (sherpa, tone-transducer fixture): when the
// admitted streams fall behind real time — here the main thread really is blocked for 1.6 s, which delays every
// stream's audio and finals and which the governor counts as lag — every live stream is warned
// (`falling_behind`), the newest one is shed (its utterance in progress still gets its final and
// session_complete, then `rate_limited` and close 1013 with the reason), the oldest goes on untouched, and
// admission stays lowered (a new stream is refused with the reason) until the lag has been gone a while.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { connect, startTestServer, streamPcm, toS16, wsUrl } from '../integration/ws-harness.js';
import { grpcClients, type Harness } from '../integration/grpc-rest-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
/** A second server for the gRPC case: the first one's admission stays lowered after its shed. */
let hg: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  h = await startTestServer({ asr: [{ backend: 'sherpa', model: 'tone-transducer' }], tts: [], punct: false });
  hg = await startTestServer(
    { asr: [{ backend: 'sherpa', model: 'tone-transducer' }], tts: [], punct: false },
    { grpc: { asrPort: 0, ttsPort: 0 } },
  );
});
after(async () => {
  await h?.close();
  await hg?.close();
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

  // A starved machine stalls again and again; the governor sheds once the lag has not shrunk between its probes
  // (every 250 ms), which one stall may or may not span: stall until the stream is shed (at most 5), as the gRPC case
  // below does (once, a single stall was not counted and the stream ran on until its idle close, 4408).
  let gone = false;
  void newest.closed.then(() => (gone = true));
  for (let i = 0; i < 5 && !gone; i++) {
    stallMainThread(1600);
    await sleep(400);
  }

  const closed = await newest.closed;
  assert.equal(closed.code, 1013);
  assert.match(closed.reason, /^stream shed: the server is \d+ ms behind real time on tone-transducer/);
  const types = newest.messages.map((m) => (m.type === 'transcript' ? (m.is_final ? 'final' : 'interim') : `${m.type}:${m.code ?? ''}`));
  // (A stall repeated within one episode may warn again: consecutive repeats are one warning here.)
  const order = types.filter((t) => t !== 'interim' && t !== 'ready:').filter((t, i, a) => i === 0 || t !== a[i - 1]);
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

test('over gRPC a shed stream gets its last final, then RESOURCE_EXHAUSTED with the reason', async () => {
  const oldest = connect(wsUrl(hg.server, 'asr', '/v1/audio/stream', { sample_rate: 16000, model: 'tone-transducer' }));
  await oldest.waitFor((m) => m.type === 'ready');
  const clients = grpcClients({ grpc: { asrPort: hg.server.grpcAsrPort!, ttsPort: hg.server.grpcTtsPort! } } as unknown as Harness);
  try {
    const call = clients.asr.StreamingTranscribe();
    const results: { text: string; is_final: boolean }[] = [];
    call.on('data', (r: { text: string; is_final: boolean }) => results.push(r));
    const status = new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    const pcm = toS16(toneAudio('echo foxtrot', { tail: 0 }));
    call.write({ audio_data: pcm, chunk_index: 0, config: { sample_rate: 16000, model: 'tone-transducer' } });
    await sleep(1000);
    assert.equal(hg.server.ctx.admission.liveOn(hg.engine.asr({ model: 'tone-transducer' })), 2);
    // A starved machine stalls again and again; the governor sheds once the lag has not shrunk between its probes,
    // which one stall may or may not span (its probe runs every 250 ms): stall until the stream is shed (at most 5).
    let settled = false;
    void status.then(() => (settled = true));
    for (let i = 0; i < 5 && !settled; i++) {
      stallMainThread(1600);
      await sleep(400);
    }
    const e = await status;
    assert.equal(e.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(e.details, /^stream shed: the server is \d+ ms behind real time on tone-transducer with 2 live streams/);
    const finals = results.filter((r) => r.is_final);
    assert.deepEqual(
      finals.map((r) => r.text),
      ['echo foxtrot'],
      'the utterance in progress was finalized before the status',
    );
    assert.ok(!oldest.messages.some((m) => m.type === 'error'), 'the oldest stream was not shed');
  } finally {
    clients.close();
    oldest.ws.terminate();
  }
});
