// The WebSocket protocol's edge cases from issue 10 (P2), over real sockets with a real engine: unknown config
// keys are named in a bad_config error, a bad `session` value is refused every time (never silently kept),
// every flush is answered (`flushed`, also when there was no speech), a WAV whose header never completes ends with bad_audio,
// invalid UTF-8 in a text frame closes 1007, and a TTS `request_id` that is not a string is bad_json, never echoed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { openStore, type Store } from '../../src-main/core/store/index.js';
import { connect, startTestServer, streamPcm, toS16, wsUrl } from './ws-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
let store: Store;
before(async () => {
  store = openStore({ path: ':memory:' });
  h = await startTestServer({ asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [{ backend: 'espeak' }] }, { store });
});
after(async () => {
  await h?.close();
  store?.close();
});

const q = { model: 'tone-alphabet', endpointing: 'false' };

test('unknown config keys: bad_config naming the key; nothing of that config is applied; the stream goes on', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', q));
  await c.waitFor((m) => m.type === 'ready');
  c.send({ type: 'config', endpointng: 300 });
  const e = await c.waitFor((m) => m.type === 'error');
  assert.equal(e.code, 'bad_config');
  assert.match(e.message, /unknown config key "endpointng"/);
  // One unknown key voids the whole message: interim_results stays on.
  c.send({ type: 'config', interim_results: false, colour: 'blue' });
  assert.match((await c.waitFor((m) => m.type === 'error' && /colour/.test(m.message))).message, /unknown config key "colour"/);
  await streamPcm(c.ws, toS16(toneAudio('still here', { tail: 0.3 })), 16000, 100, 0);
  c.send({ type: 'end' });
  await c.waitFor((m) => m.type === 'session_complete');
  assert.ok(
    c.messages.some((m) => m.type === 'transcript' && !m.is_final),
    'interim results were not turned off by the refused config',
  );
  assert.deepEqual(
    c.messages.filter((m) => m.type === 'transcript' && m.is_final).map((m) => m.text),
    ['still here'],
  );
});

test('an unknown query parameter is refused at the handshake: bad_config naming it, close 1008', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { ...q, sample_rat: 16000 }));
  const close = await c.closed;
  assert.equal(close.code, 1008);
  const e = c.messages.find((m) => m.type === 'error');
  assert.equal(e?.code, 'bad_config');
  assert.match(e.message, /"sample_rat"/);
});

test('a bad session value is refused each time it is sent, and never applied', async () => {
  const before = store.listSessions({}).total;
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', q));
  const ready = await c.waitFor((m) => m.type === 'ready');
  for (let i = 0; i < 2; i++) {
    c.send({ type: 'config', session: 'no-such-session' });
    await c.waitFor((m) => m.type === 'error' && c.messages.filter((x) => x.type === 'error').length === i + 1);
  }
  const errors = c.messages.filter((m) => m.type === 'error');
  assert.equal(errors.length, 2, 'the second identical bad value is refused too');
  for (const e of errors) assert.match(e.message, /session "no-such-session" does not exist/);
  await streamPcm(c.ws, toS16(toneAudio('not stored', { tail: 0.3 })), 16000, 100, 0);
  c.send({ type: 'end' });
  const done = await c.waitFor((m) => m.type === 'session_complete');
  assert.equal(done.session_id, ready.session_id);
  assert.equal(done.segments, 1);
  assert.equal(store.listSessions({}).total, before, 'nothing was stored');
});

