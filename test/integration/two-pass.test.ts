// Two-pass captions over WebSocket and gRPC with the tone fixtures: the streaming tone-alphabet model gives the
// interims and cuts the utterances, the offline tone-offline model re-decodes each final (its decode count
// shows it did). Exact text, interims while speaking, one final per utterance, endpoint and flush as the
// streaming contract; `two_pass=false` and the fixture default stay single pass; impossible requests are refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { SherpaAsrEngine } from '../../src-main/core/engine/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src-main/core/store/index.js';
import '../helpers/fixtures.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { connect, startTestServer, streamPcm, toS16, wsUrl } from './ws-harness.js';
import { collect, grpcClients, startHarness, type Harness } from './grpc-rest-harness.js';

const ENGINE = { asr: [{ model: 'tone-alphabet' }, { model: 'tone-offline' }], tts: [] };
let h: Awaited<ReturnType<typeof startTestServer>>;
let g: Harness;
let clients: ReturnType<typeof grpcClients>;
before(async () => {
  h = await startTestServer(ENGINE);
  g = await startHarness({ engine: ENGINE });
  clients = grpcClients(g);
});
after(async () => {
  clients?.close();
  await g?.close();
  await h?.close();
});

const offlineFinals = async (engine: typeof h.engine) => (await (engine.asr({ model: 'tone-offline' }) as SherpaAsrEngine).stats()).finals!;

test('WebSocket two_pass=true: streaming interims, finals re-decoded by the offline model, exact text', async () => {
  const before = await offlineFinals(h.engine);
  const phrases = ['hello world', 'the quick brown fox'];
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 16000, model: 'tone-alphabet', two_pass: 'true' }));
  const ready = await c.waitFor((m) => m.type === 'ready');
  assert.equal(ready.model, 'tone-alphabet');
  assert.equal(ready.final_model, 'tone-offline');
  assert.equal(ready.language, 'en');
  for (const p of phrases) await streamPcm(c.ws, toS16(toneAudio(p, { tail: 1.5 })), 16000, 100, 15);
  c.send({ type: 'end' });
  const done = await c.waitFor((m) => m.type === 'session_complete');
  const finals = c.messages.filter((m) => m.type === 'transcript' && m.is_final);
  assert.deepEqual(
    finals.map((f) => f.text),
    phrases,
  );
  assert.equal(done.segments, 2);
  for (const [k, f] of finals.entries()) {
    assert.equal(f.language, 'en');
    const interims = c.messages.filter((m) => m.type === 'transcript' && !m.is_final && m.segment === k);
    assert.ok(interims.length >= 2, `segment ${k}: interims while speaking, got ${interims.length}`);
    for (const im of interims) assert.ok(f.text.startsWith(im.text), `interim "${im.text}" is a prefix of "${f.text}"`);
    assert.ok(c.messages.indexOf(interims.at(-1)) < c.messages.indexOf(f), 'interims come before their final');
    assert.equal(f.words.map((w: any) => w.word).join(' '), f.text);
    assert.ok(Math.abs(f.words[0].start_ms - (k === 0 ? 300 : 300 + 3500 + 0.5 * 1000)) <= 60, `first word time ${f.words[0].start_ms}`);
  }
  assert.equal((await offlineFinals(h.engine)) - before, 2, 'each final was decoded by the offline model');
  assert.equal((await c.closed).code, 1000);
});

test('WebSocket two-pass flush: endpointing off, a flush gives the whole utterance re-decoded, then flushed', async () => {
  const before = await offlineFinals(h.engine);
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { model: 'tone-alphabet', two_pass: true, endpointing: 'false' }));
  await c.waitFor((m) => m.type === 'ready');
  await streamPcm(c.ws, toS16(toneAudio('abc', { tail: 1.2 })), 16000, 100, 5);
  await streamPcm(c.ws, toS16(toneAudio('xyz', { tail: 0.2 })), 16000, 100, 5);
  c.send({ type: 'flush' });
  const flushed = await c.waitFor((m) => m.type === 'flushed');
  const finals = c.messages.filter((m) => m.type === 'transcript' && m.is_final);
  assert.deepEqual(
    finals.map((f) => f.text),
    ['abcxyz'],
    'no endpoint inside: one utterance (no word-boundary tone was spelled)',
  );
  assert.equal(flushed.segment, 0);
  assert.equal((await offlineFinals(h.engine)) - before, 1);
  c.send({ type: 'end' });
  await c.waitFor((m) => m.type === 'session_complete');
});

