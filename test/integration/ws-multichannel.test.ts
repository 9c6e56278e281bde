// Multichannel live input (`channels=2&multichannel=true`): each channel of an interleaved stereo stream is
// recognized as its own stream. Exact text per channel with the tone fixtures over Earshot's own WebSocket
// (stored as tracks ch0/ch1 of one session; raw PCM, WAV and JSON float arrays). Real speech on each channel
// (pocketsphinx, the Deepgram SDK): test/slow/ws-multichannel-speech.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { float32ToS16le, wavHeader } from '../../src-main/core/audio/index.js';
import { openStore, type Store } from '../../src-main/core/store/index.js';
import { TONE_MODELS } from '../helpers/fixtures.js';
import { finalsOf, interleave } from '../helpers/multichannel.js';
import { connect, startTestServer, streamPcm, wsUrl } from './ws-harness.js';

describe('tone fixtures: exact text per channel', () => {
  let h: Awaited<ReturnType<typeof startTestServer>>;
  let store: Store;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'earshot-multichannel-'));
    store = openStore({ path: join(dir, 'earshot.db') });
    // Three live streams, whatever a busy machine measures: admission is then exact (3 lanes in all).
    h = await startTestServer(
      { asr: TONE_MODELS.map((model) => ({ backend: 'sherpa' as const, model })), tts: [] },
      { store, limits: { maxConcurrentStreams: 3, minLiveStreams: 3 } },
    );
  });
  after(async () => {
    await h?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stereo = () => interleave(toneAudio('hello world', { tail: 1.5 }), toneAudio('the quick brown fox', { tail: 1.5 }));

  for (const model of TONE_MODELS) {
    test(`${model}: raw s16le stereo, session=new → each channel its own phrase, stored as ch0/ch1`, async () => {
      const l = [toneAudio('hello world', { tail: 1.5 }), toneAudio('abc', { tail: 1.5 })];
      const audio = interleave(new Float32Array([...l[0]!, ...l[1]!]), toneAudio('the quick brown fox', { tail: 1.5 }));
      const c = connect(
        wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 16000, model, channels: 2, multichannel: true, session: 'new' }),
      );
      const ready = await c.waitFor((m) => m.type === 'ready');
      assert.equal(ready.channels, 2);
      assert.equal(ready.stored, true);
      await streamPcm(c.ws, float32ToS16le(audio), 16000 * 2, 100, 10);
      c.send({ type: 'end' });
      const done = await c.waitFor((m) => m.type === 'session_complete');
      assert.equal((await c.closed).code, 1000);
      assert.deepEqual(finalsOf(c.messages, 0), ['hello world', 'abc']);
      assert.deepEqual(finalsOf(c.messages, 1), ['the quick brown fox']);
      assert.equal(done.segments, 3);
      assert.equal(done.session_id, ready.session_id);
      assert.deepEqual(
        c.messages.filter((m) => m.type === 'error'),
        [],
      );
      // Every transcript says its channel; segment numbers count per channel.
      assert.ok(c.messages.filter((m) => m.type === 'transcript').every((m) => m.channel === 0 || m.channel === 1));
      assert.deepEqual(
        c.messages.filter((m) => m.type === 'transcript' && m.is_final && m.channel === 0).map((m) => m.segment),
        [0, 1],
      );
      const s = store.getSession(ready.session_id)!;
      assert.equal(s.status, 'complete');
      assert.deepEqual(s.sources, ['ch0', 'ch1']);
      const byTrack = (t: string) => s.segments.filter((g) => g.track === t).map((g) => g.text);
      assert.deepEqual(byTrack('ch0'), ['hello world', 'abc']);
      assert.deepEqual(byTrack('ch1'), ['the quick brown fox']);
    });
  }

  test('a stereo WAV stream and JSON float frames are split the same way; without multichannel the channels are mixed', async () => {
    const audio = stereo();
    // WAV (its header says 2 channels), sent as binary frames.
    const wav = Buffer.concat([wavHeader({ sampleRate: 16000, channels: 2 }), float32ToS16le(audio)]);
    const w = connect(
      wsUrl(h.server, 'asr', '/v1/audio/stream', { encoding: 'wav', channels: 2, multichannel: true, model: 'tone-alphabet' }),
    );
    await w.waitFor((m) => m.type === 'ready');
    for (let o = 0; o < wav.length; o += 4001) w.ws.send(wav.subarray(o, o + 4001)); // odd sizes: frames split across writes
    w.send({ type: 'end' });
    await w.waitFor((m) => m.type === 'session_complete');
    assert.deepEqual(finalsOf(w.messages, 0), ['hello world']);
    assert.deepEqual(finalsOf(w.messages, 1), ['the quick brown fox']);

    // JSON float arrays, interleaved.
    const j = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { channels: 2, multichannel: true, model: 'tone-alphabet' }));
    await j.waitFor((m) => m.type === 'ready');
    for (let o = 0; o < audio.length; o += 4096) j.send({ type: 'audio', audio: Array.from(audio.subarray(o, o + 4096)) });
    j.send({ type: 'end' });
    await j.waitFor((m) => m.type === 'session_complete');
    assert.deepEqual(finalsOf(j.messages, 0), ['hello world']);
    assert.deepEqual(finalsOf(j.messages, 1), ['the quick brown fox']);

    // channels=2 without multichannel: one transcript of the average (same phrase on both sides here).
    const same = toneAudio('hello world', { tail: 1.5 });
    const m = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { channels: 2, model: 'tone-alphabet' }));
    const ready = await m.waitFor((x) => x.type === 'ready');
    assert.equal(ready.channels, undefined);
    await streamPcm(m.ws, float32ToS16le(interleave(same, same)), 32000, 100, 0);
    m.send({ type: 'end' });
    await m.waitFor((x) => x.type === 'session_complete');
    const finals = m.messages.filter((x) => x.type === 'transcript' && x.is_final);
    assert.deepEqual(
      finals.map((f) => [f.text, f.channel]),
      [['hello world', undefined]],
    );
  });

  test('admission counts each channel as a live stream', async () => {
    const first = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { channels: 2, multichannel: true, model: 'tone-alphabet' }));
    await first.waitFor((m) => m.type === 'ready');
    // Two of three slots are taken: another 2-channel stream is refused at once, a mono one is admitted.
    const second = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { channels: 2, multichannel: true, model: 'tone-alphabet' }));
    const refused = await second.waitFor((m) => m.type === 'error');
    assert.equal(refused.code, 'rate_limited');
    assert.match(refused.message, /server at capacity: 3 of 3 live streams/);
    assert.equal((await second.closed).code, 1013);
    assert.equal(second.messages.filter((m) => m.type === 'ready').length, 0);
    const mono = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { model: 'tone-alphabet' }));
    await mono.waitFor((m) => m.type === 'ready');
    mono.send({ type: 'end' });
    first.send({ type: 'end' });
    await Promise.all([mono.closed, first.closed]);
  });

  test('a compressed container with several channels, and a WAV whose channels disagree, are refused by name', async () => {
    const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { encoding: 'ogg_opus', channels: 2, multichannel: true }));
    const err = await c.waitFor((m) => m.type === 'error');
    assert.equal(err.code, 'bad_config');
    assert.match(err.message, /channels=2 needs interleaved pcm_s16le, pcm_f32le or wav/);
    assert.equal((await c.closed).code, 1008);

    const w = connect(
      wsUrl(h.server, 'asr', '/v1/audio/stream', { encoding: 'wav', channels: 2, multichannel: true, model: 'tone-alphabet' }),
    );
    await w.waitFor((m) => m.type === 'ready');
    w.ws.send(Buffer.concat([wavHeader({ sampleRate: 16000, channels: 1 }), Buffer.alloc(3200)]));
    const bad = await w.waitFor((m) => m.type === 'error');
    assert.equal(bad.code, 'bad_audio');
    assert.match(bad.message, /1 channel\(s\) but the stream was opened with channels=2/);
    w.ws.close();
  });
});
