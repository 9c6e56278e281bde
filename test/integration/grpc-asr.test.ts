// gRPC SpeechRecognition over real sockets with the real sherpa engine and the tone fixtures (NeMo CTC and
// zipformer transducer: the exact-text tests run on each), using a client generated at run time from
// proto/asr.proto.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TONE_MODELS } from '../helpers/fixtures.js';
import * as grpc from '@grpc/grpc-js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { collect, grpcClients, startHarness, toS16, unary, type Harness } from './grpc-rest-harness.js';

let h: Harness;
let clients: ReturnType<typeof grpcClients>;

before(async () => {
  h = await startHarness({
    engine: { asr: TONE_MODELS.map((model) => ({ backend: 'sherpa' as const, model })), tts: [] },
    limits: { idleTimeoutMs: 1500 },
  });
  clients = grpcClients(h);
});
after(async () => {
  clients?.close();
  await h?.close();
});

/** Streams `pcm` in 100 ms chunks (paced a little so interims can appear), then is_final. */
async function streamPhrase(pcm: Buffer, config: Record<string, unknown>, paceMs = 10) {
  const call = clients.asr.StreamingTranscribe();
  const results = collect<any>(call);
  const chunk = 3200;
  let i = 0;
  for (let o = 0; o < pcm.length; o += chunk, i++) {
    call.write({ audio_data: pcm.subarray(o, o + chunk), chunk_index: i, ...(i === 0 ? { config } : {}) });
    await new Promise((r) => setTimeout(r, paceMs));
  }
  call.write({ audio_data: Buffer.alloc(0), chunk_index: i, is_final: true });
  call.end();
  return results;
}

for (const model of TONE_MODELS) {
  describe(model, () => {
    test('StreamingTranscribe returns exactly the spelled phrase as final, after growing interims', async () => {
      const phrase = 'hello world';
      const results = await streamPhrase(toS16(toneAudio(phrase)), { sample_rate: 16000, model });
      const finals = results.filter((r) => r.is_final);
      const interims = results.filter((r) => !r.is_final);
      assert.deepEqual(
        finals.map((f) => f.text),
        [phrase],
      );
      assert.ok(interims.length >= 2, `expected several interims, got ${interims.length}`);
      for (let k = 1; k < interims.length; k++) {
        assert.ok(interims[k].text.length > interims[k - 1].text.length, `interims grow: ${interims.map((x) => x.text).join(' | ')}`);
      }
      for (const im of interims) assert.ok(phrase.startsWith(im.text), `interim "${im.text}" is a prefix of the final`);
      assert.ok(results.indexOf(finals[0]) > results.indexOf(interims.at(-1)), 'interims come before the final');
      const f = finals[0];
      assert.equal(f.segment, 0);
      assert.ok(f.end_ms > f.start_ms);
      assert.ok(f.words.length >= 2, 'word timings present');
    });

    test('StreamingTranscribe: two phrases separated by silence give two finals with increasing segments', async () => {
      const a = toneAudio('first', { tail: 1.5 });
      const b = toneAudio('second one');
      const both = new Float32Array(a.length + b.length);
      both.set(a);
      both.set(b, a.length);
      const results = await streamPhrase(toS16(both), { sample_rate: 16000, model, interim_results: { value: false } }, 0);
      assert.ok(
        results.every((r) => r.is_final),
        'interim_results=false sends finals only',
      );
      assert.deepEqual(
        results.map((r) => r.text),
        ['first', 'second one'],
      );
      assert.deepEqual(
        results.map((r) => r.segment),
        [0, 1],
      );
    });

    test('Transcribe (unary) on a WAV buffer at 48 kHz returns the phrase', async () => {
      const { encodeWav, resample } = await import('../../src-main/core/audio/index.js');
      const wav = encodeWav(resample(toneAudio('abc xyz'), 16000, 48000), 48000);
      const res: any = await unary(clients.asr, 'Transcribe', { audio: wav, config: { model } });
      assert.equal(res.text, 'abc xyz');
      assert.equal(res.model, model);
      assert.equal(res.segments.length, 1);
      assert.ok(res.duration_ms > 2000);
    });
  });
}

test('ListModels leaves fixtures out for users; with the developer switch it lists the loaded fixtures', async () => {
  const user: any = await unary(clients.asr, 'ListModels', {});
  assert.ok(user.models.length > 0, 'the real catalog entries are listed');
  assert.deepEqual(
    user.models.filter((m: any) => m.fixture).map((m: any) => m.id),
    [],
  );
  h.ctx.listFixtures = true;
  const res: any = await unary(clients.asr, 'ListModels', {}).finally(() => (h.ctx.listFixtures = false));
  for (const model of TONE_MODELS) {
    const tone = res.models.find((m: any) => m.id === model);
    assert.ok(tone, `${model} is listed`);
    assert.equal(tone.fixture, true);
    assert.equal(tone.installed, true);
  }
  const asrOnly: any = await unary(clients.asr, 'ListModels', { kind: 'asr-streaming' });
  assert.ok(asrOnly.models.length > 0 && asrOnly.models.every((m: any) => m.kind === 'asr-streaming'));
});