test("every flush is answered with `flushed`: segment null over no audio or silence, the final's segment after speech", async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', q));
  await c.waitFor((m) => m.type === 'ready');
  c.send({ type: 'flush' });
  assert.deepEqual(await c.waitFor((m) => m.type === 'flushed'), { type: 'flushed', segment: null, at_ms: 0 });
  await streamPcm(c.ws, toS16(new Float32Array(8000)), 16000, 100, 0);
  c.send({ type: 'flush' });
  assert.deepEqual(await c.waitFor((m) => m.type === 'flushed' && m.at_ms === 500), { type: 'flushed', segment: null, at_ms: 500 });
  await streamPcm(c.ws, toS16(toneAudio('hello', { tail: 0.3 })), 16000, 100, 0);
  c.send({ type: 'flush' });
  const ack = await c.waitFor((m) => m.type === 'flushed' && m.segment !== null);
  const final = c.messages.find((m) => m.type === 'transcript' && m.is_final);
  assert.deepEqual([final.text, final.segment, ack.segment], ['hello', 0, 0]);
  assert.ok(c.messages.indexOf(final) < c.messages.indexOf(ack), 'the final comes first, then its acknowledgement');
  assert.equal(c.messages.filter((m) => m.type === 'transcript' && m.is_final).length, 1, 'no empty finals');
  c.send({ type: 'end' });
  assert.equal((await c.waitFor((m) => m.type === 'session_complete')).segments, 1);
});

test('a WAV whose header never completes ends with bad_audio, not a silent success', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { ...q, encoding: 'wav' }));
  await c.waitFor((m) => m.type === 'ready');
  const partial = Buffer.alloc(24);
  partial.write('RIFF', 0, 'latin1');
  partial.writeUInt32LE(1000, 4);
  partial.write('WAVEfmt ', 8, 'latin1');
  c.ws.send(partial);
  c.send({ type: 'end' });
  const done = await c.waitFor((m) => m.type === 'session_complete');
  const err = c.messages.find((m) => m.type === 'error');
  assert.equal(err?.code, 'bad_audio');
  assert.match(err.message, /ended before the WAV header was complete \(24 bytes/);
  assert.ok(c.messages.indexOf(err) < c.messages.indexOf(done), 'the error comes before session_complete');
});

test('invalid UTF-8 in a text frame closes the connection 1007 (RFC 6455)', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', q));
  await c.waitFor((m) => m.type === 'ready');
  c.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
  assert.equal((await c.closed).code, 1007);
});

test('TTS: an unknown config key is bad_config naming it; the connection goes on', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  c.send({ type: 'config', speeed: 2 });
  const e = await c.waitFor((m) => m.type === 'error');
  assert.equal(e.code, 'bad_config');
  assert.match(e.message, /unknown config key "speeed"/);
  c.send({ text: 'Fine.', request_id: 'after' });
  assert.equal((await c.waitFor((m) => m.type === 'synthesis_complete')).request_id, 'after');
  c.ws.close();
});

test('TTS: a request_id that is not a short string is bad_json and is not echoed; a string one is', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  for (const bad of [42, { a: 1 }, ['x'], null, true, 'x'.repeat(201)]) {
    const n = c.messages.length;
    c.send({ text: 'Hello.', request_id: bad });
    const e = await c.waitFor((m) => m.type === 'error' && c.messages.indexOf(m) >= n);
    assert.equal(e.code, 'bad_json', JSON.stringify(bad));
    assert.match(e.message, /"request_id" must be a non-empty string/);
    assert.equal('request_id' in e, false, `request_id ${JSON.stringify(bad).slice(0, 20)} not echoed`);
  }
  c.send({ type: 'append', text: 'Hi', request_id: 7 });
  assert.equal(
    (
      await c.waitFor(
        (m) => m.type === 'error' && /request_id/.test(m.message) && c.messages.filter((x) => x.type === 'error').length === 7,
      )
    ).code,
    'bad_json',
  );
  c.send({ text: 'Hello.', request_id: 'mine-1' });
  const done = await c.waitFor((m) => m.type === 'synthesis_complete');
  assert.equal(done.request_id, 'mine-1');
  assert.equal(c.messages.filter((m) => m.type === 'synthesis_started').length, 1, 'no refused request was synthesized');
  c.ws.close();
});
