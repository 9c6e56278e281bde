// ASR WebSocket with the sherpa backend and the tone fixtures (NeMo CTC and zipformer transducer): exact phrases
// back as finals, with growing interims before them; several utterances, flush, end/session_complete, JSON
// base64 audio, 48 kHz.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TONE_MODELS } from '../helpers/fixtures.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { resample } from '../../src-main/core/audio/index.js';
import { connect, startTestServer, streamPcm, toS16, wsUrl } from './ws-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  h = await startTestServer({ asr: TONE_MODELS.map((model) => ({ backend: 'sherpa' as const, model })), tts: [] });
});
after(async () => {
  await h?.close();
});

for (const model of TONE_MODELS) {
  describe(model, () => {
    test('a WebSocket client gets exactly the spelled phrases as finals, with growing interims before each', async () => {
      const phrases = ['hello world', 'the quick brown fox'];
      const audio = phrases.map((p) => toneAudio(p, { tail: 1.5 }));
      const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 16000, model }));
      const ready = await c.waitFor((m) => m.type === 'ready');
      assert.equal(ready.model, model);
      for (const a of audio) await streamPcm(c.ws, toS16(a), 16000, 100, 15);
      c.send({ type: 'end' });
      const done = await c.waitFor((m) => m.type === 'session_complete');
      const close = await c.closed;
      assert.equal(close.code, 1000);
      const finals = c.messages.filter((m) => m.type === 'transcript' && m.is_final);
      assert.deepEqual(
        finals.map((f) => f.text),
        phrases,
      );
      assert.deepEqual(
        finals.map((f) => f.segment),
        [0, 1],
      );
      assert.equal(done.segments, 2);
      for (const [k, f] of finals.entries()) {
        const interims = c.messages.filter((m) => m.type === 'transcript' && !m.is_final && m.segment === k);
        assert.ok(interims.length >= 2, `segment ${k}: several interims, got ${interims.length}`);
        for (let i = 1; i < interims.length; i++) assert.ok(interims[i].text.length > interims[i - 1].text.length, 'interims grow');
        for (const im of interims) assert.ok(f.text.startsWith(im.text), `interim "${im.text}" is a prefix of "${f.text}"`);
        assert.ok(c.messages.indexOf(interims.at(-1)) < c.messages.indexOf(f), 'interims come before their final');
        assert.equal(f.words.map((w: any) => w.word).join(' '), f.text);
        assert.ok(f.words.every((w: any) => w.end_ms >= w.start_ms && w.start_ms >= f.start_ms - 1));
        assert.ok(typeof f.latency_ms === 'number' && f.latency_ms >= 0);
      }
      assert.ok(finals[1].start_ms > finals[0].end_ms, 'times run on across utterances');
    });

    test('flush ends an utterance on demand; base64 JSON audio and 48 kHz input work', async () => {
      const c = connect(wsUrl(h.server, 'asr', '/v1/asr/stream'));
      await c.opened;
      c.send({ type: 'config', sample_rate: 48000, endpointing: false, model });
      const pcm = toS16(resample(toneAudio('abc', { tail: 0.3 }), 16000, 48000));
      for (let o = 0; o < pcm.length; o += 9600) c.send({ type: 'audio', audio: pcm.subarray(o, o + 9600).toString('base64') });
      c.send({ type: 'flush' });
      const f = await c.waitFor((m) => m.type === 'transcript' && m.is_final);
      assert.equal(f.text, 'abc');
      assert.ok(f.latency_ms >= 0 && f.latency_ms < 10_000);
      // The connection stays open after flush.
      const more = toS16(resample(toneAudio('xyz', { tail: 0.3 }), 16000, 48000));
      for (let o = 0; o < more.length; o += 9600) c.send({ type: 'audio', audio: more.subarray(o, o + 9600).toString('base64') });
      c.send({ type: 'eof' });
      await c.waitFor((m) => m.type === 'session_complete');
      const finals = c.messages.filter((m) => m.type === 'transcript' && m.is_final).map((m) => m.text);
      assert.deepEqual(finals, ['abc', 'xyz']);
      assert.deepEqual(
        c.messages.filter((m) => m.type === 'error'),
        [],
      );
      assert.equal((await c.closed).code, 1000);
    });
  });
}

test('ASR stream is also on the TTS port at /v1/asr/stream; unknown paths are 404', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/asr/stream', { model: 'tone-alphabet' }));
  assert.equal((await c.waitFor((m) => m.type === 'ready')).model, 'tone-alphabet');
  c.ws.close();
  const bad = connect(wsUrl(h.server, 'asr', '/v1/nope'));
  await assert.rejects(bad.opened, /404/);
});
