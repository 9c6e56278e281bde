// In test/slow (the complete gate, not test:quick): the real neural voice (piper joe) on every transport; test:quick keeps TTS on espeak and the fixture voices.
// The real neural voice (piper joe, sherpa-onnx) through every transport of one real server: WebSocket, gRPC and
// REST. Incremental requests prove sentence-by-sentence streaming without timing: the first sentence's audio
// arrives before the client has even sent the second sentence.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, TTS_PROTO } from '../../src-main/core/api/grpc/proto.js';
import { parseWavHeader } from '../../src-main/core/audio/index.js';
import { JOE, requireJoeVoice } from '../helpers/voices.js';
import { connect, startTestServer, wsUrl } from '../integration/ws-harness.js';

const RATE = 22050;
let h: Awaited<ReturnType<typeof startTestServer>>;
let tts: any;

before(async () => {
  requireJoeVoice();
  h = await startTestServer({ asr: [], tts: [{ voice: JOE }] }, { grpc: { asrPort: 0, ttsPort: 0 } });
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync([TTS_PROTO], LOADER_OPTIONS)) as any;
  tts = new pkg.earshot.v1.TextToSpeech(`127.0.0.1:${h.server.grpcTtsPort}`, grpc.credentials.createInsecure());
});
after(async () => {
  tts?.close();
  await h?.close();
});

/** Peak of s16le audio: real speech reaches well above the noise floor. */
function peak(pcm: Buffer): number {
  let p = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) p = Math.max(p, Math.abs(pcm.readInt16LE(i)));
  return p;
}

test('the joe voice is listed with its native rate, as a real (not fixture) sherpa voice', async () => {
  const { data } = (await (await fetch(`${h.server.ttsUrl}/v1/voices`)).json()) as {
    data: { id: string; backend: string; sample_rate: number; fixture: boolean }[];
  };
  assert.deepEqual(
    data.find((v) => v.id === JOE),
    { id: JOE, name: 'Piper en_US joe (medium)', language: 'en', backend: 'sherpa', sample_rate: RATE, fixture: false },
  );
});

test('WebSocket: appended text is spoken sentence by sentence (audio before the next sentence is sent)', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/audio/stream', { voice: JOE }));
  await c.opened;
  c.send({ type: 'append', text: 'Good morning, everyone. ', request_id: 'w1' });
  await c.waitForBinary(); // the first sentence is spoken while the rest of the text has not been written yet
  const started = c.messages.find((m) => m.type === 'synthesis_started');
  assert.equal(started.sample_rate, RATE);
  assert.equal(started.voice, JOE);
  assert.equal(c.messages.filter((m) => m.type === 'synthesis_complete').length, 0);
  const firstSentenceBytes = c.received.filter((r) => 'binary' in r).length;
  c.send({ type: 'append', text: 'The meeting starts at ten.' });
  c.send({ type: 'flush' });
  const done = await c.waitFor((m) => m.type === 'synthesis_complete' && m.request_id === 'w1', 120_000);
  const pcm = Buffer.concat(c.received.filter((r): r is { binary: Buffer } => 'binary' in r).map((r) => r.binary));
  assert.ok(c.received.filter((r) => 'binary' in r).length > firstSentenceBytes, 'the second sentence added audio');
  assert.equal(pcm.length, done.samples * 2);
  assert.equal(done.sample_rate, RATE);
  // Two short sentences: about 2–6 s of speech, not silence.
  assert.ok(done.duration_ms > 1500 && done.duration_ms < 8000, `${done.duration_ms} ms of audio`);
  assert.ok(peak(pcm) > 3000, `peak ${peak(pcm)}`);
  c.ws.close();
});

test('gRPC: Synthesize streams the voice; StreamingSynthesize speaks the first sentence before the second is written', async () => {
  const chunks: any[] = await new Promise((resolve, reject) => {
    const out: any[] = [];
    const call = tts.Synthesize({ text: 'Hello there. How are you today?', voice: JOE, request_id: 'g1' });
    call.on('data', (m: any) => out.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
  const audio = chunks.filter((c) => !c.is_final);
  assert.ok(audio.length >= 2);
  assert.equal(chunks.at(-1).is_final, true);
  for (const c of audio) assert.equal(c.metadata.sample_rate, RATE);
  const pcm = Buffer.concat(audio.map((c) => c.audio_data));
  assert.ok(Math.abs(chunks.at(-1).metadata.duration_ms - (pcm.length / 2 / RATE) * 1000) <= 1);
  assert.ok(peak(pcm) > 3000);

  const call = tts.StreamingSynthesize();
  const got: any[] = [];
  let firstAudio: () => void;
  const first = new Promise<void>((r) => (firstAudio = r));
  const ended = new Promise<void>((resolve, reject) => {
    call.on('data', (m: any) => {
      got.push(m);
      if (m.audio_data?.length) firstAudio();
    });
    call.on('error', reject);
    call.on('end', resolve);
  });
  call.write({ config: { voice: JOE } });
  call.write({ text: 'This is the first sentence. ' });
  await first; // spoken before the second sentence exists
  assert.equal(got.filter((m) => m.is_final).length, 0);
  call.write({ text: 'And this is the second one.', finish: true });
  call.end();
  await ended;
  assert.equal(got.filter((m) => m.is_final).length, 1);
  const total = got.filter((m) => !m.is_final).reduce((n, m) => n + m.audio_data.length, 0) / 2 / RATE;
  assert.ok(total > 2 && total < 10, `${total} s of audio for two sentences`);
});

test('REST: /v1/tts/stream (SSE) and the OpenAI-compatible /v1/audio/speech speak with the voice', async () => {
  const r = await fetch(`${h.server.ttsUrl}/v1/tts/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ text: 'Short and clear. Two sentences.', voice: JOE, request_id: 's1' }),
  });
  assert.equal(r.status, 200);
  const events = (await r.text())
    .trim()
    .split('\n\n')
    .map((block) => ({ ev: /^event: (.+)$/m.exec(block)![1], data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) }));
  assert.equal(events[0]!.ev, 'start');
  assert.equal(events[0]!.data.sample_rate, RATE);
  assert.equal(events.at(-1)!.ev, 'done');
  const audio = events.filter((e) => e.ev === 'audio');
  const pcm = Buffer.concat(audio.map((e) => Buffer.from(e.data.audio, 'base64')));
  assert.equal(pcm.length / 2, events.at(-1)!.data.samples);
  assert.ok(peak(pcm) > 3000);

  const speech = await fetch(`${h.server.ttsUrl}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tts-1', input: 'The OpenAI client works too.', voice: JOE, response_format: 'wav' }),
  });
  assert.equal(speech.status, 200);
  const wav = Buffer.from(await speech.arrayBuffer());
  // OpenAI's speech endpoint answers at 24 kHz unless sample_rate asks for another (the voice's is 22.05 kHz).
  assert.equal(parseWavHeader(wav).sampleRate, 24000);
  assert.ok(wav.length > 44 + 24000, 'over half a second of audio');
});
