// Bad input over real WebSockets: each gets the specific error code of docs/PROTOCOL.md, and where the
// protocol allows, the connection keeps working (a valid request right after succeeds).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { float32ToF32le } from '../../src-main/core/audio/index.js';
import { connect, startTestServer, streamPcm, toS16, wsUrl } from './ws-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  h = await startTestServer(
    { asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [{ backend: 'espeak' }] },
    { limits: { maxConcurrentStreams: 4, idleTimeoutMs: 3000 } },
  );
});
after(async () => {
  await h?.close();
});

const q = { model: 'tone-alphabet', endpointing: 'false' };

test('ASR: malformed JSON, unknown type, odd byte count, bad config: specific errors, then a phrase still transcribes', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', q));
  await c.waitFor((m) => m.type === 'ready');
  c.send('{"type": "flush"');
  assert.equal((await c.waitFor((m) => m.type === 'error')).code, 'bad_json');
  c.send({ type: 'transcribe_please' });
  const unknown = await c.waitFor((m) => m.type === 'error' && /unknown message type/.test(m.message));
  assert.equal(unknown.code, 'bad_json');
  c.ws.send(Buffer.alloc(3201));
  const odd = await c.waitFor((m) => m.type === 'error' && m.code === 'bad_audio');
  assert.match(odd.message, /even number of bytes, got 3201/);
  c.send({ type: 'config', endpointing: 'soon' });
  assert.equal((await c.waitFor((m) => m.type === 'error' && /endpointing/.test(m.message))).code, 'bad_config');
  c.send({ type: 'audio', audio: 42 });
  await c.waitFor((m) => m.type === 'error' && /base64/.test(m.message));
  await streamPcm(c.ws, toS16(toneAudio('still here', { tail: 0.3 })), 16000, 100, 0);
  c.send({ type: 'end' });
  await c.waitFor((m) => m.type === 'session_complete');
  assert.deepEqual(
    c.messages.filter((m) => m.type === 'transcript' && m.is_final).map((m) => m.text),
    ['still here'],
  );
  assert.equal((await c.closed).code, 1000);
});

test('ASR pcm_f32le: NaN samples are bad_audio and the stream goes on', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { ...q, encoding: 'pcm_f32le' }));
  await c.waitFor((m) => m.type === 'ready');
  c.ws.send(float32ToF32le(Float32Array.of(0, 0.1, NaN, 0)));
  const e = await c.waitFor((m) => m.type === 'error');
  assert.equal(e.code, 'bad_audio');
  assert.match(e.message, /NaN/);
  const audio = float32ToF32le(toneAudio('ok', { tail: 0.3 }));
  for (let o = 0; o < audio.length; o += 6400) c.ws.send(audio.subarray(o, o + 6400));
  c.send({ type: 'flush' });
  assert.equal((await c.waitFor((m) => m.type === 'transcript' && m.is_final)).text, 'ok');
  c.ws.close();
});

test('ASR: a 10 MiB frame closes the connection with 1009; a JSON message over 64 KiB is too_large and the stream goes on', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', q));
  await c.waitFor((m) => m.type === 'ready');
  c.send({ type: 'config', source: 'x'.repeat(70 * 1024) });
  const big = await c.waitFor((m) => m.type === 'error');
  assert.equal(big.code, 'too_large');
  c.send({ type: 'flush' });
  c.ws.send(Buffer.alloc(10 * 1024 * 1024));
  assert.equal((await c.closed).code, 1009);
  // The server is fine: a new connection works.
  const d = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', q));
  await d.waitFor((m) => m.type === 'ready');
  d.ws.close();
});

test('ASR: bad query options are bad_config and close 1008; unknown model is model_unavailable', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 1234 }));
  const e = await c.waitFor((m) => m.type === 'error');
  assert.equal(e.code, 'bad_config');
  assert.match(e.message, /sample_rate/);
  assert.equal((await c.closed).code, 1008);
  const m = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { model: 'no-such-model' }));
  assert.equal((await m.waitFor((x) => x.type === 'error')).code, 'model_unavailable');
  await m.closed;
});

test('TTS: unknown voice (served by a fallback, with a warning), empty text, unknown type, binary frame, oversize text: specific errors, then a request succeeds', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  c.send({ text: 'Hello.', voice: 'Nobody-Voice', request_id: 'v' });
  const voice = await c.waitFor((m) => m.type === 'warning' && m.request_id === 'v');
  assert.equal(voice.code, 'voice_fallback');
  assert.match(voice.message, /voice "Nobody-Voice" is not installed; speaking with espeak:en-us/);
  await c.waitFor((m) => m.type === 'synthesis_complete' && m.request_id === 'v');
  c.send({ text: '   ', request_id: 'e' });
  const empty = await c.waitFor((m) => m.type === 'error' && m.request_id === 'e');
  assert.equal(empty.code, 'bad_config');
  assert.match(empty.message, /empty/);
  c.send({ type: 'shout', text: 'x' });
  assert.equal((await c.waitFor((m) => m.type === 'error' && /unknown message type "shout"/.test(m.message))).code, 'bad_json');
  c.ws.send(Buffer.alloc(100));
  await c.waitFor((m) => m.type === 'error' && /binary/.test(m.message));
  c.send({ text: 'a'.repeat(100_001), request_id: 'big' });
  assert.equal((await c.waitFor((m) => m.type === 'error' && m.request_id === 'big')).code, 'too_large');
  c.send('not json');
  assert.equal((await c.waitFor((m) => m.type === 'error' && /malformed JSON/.test(m.message))).code, 'bad_json');
  c.send({ text: 'It still works.', request_id: 'ok' });
  const done = await c.waitFor((m) => m.type === 'synthesis_complete' && m.request_id === 'ok');
  assert.ok(done.samples > 0);
  c.ws.close();
});

test('over the concurrent stream limit a connection is closed 1013', async () => {
  const clients = Array.from({ length: 4 }, () => connect(wsUrl(h.server, 'asr', '/v1/audio/stream', q)));
  await Promise.all(clients.map((c) => c.waitFor((m) => m.type === 'ready')));
  const extra = connect(wsUrl(h.server, 'tts', '/v1/audio/stream'));
  const close = await extra.closed;
  assert.equal(close.code, 1013);
  assert.match(close.reason, /too many concurrent streams/);
  for (const c of clients) c.ws.close();
  await Promise.all(clients.map((c) => c.closed));
});

test('an idle ASR stream is ended (session_complete) and closed 4408', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', q));
  await c.waitFor((m) => m.type === 'ready');
  const close = await c.closed;
  assert.equal(close.code, 4408);
  assert.equal(c.messages.at(-1).type, 'session_complete');
});
