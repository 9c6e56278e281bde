// Token rotation ends the streams that authenticated with the old token (issue 10): WebSocket ASR and TTS
// streams close 4401, gRPC StreamingTranscribe / StreamingSynthesize / Synthesize end UNAUTHENTICATED. Streams opened with
// the new token, and native loopback streams opened without any token (allowed without --require-token), go on.
// Real server, real engine, real sockets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { pino } from 'pino';
import { ASR_PROTO, LOADER_OPTIONS, TTS_PROTO } from '../../src-main/core/api/grpc/proto.js';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { connect, wsUrl } from './ws-harness.js';

const FIRST = 'rotation-test-token-0123456789abcdefgh';
let engine: Engine;
let server: RunningServer;
before(async () => {
  engine = await createEngine({ asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [{ backend: 'espeak' }], vad: false });
  await engine.ready;
  server = await startServer({
    engine,
    token: FIRST,
    asrPort: 0,
    ttsPort: 0,
    grpc: { asrPort: 0, ttsPort: 0 },
    logger: pino({ level: 'silent' }),
  });
});
after(async () => {
  await server?.close();
  await engine?.close();
});

function grpcClients(token: string | null) {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync([ASR_PROTO, TTS_PROTO], LOADER_OPTIONS)) as any;
  const options = token
    ? {
        interceptors: [
          (o: any, next: any) =>
            new grpc.InterceptingCall(next(o), {
              start(md, l, nxt) {
                md.set('authorization', `Bearer ${token}`);
                nxt(md, l);
              },
            }),
        ],
      }
    : {};
  const creds = grpc.credentials.createInsecure();
  return {
    asr: new pkg.earshot.v1.SpeechRecognition(`127.0.0.1:${server.grpcAsrPort}`, creds, options),
    tts: new pkg.earshot.v1.TextToSpeech(`127.0.0.1:${server.grpcTtsPort}`, creds, options),
  };
}

/** The status a call ends with ('OK' or the code name), without waiting for data. */
function ending(call: grpc.ClientDuplexStream<unknown, unknown>): Promise<string> {
  return new Promise((resolve) => {
    call.on('data', () => undefined);
    call.on('error', (e: grpc.ServiceError) => resolve(`${grpc.status[e.code]}: ${e.details}`));
    call.on('end', () => resolve('OK'));
  });
}

test('rotation closes WS (4401) and gRPC (UNAUTHENTICATED) streams opened with the old token; others go on', async () => {
  const q = { model: 'tone-alphabet' };
  const wsOld = connect(wsUrl(server, 'asr', '/v1/audio/stream', { ...q, token: FIRST }));
  const ttsOld = connect(wsUrl(server, 'tts', '/v1/audio/stream'), { Authorization: `Bearer ${FIRST}` });
  const wsNoToken = connect(wsUrl(server, 'asr', '/v1/audio/stream', q));
  await wsOld.waitFor((m) => m.type === 'ready');
  await wsNoToken.waitFor((m) => m.type === 'ready');
  await ttsOld.opened;

  const old = grpcClients(FIRST);
  const grpcAsr = old.asr.StreamingTranscribe();
  const grpcAsrEnd = ending(grpcAsr);
  grpcAsr.write({ audio_data: Buffer.alloc(3200), chunk_index: 0, config: { model: 'tone-alphabet', sample_rate: 16000 } });
  const grpcTts = old.tts.StreamingSynthesize();
  const grpcTtsEnd = ending(grpcTts);
  grpcTts.write({ text: 'Hello' });
  // A one-shot Synthesize of a long text, still streaming when the token rotates.
  // Distinct sentences: repeated ones would come from the synthesis cache at once.
  const long = old.tts.Synthesize({
    text: Array.from({ length: 40 }, (_, i) => `This is sentence ${i + 1} of a long text that takes a while to speak.`).join(' '),
  });
  const longEnd = new Promise<string>((resolve) => {
    long.on('data', () => undefined);
    long.on('error', (e: grpc.ServiceError) => resolve(`${grpc.status[e.code]}: ${e.details}`));
    long.on('end', () => resolve('OK'));
  });
  await new Promise((r) => setTimeout(r, 300)); // let the calls reach their handlers

  const res = await fetch(`${server.asrUrl}/v1/token/regenerate`, { method: 'POST', headers: { Authorization: `Bearer ${FIRST}` } });
  assert.equal(res.status, 200);
  const { token: second } = (await res.json()) as { token: string };

  const closed = await wsOld.closed;
  assert.equal(closed.code, 4401);
  assert.match(closed.reason, /token was rotated/);
  assert.equal((await ttsOld.closed).code, 4401);
  assert.match(await grpcAsrEnd, /^UNAUTHENTICATED: the API token was rotated/);
  assert.match(await grpcTtsEnd, /^UNAUTHENTICATED: the API token was rotated/);
  assert.match(await longEnd, /^UNAUTHENTICATED: the API token was rotated/);

  // A stream opened without a token is not bound to any token and goes on.
  wsNoToken.send({ type: 'flush' });
  assert.equal((await wsNoToken.waitFor((m) => m.type === 'flushed')).segment, null);
  // A stream opened with the new token is bound to it, and unbound when it closes.
  const wsNew = connect(wsUrl(server, 'asr', '/v1/audio/stream', { ...q, token: second }));
  await wsNew.waitFor((m) => m.type === 'ready');
  assert.equal(server.ctx.tokenBound.size, 1, 'only the new-token stream is bound now');
  wsNew.send({ type: 'end' });
  assert.equal((await wsNew.closed).code, 1000);
  wsNoToken.send({ type: 'end' });
  assert.equal((await wsNoToken.closed).code, 1000);
  assert.equal(server.ctx.tokenBound.size, 0, 'closed streams unbind');
  old.asr.close();
  old.tts.close();
});
