// The REST routes and gRPC services as assembled by startServer (api/server.ts): served on both HTTP ports,
// behind the server's auth hook (require-token), with gRPC on the server's own ports; the openai client
// works with the token as its API key.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import OpenAI from 'openai';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { encodeWav } from '../../src-main/core/audio/index.js';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { collect, TOKEN } from './grpc-rest-harness.js';
import { TONE_MODELS } from '../helpers/fixtures.js';
import { ASR_PROTO, LOADER_OPTIONS, TTS_PROTO } from '../../src-main/core/api/grpc/proto.js';
import * as protoLoader from '@grpc/proto-loader';

let engine: Engine;
let server: RunningServer;

before(async () => {
  engine = await createEngine({
    asr: TONE_MODELS.map((model) => ({ backend: 'sherpa' as const, model })),
    tts: [{ backend: 'espeak' }],
    vad: false,
  });
  await engine.ready;
  server = await startServer({ engine, token: TOKEN, requireToken: true, asrPort: 0, ttsPort: 0, grpc: { asrPort: 0, ttsPort: 0 } });
});
after(async () => {
  await server?.close();
  await engine?.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };

test('both HTTP ports serve the REST routes; /healthz is open, the rest needs the token', async () => {
  for (const base of [server.asrUrl, server.ttsUrl]) {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const noToken = await fetch(`${base}/v1/voices`);
    assert.equal(noToken.status, 401);
    assert.equal(((await noToken.json()) as any).error.code, 'unauthorized');
    const voices = await fetch(`${base}/v1/voices`, { headers: auth });
    assert.equal(voices.status, 200);
    assert.equal((await fetch(`${base}/readyz`, { headers: auth })).status, 200);
    const speech = await fetch(`${base}/v1/tts/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    assert.equal(speech.status, 401);
  }
});

test('a browser Origin that is not allowed is refused even with the token', async () => {
  const r = await fetch(`${server.asrUrl}/v1/models`, { headers: { ...auth, origin: 'https://evil.example' } });
  assert.equal(r.status, 403);
});

test('the openai client with the token as API key transcribes and speaks through the assembled server', async () => {
  const client = new OpenAI({ baseURL: `${server.ttsUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
  const wav = encodeWav(toneAudio('server path'), 16000);
  for (const model of TONE_MODELS) {
    const res = await client.audio.transcriptions.create({ file: new File([new Uint8Array(wav)], 'a.wav', { type: 'audio/wav' }), model });
    assert.equal(res.text, 'server path', model);
  }
  const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'nova', input: 'Served.', response_format: 'wav' });
  const buf = Buffer.from(await speech.arrayBuffer());
  assert.equal(buf.toString('latin1', 0, 4), 'RIFF');
  assert.ok(buf.length > 44 + 2205 * 2);
  const bad = new OpenAI({ baseURL: `${server.asrUrl}/v1`, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(bad.models.list(), (err: any) => err.status === 401);
});

test('the JSON TTS routes refuse bodies larger than their limit with 413 too_large', async () => {
  const body = JSON.stringify({ text: 'a'.repeat(server.ctx.limits.maxTtsTextChars * 5) });
  const r = await fetch(`${server.asrUrl}/v1/tts/stream`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body,
  });
  assert.equal(r.status, 413);
  assert.equal(((await r.json()) as any).error.code, 'too_large');
});

test("gRPC runs on the server's own ports with the same token rule", async () => {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync([ASR_PROTO, TTS_PROTO], LOADER_OPTIONS)) as any;
  const tts = new pkg.earshot.v1.TextToSpeech(`127.0.0.1:${server.grpcTtsPort}`, grpc.credentials.createInsecure());
  try {
    await assert.rejects(collect(tts.Synthesize({ text: 'x' })), (err: any) => err.code === grpc.status.UNAUTHENTICATED);
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${TOKEN}`);
    const chunks: any[] = await collect(tts.Synthesize({ text: 'Token accepted.' }, md));
    assert.equal(chunks.at(-1).is_final, true);
  } finally {
    tts.close();
  }
});
