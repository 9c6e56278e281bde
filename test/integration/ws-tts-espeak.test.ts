// TTS WebSocket with the espeak backend: one-shot requests in order, incremental LLM-like text that starts
// speaking at the first sentence end, flush keeps the connection, finish closes after the last audio, cancel.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, startTestServer, wsUrl, type TestClient } from './ws-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  h = await startTestServer({ asr: [], tts: [{ backend: 'espeak' }] });
});
after(async () => {
  await h?.close();
});

/** Audio bytes received between a request's synthesis_started and its synthesis_complete. */
function audioOf(c: TestClient, requestId: string): { bytes: number; frames: number } {
  let inside = false;
  let bytes = 0;
  let frames = 0;
  for (const r of c.received) {
    if ('json' in r) {
      if (r.json.type === 'synthesis_started' && r.json.request_id === requestId) inside = true;
      else if (r.json.type === 'synthesis_complete' && r.json.request_id === requestId) inside = false;
    } else if (inside) {
      bytes += r.binary.byteLength;
      frames++;
    }
  }
  return { bytes, frames };
}

test('three one-shot requests on one connection each end with synthesis_complete and their own audio', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  const texts = { r1: 'Good morning.', r2: 'This is the second request, a little longer than the first.', r3: 'Three.' };
  for (const [id, text] of Object.entries(texts)) c.send({ text, voice: 'espeak:en-us', request_id: id, sample_rate: 16000 });
  await c.waitFor((m) => m.type === 'synthesis_complete' && m.request_id === 'r3');
  const order = c.messages.filter((m) => m.type.startsWith('synthesis')).map((m) => `${m.type}:${m.request_id}`);
  assert.deepEqual(
    order,
    ['r1', 'r2', 'r3'].flatMap((r) => [`synthesis_started:${r}`, `synthesis_complete:${r}`]),
  );
  // Every binary frame lies inside one request's started..complete bracket.
  const total = c.received.filter((r) => 'binary' in r).reduce((n, r) => n + (r as { binary: Buffer }).binary.byteLength, 0);
  let inside = 0;
  for (const id of Object.keys(texts)) {
    const done = c.messages.find((m) => m.type === 'synthesis_complete' && m.request_id === id);
    const a = audioOf(c, id);
    assert.equal(done.sample_rate, 16000);
    assert.equal(a.bytes, done.samples * 2, `${id}: bytes received match the samples reported`);
    assert.ok(done.duration_ms > 300, `${id}: ${done.duration_ms} ms of audio`);
    assert.ok(done.ttfa_ms >= 0);
    inside += a.bytes;
  }
  assert.equal(inside, total);
  const durations = Object.keys(texts).map(
    (id) => c.messages.find((m) => m.type === 'synthesis_complete' && m.request_id === id).duration_ms,
  );
  assert.ok(durations[1] > durations[0] && durations[1] > durations[2], 'the longest text gives the longest audio');
  c.ws.close();
});

test('incremental text starts audio at the first sentence end, before the text is finished; flush keeps the connection; finish closes after the last audio', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/tts/stream', { voice: 'espeak:en-us' }));
  await c.opened;
  const words =
    'Hello there, this is a streamed answer. It keeps arriving a few words at a time, like a language model that is still thinking about what to say next'.split(
      ' ',
    );
  let sentWhenFirstAudio = -1;
  let sent = 0;
  c.ws.on('message', (_d, isBinary) => {
    if (isBinary && sentWhenFirstAudio < 0) sentWhenFirstAudio = sent;
  });
  for (let i = 0; i < words.length; i += 3) {
    c.send({ type: 'append', text: words.slice(i, i + 3).join(' ') + ' ' });
    sent = i + 3;
    await new Promise((r) => setTimeout(r, 50));
  }
  await c.waitForBinary();
  assert.ok(
    sentWhenFirstAudio > 0 && sentWhenFirstAudio < words.length,
    `first audio arrived after ${sentWhenFirstAudio} of ${words.length} words`,
  );
  assert.equal(c.messages.filter((m) => m.type === 'synthesis_complete').length, 0, 'no completion before flush');
  c.send({ type: 'flush' });
  const first = await c.waitFor((m) => m.type === 'synthesis_complete');
  assert.ok(first.duration_ms > 3000, `the whole text was spoken (${first.duration_ms} ms)`);
  assert.ok(audioOf(c, first.request_id).bytes > 0);
  // Still open: another incremental request, ended by finish.
  c.send({ type: 'appendText', text: 'One more sentence, then goodbye.', request_id: 'last' });
  c.send({ type: 'finish' });
  const close = await c.closed;
  assert.equal(close.code, 1000);
  const last = c.messages.find((m) => m.type === 'synthesis_complete' && m.request_id === 'last');
  assert.ok(last, 'synthesis_complete of the last request came before the close');
  assert.equal(audioOf(c, 'last').bytes, last.samples * 2);
});

test('cancel stops the audio at once, drops queued requests, answers cancelled; the connection goes on', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  const long = Array.from({ length: 60 }, (_, i) => `This is sentence number ${i + 1} of a long text.`).join(' ');
  c.send({ text: long, request_id: 'long' });
  c.send({ text: 'Queued request that must never play.', request_id: 'queued' });
  await c.waitForBinary();
  const cancelSentAt = c.received.length;
  c.send({ type: 'cancel' });
  const cancelled = await c.waitFor((m) => m.type === 'cancelled');
  assert.equal(cancelled.request_id, 'long');
  const cancelledAt = c.received.findIndex((r) => 'json' in r && r.json.type === 'cancelled');
  const inFlight = c.received.slice(cancelSentAt, cancelledAt).filter((r) => 'binary' in r).length;
  assert.ok(inFlight <= 4, `audio stops within one engine chunk: ${inFlight} frames of <= 250 ms arrived after cancel was sent`);
  c.send({ text: 'After the barge in.', request_id: 'after' });
  const done = await c.waitFor((m) => m.type === 'synthesis_complete');
  assert.equal(done.request_id, 'after', 'no synthesis_complete for the cancelled or queued request');
  const afterCancel = c.received.slice(cancelledAt + 1);
  const startedIdx = afterCancel.findIndex((r) => 'json' in r && r.json.type === 'synthesis_started');
  assert.equal(afterCancel.slice(0, startedIdx).filter((r) => 'binary' in r).length, 0, 'no audio between cancelled and the next request');
  assert.ok(!c.messages.some((m) => m.request_id === 'queued'));
  // The cancelled request's audio is a small part of the 200 sentences (~2.5 minutes).
  const longBytes = c.received
    .slice(0, cancelledAt)
    .filter((r) => 'binary' in r)
    .reduce((n, r) => n + (r as { binary: Buffer }).binary.byteLength, 0);
  assert.ok(longBytes / 2 / 22050 < 20, `cancelled request played ${(longBytes / 2 / 22050).toFixed(1)} s`);
  c.ws.close();
});

test('wav and f32 formats', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  c.send({ text: 'Wave file.', format: 'wav', request_id: 'w' });
  c.send({ text: 'Floats.', format: 'f32', request_id: 'f' });
  await c.waitFor((m) => m.type === 'synthesis_complete' && m.request_id === 'f');
  const bins = c.received.filter((r) => 'binary' in r) as { binary: Buffer }[];
  assert.equal(bins[0]!.binary.subarray(0, 4).toString('latin1'), 'RIFF');
  const f = c.messages.find((m) => m.type === 'synthesis_complete' && m.request_id === 'f');
  assert.equal(audioOf(c, 'f').bytes, f.samples * 4);
  c.ws.close();
});
