// gRPC TextToSpeech (espeak-ng, real synthesis) and the standard health service, with a client generated
// at run time from proto/tts.proto; and token enforcement on gRPC metadata with --require-token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import { collect, grpcClients, startHarness, TOKEN, unary, type Harness } from './grpc-rest-harness.js';

let h: Harness;
let clients: ReturnType<typeof grpcClients>;

before(async () => {
  h = await startHarness({
    engine: { asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [{ backend: 'espeak' }] },
    requireToken: true,
  });
  clients = grpcClients(h, TOKEN);
});
after(async () => {
  clients?.close();
  await h?.close();
});

function checkSequence(chunks: any[]): void {
  assert.deepEqual(
    chunks.map((c) => c.sequence_number),
    chunks.map((_, i) => i),
    'sequence numbers 0, 1, 2, …',
  );
}

test('Synthesize streams audio chunks with metadata and sequence numbers, the last one final', async () => {
  const chunks: any[] = await collect(
    clients.tts.Synthesize({
      text: 'Hello there. This is a streaming test of the speech synthesizer.',
      voice: 'espeak:en-us',
      request_id: 'g1',
    }),
  );
  assert.ok(chunks.length >= 3, `several chunks, got ${chunks.length}`);
  checkSequence(chunks);
  const audio = chunks.filter((c) => !c.is_final);
  const last = chunks.at(-1);
  assert.equal(last.is_final, true);
  assert.equal(chunks.filter((c) => c.is_final).length, 1);
  for (const c of audio) {
    assert.equal(c.metadata.sample_rate, 22050);
    assert.equal(c.metadata.channels, 1);
    assert.equal(c.metadata.format, 'pcm');
    assert.equal(c.request_id, 'g1');
    assert.equal(c.audio_data.length % 2, 0);
  }
  const bytes = audio.reduce((n, c) => n + c.audio_data.length, 0);
  const ms = (bytes / 2 / 22050) * 1000;
  assert.ok(Math.abs(last.metadata.duration_ms - ms) <= 1, `final duration ${last.metadata.duration_ms} ≈ audio ${ms}`);
  assert.ok(ms > 1500, `speech of plausible length (${ms} ms)`);
  // timestamp_ms is each chunk's position within the request.
  let pos = 0;
  for (const c of audio) {
    assert.ok(Math.abs(c.timestamp_ms - pos) <= 1);
    pos += (c.audio_data.length / 2 / 22050) * 1000;
  }
  // The audio is not silence.
  const pcm = Buffer.concat(audio.map((c) => c.audio_data));
  let peak = 0;
  for (let i = 0; i < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
  assert.ok(peak > 1000, `peak ${peak}`);
});

test('Synthesize honours sample_rate and format=wav', async () => {
  const chunks: any[] = await collect(clients.tts.Synthesize({ text: 'Resampled.', sample_rate: 16000, format: 'wav' }));
  const first = chunks[0];
  assert.equal(first.metadata.sample_rate, 16000);
  assert.equal(first.metadata.format, 'wav');
  assert.equal(first.audio_data.toString('latin1', 0, 4), 'RIFF');
  assert.equal(first.audio_data.readUInt32LE(24), 16000);
});

test('StreamingSynthesize: append/flush/finish give per-request audio, finals, and one sequence', async () => {
  const call = clients.tts.StreamingSynthesize();
  const all = collect<any>(call);
  call.write({ config: { voice: 'espeak:en-us' } });
  for (const piece of ['The first ', 'sentence is here. ', 'And a second', ' one follows']) call.write({ text: piece });
  call.write({ flush: true });
  call.write({ text: 'Another request after the flush.', finish: true });
  call.end();
  const chunks = await all;
  checkSequence(chunks);
  const finals = chunks.filter((c) => c.is_final);
  assert.equal(finals.length, 2, 'one final per request (flush, finish)');
  assert.notEqual(finals[0].request_id, finals[1].request_id);
  // A chunk never mixes requests: every chunk of request 1 comes before request 2's.
  const ids = chunks.map((c) => c.request_id);
  const firstOfSecond = ids.indexOf(finals[1].request_id);
  assert.ok(ids.slice(0, firstOfSecond).every((id) => id === finals[0].request_id));
  assert.ok(ids.slice(firstOfSecond).every((id) => id === finals[1].request_id));
  for (const f of finals) {
    const bytes = chunks.filter((c) => c.request_id === f.request_id && !c.is_final).reduce((n, c) => n + c.audio_data.length, 0);
    assert.ok(bytes > 22050, `request ${f.request_id} has audio`);
    assert.equal(f.metadata.duration_ms, Math.round((bytes / 2 / 22050) * 1000));
  }
});

test('StreamingSynthesize: unknown voice is NOT_FOUND, empty input INVALID_ARGUMENT', async () => {
  const call = clients.tts.StreamingSynthesize();
  const p = collect(call);
  call.write({ config: { voice: 'no-such-voice' } });
  await assert.rejects(p, (err: any) => err.code === grpc.status.NOT_FOUND && /no-such-voice/.test(err.details));
  call.end();
  const call2 = clients.tts.StreamingSynthesize();
  const p2 = collect(call2);
  call2.write({});
  await assert.rejects(p2, (err: any) => err.code === grpc.status.INVALID_ARGUMENT && /empty TextInput/.test(err.details));
  call2.end();
  await assert.rejects(
    collect(clients.tts.Synthesize({ text: '   ' })),
    (err: any) => err.code === grpc.status.INVALID_ARGUMENT && /empty/.test(err.details),
  );
  await assert.rejects(collect(clients.tts.Synthesize({ text: 'x', voice: 'nope' })), (err: any) => err.code === grpc.status.NOT_FOUND);
});

test('ListVoices lists espeak voices, filtered by language', async () => {
  const all: any = await unary(clients.tts, 'ListVoices', {});
  assert.ok(all.voices.length > 50);
  const ar: any = await unary(clients.tts, 'ListVoices', { language: 'ar' });
  assert.ok(ar.voices.some((v: any) => v.id === 'espeak:ar'));
  assert.ok(ar.voices.every((v: any) => v.language.startsWith('ar')));
});

test('Health reports SERVING on both ports (no token needed)', async () => {
  const def = protoLoader.loadSync((await import('grpc-health-check')).protoPath, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
  });
  const health = (grpc.loadPackageDefinition(def) as any).grpc.health.v1.Health;
  for (const [port, service] of [
    [h.grpc.asrPort, 'earshot.v1.SpeechRecognition'],
    [h.grpc.ttsPort, 'earshot.v1.TextToSpeech'],
  ] as const) {
    const c = new health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    for (const name of ['', service]) {
      const res: any = await unary(c, 'Check', { service: name });
      assert.equal(res.status, 'SERVING', `${port} ${name || '(server)'}`);
    }
    await assert.rejects(unary(c, 'Check', { service: 'no.such.Service' }), (err: any) => err.code === grpc.status.NOT_FOUND);
    c.close();
  }
  assert.ok(HealthImplementation, 'grpc-health-check is the implementation');
});