test('bad input ends the call with INVALID_ARGUMENT naming the problem', async () => {
  // Odd byte count for s16le.
  const call = clients.asr.StreamingTranscribe();
  const p = collect(call);
  call.write({ audio_data: Buffer.alloc(3), config: { sample_rate: 16000, model: 'tone-alphabet' } });
  await assert.rejects(p, (err: any) => err.code === grpc.status.INVALID_ARGUMENT && /even number of bytes/.test(err.details));
  call.end();

  // Sample rate out of range.
  const call2 = clients.asr.StreamingTranscribe();
  const p2 = collect(call2);
  call2.write({ audio_data: Buffer.alloc(320), config: { sample_rate: 1234, model: 'tone-alphabet' } });
  await assert.rejects(p2, (err: any) => err.code === grpc.status.INVALID_ARGUMENT && /sample_rate/.test(err.details));
  call2.end();

  // Config after the first chunk.
  const call3 = clients.asr.StreamingTranscribe();
  const p3 = collect(call3);
  call3.write({ audio_data: Buffer.alloc(320), config: { sample_rate: 16000, model: 'tone-alphabet' } });
  call3.write({ audio_data: Buffer.alloc(320), chunk_index: 1, config: { sample_rate: 8000 } });
  await assert.rejects(p3, (err: any) => err.code === grpc.status.INVALID_ARGUMENT && /only allowed on the first chunk/.test(err.details));
  call3.end();

  // Unknown model.
  await assert.rejects(
    unary(clients.asr, 'Transcribe', { audio: Buffer.alloc(3200), config: { model: 'no-such-model' } }),
    (err: any) => err.code === grpc.status.NOT_FOUND && /no-such-model/.test(err.details),
  );
  // Empty audio.
  await assert.rejects(
    unary(clients.asr, 'Transcribe', { audio: Buffer.alloc(0), config: { model: 'tone-alphabet' } }),
    (err: any) => err.code === grpc.status.INVALID_ARGUMENT && /empty/.test(err.details),
  );
  // The service still works afterwards.
  const ok = await streamPhrase(toS16(toneAudio('ok')), { sample_rate: 16000, model: 'tone-alphabet' }, 0);
  assert.deepEqual(
    ok.filter((r) => r.is_final).map((r) => r.text),
    ['ok'],
  );
});

test('a chunk over the frame limit is RESOURCE_EXHAUSTED', async () => {
  const call = clients.asr.StreamingTranscribe();
  const p = collect(call);
  call.write({ audio_data: Buffer.alloc(h.ctx.limits.maxFrameBytes + 2), config: { sample_rate: 16000, model: 'tone-alphabet' } });
  await assert.rejects(p, (err: any) => err.code === grpc.status.RESOURCE_EXHAUSTED && /limit/.test(err.details));
  call.end();
});

test('over the concurrent-stream limit (shared with WS) a call is RESOURCE_EXHAUSTED; freeing a slot lets it through', async () => {
  const held: (() => void)[] = [];
  for (let r = h.ctx.streams.acquire(); r; r = h.ctx.streams.acquire()) held.push(r);
  try {
    const call = clients.asr.StreamingTranscribe();
    const p = collect(call);
    call.write({ audio_data: Buffer.alloc(320), config: { model: 'tone-alphabet' } });
    await assert.rejects(p, (err: any) => err.code === grpc.status.RESOURCE_EXHAUSTED && /too many concurrent streams/.test(err.details));
    call.end();
  } finally {
    held.forEach((release) => release());
  }
  const ok = await streamPhrase(toS16(toneAudio('go')), { model: 'tone-alphabet' }, 0);
  assert.deepEqual(
    ok.filter((r) => r.is_final).map((r) => r.text),
    ['go'],
  );
});

test('a stream with no input for the idle timeout is closed with DEADLINE_EXCEEDED and frees its slot', async () => {
  const before = h.ctx.streams.active;
  const call = clients.asr.StreamingTranscribe();
  const p = collect(call);
  call.write({ audio_data: Buffer.alloc(320), config: { model: 'tone-alphabet' } });
  await assert.rejects(p, (err: any) => err.code === grpc.status.DEADLINE_EXCEEDED && /no audio for 1500 ms/.test(err.details));
  call.end();
  assert.equal(h.ctx.streams.active, before);
});
