// Issue 14's replacement list over a real WebSocket: the tone fixture spells exact text, and the session's
// `replacements` (query form, then a live `config` message with the array form) rewrite the finals; a bad list is
// bad_config.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { connect, startTestServer, streamPcm, toS16, wsUrl } from './ws-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  h = await startTestServer({ asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [] });
});
after(async () => {
  await h?.close();
});

test('finals carry the replacement list applied (query form, then changed by a config message); interims stay raw', async () => {
  const c = connect(
    wsUrl(h.server, 'asr', '/v1/audio/stream', {
      sample_rate: 16000,
      model: 'tone-alphabet',
      replacements: 'world=>there; quick brown=>slow red',
    }),
  );
  await c.waitFor((m) => m.type === 'ready');
  await streamPcm(c.ws, toS16(toneAudio('hello world', { tail: 1.5 })), 16000, 100, 5);
  await streamPcm(c.ws, toS16(toneAudio('the quick brown fox', { tail: 1.5 })), 16000, 100, 5);
  await c.waitFor((m) => m.type === 'transcript' && m.is_final && m.segment === 1);
  c.send({ type: 'config', replacements: [{ from: 'hello', to: 'Hi' }] });
  await streamPcm(c.ws, toS16(toneAudio('hello world', { tail: 1.5 })), 16000, 100, 5);
  c.send({ type: 'end' });
  await c.waitFor((m) => m.type === 'session_complete');
  const finals = c.messages.filter((m) => m.type === 'transcript' && m.is_final);
  assert.deepEqual(
    finals.map((f) => f.text),
    ['hello there', 'the slow red fox', 'Hi world'],
  );
  const interims = c.messages.filter((m) => m.type === 'transcript' && !m.is_final).map((m) => m.text);
  assert.ok(
    interims.some((t) => /world/.test(t)),
    'interims are the recognizer text',
  );
});

test('a replacement list that cannot be applied is bad_config, naming the rule', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { model: 'tone-alphabet', replacements: 'hello world' }));
  const e = await c.waitFor((m) => m.type === 'error');
  assert.equal(e.code, 'bad_config');
  assert.match(e.message, /invalid replacements: replacement "hello world" has no "=>"/);
});
