// Punctuation and casing of finals over the WebSocket, with sherpa's online punctuation family (the
// punct-fixture conformance model: first word capitalised, "." or "?" at the end, "," before "but") on both
// tone fixtures. Interims stay raw; `punctuate=false` gives raw finals; without a punctuation model the option
// defaults to off and GET /v1/models says there is none.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { TONE_MODELS } from '../helpers/fixtures.js';
import { connect, startTestServer, streamPcm, toS16, wsUrl } from './ws-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
let plain: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  h = await startTestServer({
    asr: TONE_MODELS.map((model) => ({ backend: 'sherpa' as const, model })),
    tts: [],
    punct: { model: 'punct-fixture' },
  });
  plain = await startTestServer({ asr: [{ backend: 'sherpa', model: 'tone-transducer' }], tts: [], punct: false });
});
after(async () => {
  await h?.close();
  await plain?.close();
});

/** Streams each phrase (1.5 s of silence after each) and ends; returns the messages. */
async function transcribe(server: typeof h, params: Record<string, string | number>, phrases: string[]) {
  const c = connect(wsUrl(server.server, 'asr', '/v1/audio/stream', { sample_rate: 16000, ...params }));
  await c.waitFor((m) => m.type === 'ready');
  for (const p of phrases) await streamPcm(c.ws, toS16(toneAudio(p, { tail: 1.5 })), 16000, 100, 10);
  c.send({ type: 'end' });
  await c.waitFor((m) => m.type === 'session_complete');
  const finals = c.messages.filter((m) => m.type === 'transcript' && m.is_final);
  const interims = c.messages.filter((m) => m.type === 'transcript' && !m.is_final);
  return {
    finals: finals.map((f) => f.text),
    interims: interims.map((i) => i.text),
    words: finals.map((f) => f.words.map((w: any) => w.word).join(' ')),
  };
}

for (const model of TONE_MODELS) {
  describe(model, () => {
    test('punctuation is on by default with a punctuation model: finals are punctuated and cased as the fixture says', async () => {
      const r = await transcribe(h, { model }, ['hello world', 'what is this', 'hello world but not now']);
      assert.deepEqual(r.finals, ['Hello world.', 'What is this?', 'Hello world, but not now.']);
      assert.ok(r.interims.length >= 3);
      for (const i of r.interims) assert.match(i, /^[a-z ]+$/, `interims stay raw: "${i}"`);
      assert.deepEqual(r.words, ['hello world', 'what is this', 'hello world but not now'], 'word timings keep the raw tokens');
    });

    test('punctuate=false gives the raw finals', async () => {
      const r = await transcribe(h, { model, punctuate: 'false' }, ['hello world']);
      assert.deepEqual(r.finals, ['hello world']);
    });
  });
}

test('flush returns the punctuated final, and a live config change turns punctuation off mid-stream', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 16000, model: 'tone-transducer', endpointing: 'false' }));
  await c.waitFor((m) => m.type === 'ready');
  await streamPcm(c.ws, toS16(toneAudio('ok i see', { tail: 0.2 })), 16000, 100, 5);
  c.send({ type: 'flush' });
  assert.equal((await c.waitFor((m) => m.type === 'transcript' && m.is_final)).text, 'OK I see.');
  c.send({ type: 'config', punctuate: false });
  await streamPcm(c.ws, toS16(toneAudio('ok i see', { tail: 0.2 })), 16000, 100, 5);
  c.send({ type: 'end' });
  await c.waitFor((m) => m.type === 'session_complete');
  assert.deepEqual(
    c.messages.filter((m) => m.type === 'transcript' && m.is_final).map((m) => m.text),
    ['OK I see.', 'ok i see'],
  );
});

test('GET /v1/models names the punctuation model; without one, punctuate defaults off and finals are raw', async () => {
  // Fixtures are listed only with the developer switch.
  h.server.ctx.listFixtures = true;
  const withPunct = (await (await fetch(`${h.server.asrUrl}/v1/models`)).json()) as any;
  h.server.ctx.listFixtures = false;
  assert.deepEqual(withPunct.punctuation, { model: 'punct-fixture' });
  assert.ok(withPunct.data.some((m: any) => m.id === 'punct-fixture' && m.kind === 'punct' && m.fixture));
  assert.ok(withPunct.data.some((m: any) => m.id === 'punct-en-online-2024-08-06' && m.kind === 'punct' && !m.fixture));
  const without = (await (await fetch(`${plain.server.asrUrl}/v1/models`)).json()) as any;
  assert.equal(without.punctuation, null);
  assert.deepEqual((await transcribe(plain, { model: 'tone-transducer' }, ['hello world'])).finals, ['hello world']);
  assert.deepEqual(
    (await transcribe(plain, { model: 'tone-transducer', punctuate: 'true' }, ['hello world'])).finals,
    ['hello world'],
    'asking changes nothing without a model',
  );
});
