// A server stop while text-to-speech is in progress on every transport (espeak-ng, real synthesis): a short
// request finishes within the grace period; long ones are cut at its end with a clear signal — never a body
// that looks complete — and the stop is bounded:
// - REST `/v1/audio/speech` raw audio: the chunked body is aborted (no terminating chunk);
// - REST `/v1/tts/stream` as SSE: an `error` event with code `unavailable`;
// - gRPC `Synthesize`: status UNAVAILABLE naming the stop;
// - gRPC `StreamingSynthesize`: asked to finish, it speaks what is buffered and ends OK.
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, TTS_PROTO } from '../../src-main/core/api/grpc/proto.js';
import { startTestServer } from '../integration/ws-harness.js';

const GRACE_MS = 1500;
const STOP_BOUND_MS = 10_000;
// Distinct sentences: repeated ones would come from the synthesis cache at once.
const LONG = Array.from({ length: 300 }, (_, i) => `Sentence ${i + 1} is one of very many that take a long while to speak aloud.`).join(
  ' ',
);

let srv: Awaited<ReturnType<typeof startTestServer>>;
let tts: any;

before(async () => {
  srv = await startTestServer({ asr: [], tts: [{ backend: 'espeak' }] }, { grpc: { asrPort: 0, ttsPort: 0 }, stopGraceMs: GRACE_MS });
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync([TTS_PROTO], LOADER_OPTIONS)) as any;
  tts = new pkg.earshot.v1.TextToSpeech(`127.0.0.1:${srv.server.grpcTtsPort}`, grpc.credentials.createInsecure());
});
after(async () => {
  tts?.close();
  await srv?.engine.close();
});

/** POST JSON; resolves once the first body bytes arrived, with how the body ended. */
function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const data = Buffer.from(JSON.stringify(body));
  let res!: IncomingMessage;
  let text = '';
  let bytes = 0;
  const ended = new Promise<{ complete: boolean; text: string; bytes: number; status: number }>((resolve) => {
    const req = request(
      `${srv.server.ttsUrl}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length, ...headers } },
      (r) => {
        res = r;
        r.on('data', (d: Buffer) => {
          bytes += d.length;
          if (/event-stream/.test(String(r.headers['content-type']))) text += d.toString('utf8');
        });
        const done = () => resolve({ complete: r.complete, text, bytes, status: r.statusCode ?? 0 });
        r.on('end', done);
        r.on('error', done);
        r.on('aborted', done);
        r.on('close', done);
      },
    );
    req.on('error', () => resolve({ complete: false, text, bytes, status: res?.statusCode ?? 0 }));
    req.end(data);
  });
  const started = (async () => {
    while (bytes === 0) await new Promise((r) => setTimeout(r, 10));
  })();
  return { started, ended };
}

test('stop during TTS on every transport: short work finishes, long work is cut clearly, bounded', async () => {
  const raw = post('/v1/audio/speech', { input: LONG, response_format: 'pcm' });
  const sse = post('/v1/tts/stream', { text: LONG }, { accept: 'text/event-stream' });
  const grpcErr = new Promise<grpc.ServiceError | null>((resolve) => {
    const call = tts.Synthesize({ text: LONG });
    call.on('data', () => undefined);
    call.on('error', (e: grpc.ServiceError) => resolve(e));
    call.on('end', () => resolve(null));
  });
  const stream = tts.StreamingSynthesize();
  const streamChunks: any[] = [];
  const streamEnd = new Promise<grpc.ServiceError | null>((resolve) => {
    stream.on('data', (c: any) => streamChunks.push(c));
    stream.on('error', (e: grpc.ServiceError) => resolve(e));
    stream.on('end', () => resolve(null));
  });
  stream.write({ text: 'Buffered words, spoken on stop' }); // no sentence end: held until a flush/finish
  await Promise.all([raw.started, sse.started]);
  const short = post('/v1/tts/stream', { text: 'Short.' }, { accept: 'text/event-stream' });
  await short.started;

  const t0 = performance.now();
  await srv.server.close();
  const stopMs = performance.now() - t0;

  const [rawEnd, sseEnd, shortEnd, gErr, sErr] = await Promise.all([raw.ended, sse.ended, short.ended, grpcErr, streamEnd]);
  assert.equal(shortEnd.status, 200);
  assert.match(shortEnd.text, /event: done/, 'a short request finishes within the grace period');
  assert.equal(rawEnd.status, 200);
  assert.ok(rawEnd.bytes > 0);
  assert.equal(rawEnd.complete, false, 'the cut raw body is aborted, not ended as if complete');
  assert.match(sseEnd.text, /event: error\ndata: \{"code":"unavailable","message":"[^"]*shutting down/, 'the SSE body says why it stopped');
  assert.doesNotMatch(sseEnd.text, /event: done/);
  assert.equal(gErr?.code, grpc.status.UNAVAILABLE, `gRPC Synthesize: ${gErr?.code} ${gErr?.details}`);
  assert.match(gErr!.details, /shutting down/);
  assert.equal(sErr, null, `StreamingSynthesize ends OK: ${sErr?.details}`);
  assert.ok(streamChunks.some((c) => c.audio_data.length > 0) && streamChunks.at(-1).is_final, 'the buffered text was spoken');
  assert.equal(srv.server.stopReport?.cut, 3, 'the three long syntheses were cut');
  assert.ok(stopMs < STOP_BOUND_MS, `stop took ${Math.round(stopMs)} ms`);
});