test('single pass unless asked with fixtures; two_pass=false; impossible two_pass requests are refused', async () => {
  for (const q of [{}, { two_pass: 'false' }] as Record<string, string>[]) {
    const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { model: 'tone-alphabet', ...q }));
    const ready = await c.waitFor((m) => m.type === 'ready');
    assert.equal(ready.final_model, undefined, JSON.stringify(q));
    c.ws.close();
  }
  const bad = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { model: 'tone-offline', two_pass: 'true' }));
  const err = await bad.waitFor((m) => m.type === 'error');
  assert.match(err.message, /two_pass needs a streaming recognizer/);
});

test('gRPC StreamingTranscribe with two_pass: exact finals with their language, re-decoded offline', async () => {
  const before = await offlineFinals(g.engine);
  const call = clients.asr.StreamingTranscribe();
  const results = collect<any>(call);
  const pcm = toS16(new Float32Array([...toneAudio('first', { tail: 1.5 }), ...toneAudio('second one')]));
  let i = 0;
  for (let o = 0; o < pcm.length; o += 3200, i++) {
    const config = { sample_rate: 16000, model: 'tone-alphabet', two_pass: { value: true } };
    call.write({ audio_data: pcm.subarray(o, o + 3200), chunk_index: i, ...(i === 0 ? { config } : {}) });
    await new Promise((r) => setTimeout(r, 10));
  }
  call.write({ audio_data: Buffer.alloc(0), chunk_index: i, is_final: true });
  call.end();
  const all = await results;
  const finals = all.filter((r) => r.is_final);
  assert.deepEqual(
    finals.map((f) => f.text),
    ['first', 'second one'],
  );
  assert.deepEqual(
    finals.map((f) => f.language),
    ['en', 'en'],
  );
  assert.ok(
    all.some((r) => !r.is_final),
    'interims while speaking',
  );
  assert.equal((await offlineFinals(g.engine)) - before, 2);
  const refused = clients.asr.StreamingTranscribe();
  const failed = collect<any>(refused);
  refused.write({ audio_data: Buffer.alloc(320), config: { sample_rate: 16000, model: 'tone-offline', two_pass: { value: true } } });
  refused.end();
  await assert.rejects(failed, (e: grpc.ServiceError) => /two_pass/.test(e.details));
});

test('the store keeps offline and two-pass finals as it keeps streaming ones (session=new)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-two-pass-store-'));
  const store = openStore({ path: join(dir, 'earshot.db') });
  const s = await startTestServer(ENGINE, { store });
  try {
    for (const q of [{ model: 'tone-offline' }, { model: 'tone-alphabet', two_pass: 'true' }] as Record<string, string>[]) {
      const c = connect(wsUrl(s.server, 'asr', '/v1/audio/stream', { ...q, session: 'new' }));
      const ready = await c.waitFor((m) => m.type === 'ready');
      assert.equal(ready.stored, true);
      for (const p of ['stored words', 'second one']) await streamPcm(c.ws, toS16(toneAudio(p, { tail: 1.5 })), 16000, 100, 5);
      c.send({ type: 'end' });
      await c.waitFor((m) => m.type === 'session_complete');
      const finals = c.messages.filter((m) => m.type === 'transcript' && m.is_final);
      const stored = store.getSession(ready.session_id)!;
      assert.equal(stored.model, q.model);
      assert.equal(stored.language, 'en');
      assert.deepEqual(
        stored.segments.map((g) => [g.text, g.startMs, g.endMs]),
        finals.map((f) => [f.text, f.start_ms, f.end_ms]),
        JSON.stringify(q),
      );
      assert.deepEqual(
        stored.segments.map((g) => g.text),
        ['stored words', 'second one'],
      );
    }
  } finally {
    await s.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