test('with require-token: no metadata → UNAUTHENTICATED, wrong token → UNAUTHENTICATED, right token → OK', async () => {
  const bare = grpcClients(h);
  const wrong = grpcClients(h, 'not-the-token');
  try {
    await assert.rejects(
      unary(bare.asr, 'ListModels', {}),
      (err: any) => err.code === grpc.status.UNAUTHENTICATED && /token/.test(err.details),
    );
    await assert.rejects(collect(bare.tts.Synthesize({ text: 'hi' })), (err: any) => err.code === grpc.status.UNAUTHENTICATED);
    const s = bare.asr.StreamingTranscribe();
    const p = collect(s);
    s.write({ audio_data: Buffer.alloc(320) });
    await assert.rejects(p, (err: any) => err.code === grpc.status.UNAUTHENTICATED);
    s.end();
    await assert.rejects(
      unary(wrong.tts, 'ListVoices', {}),
      (err: any) => err.code === grpc.status.UNAUTHENTICATED && /invalid/.test(err.details),
    );
    const ok: any = await unary(clients.asr, 'ListModels', {});
    assert.ok(ok.models.length > 0);
  } finally {
    bare.close();
    wrong.close();
  }
});

test('StreamingSynthesize: cancel stops the request in progress; the call goes on with the next text', async () => {
  const call = clients.tts.StreamingSynthesize();
  const chunks: any[] = [];
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (c: any) => {
      chunks.push(c);
      if (chunks.length === 1) call.write({ cancel: true, text: 'After the cancel.', finish: true });
    });
    call.on('error', reject);
    call.on('end', () => resolve());
  });
  const long = Array.from({ length: 30 }, (_, i) => `This is sentence number ${i + 1} of a long answer.`).join(' ');
  call.write({ text: long, flush: true });
  await done;
  call.end();
  const first = chunks[0].request_id;
  const finals = chunks.filter((c) => c.is_final);
  assert.equal(finals.length, 1, 'only the request after the cancel completes');
  assert.notEqual(finals[0].request_id, first);
  const cancelledAudio = chunks.filter((c) => c.request_id === first).reduce((n, c) => n + c.audio_data.length, 0);
  // 30 sentences are ~60 s of speech; a cancelled request stops within a few chunks.
  assert.ok(cancelledAudio / 2 / 22050 < 10, `cancelled request produced ${(cancelledAudio / 2 / 22050).toFixed(1)} s`);
  checkSequence(chunks);
});
