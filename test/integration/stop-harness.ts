// Shared by the stop-*.test.ts files: work in progress on every transport at the moment a server is stopped,
// and what each client got. Not a test file itself.
//
// - WebSocket: a `session=new` stream of the tone-alphabet fixture, mid-utterance (endpointing off, so the
//   phrase is heard — an interim arrived — but only a stop can finalize it).
// - gRPC: the same over StreamingTranscribe, with another phrase.
// - REST: two /v1/audio/transcriptions uploads whose bodies are half sent when the stop begins (the server has
//   accepted each: it answered `100 Continue`). One sends the rest once the stop has begun and must get its full
//   transcript; the other never does and must be cut with a clear 503 `unavailable` at the stop deadline.
import assert from 'node:assert/strict';
import { request, type ClientRequest } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { encodeWav } from '../../src-main/core/audio/index.js';
import { ASR_PROTO, LOADER_OPTIONS } from '../../src-main/core/api/grpc/proto.js';
import { openStore } from '../../src-main/core/store/index.js';
import { connect, streamPcm, toS16, type TestClient } from './ws-harness.js';

export const WS_PHRASE = 'goodbye now';
export const GRPC_PHRASE = 'see you later';
export const REST_PHRASE = 'hello world';
/** Correctness bound on a whole stop (grace period for the stalled upload included), not a performance figure. */
export const STOP_BOUND_MS = 10_000;

export interface Endpoints {
  /** http://127.0.0.1:port of the ASR HTTP/WS port. */
  asrUrl: string;
  /** host:port of the gRPC SpeechRecognition server. */
  grpcAsr: string;
}

export interface InProgress {
  wsSessionId: string;
  grpcSessionId: string;
  /** Tell the "finishing" upload that the stop has begun: it sends the rest of its body now. */
  stopBegan(): void;
  /** Resolves once every client has its outcome. */
  outcome(): Promise<Outcome>;
}

export interface Outcome {
  ws: { finals: string[]; last: any; close: { code: number; reason: string } };
  grpc: { finals: string[]; status: grpc.status; details: string };
  restFinished: { status: number; body: string };
  restStalled: { status: number; body: string };
}

/** A multipart body for /v1/audio/transcriptions with the WAV as `file`. */
function multipart(wav: Buffer): { body: Buffer; type: string } {
  const boundary = 'earshot-stop-test-boundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="response_format"\r\n\r\ntext\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\ntone-alphabet\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, wav, tail]), type: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Starts an upload and sends the first half of its body once the server has accepted the request. Resolves
 * (`accepted`) then; `rest()` sends the second half; `response` settles with the answer.
 */
function halfUpload(asrUrl: string, body: Buffer, type: string) {
  const url = new URL('/v1/audio/transcriptions', asrUrl);
  let req!: ClientRequest;
  const response = new Promise<{ status: number; body: string }>((resolve) => {
    req = request(
      url,
      { method: 'POST', headers: { 'content-type': type, 'content-length': body.length, expect: '100-continue' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', (err) => resolve({ status: 0, body: `request error: ${err.message}` }));
  });
  const half = Math.floor(body.length / 2);
  const accepted = new Promise<void>((resolve) =>
    req.once('continue', () => {
      req.write(body.subarray(0, half), () => resolve());
    }),
  );
  req.flushHeaders();
  return {
    accepted,
    response,
    rest() {
      req.end(body.subarray(half));
    },
    destroy() {
      req.destroy();
    },
  };
}

export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))),
  ]);
}

function grpcAsrClient(address: string): any {
  const def = protoLoader.loadSync([ASR_PROTO], LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as any;
  return new pkg.earshot.v1.SpeechRecognition(address, grpc.credentials.createInsecure());
}

export async function startWorkInProgress(ep: Endpoints): Promise<InProgress> {
  // WebSocket, mid-utterance.
  const ws: TestClient = connect(
    `${ep.asrUrl.replace(/^http/, 'ws')}/v1/audio/stream?model=tone-alphabet&endpointing=false&session=new&source=mic`,
  );
  const ready = await ws.waitFor((m) => m.type === 'ready');
  const wsDone = streamPcm(ws.ws, toS16(toneAudio(WS_PHRASE, { tail: 0.3 })), 16000, 100, 20);

  // gRPC, mid-utterance (the call stays open: no is_final, no half-close).
  const client = grpcAsrClient(ep.grpcAsr);
  const call = client.StreamingTranscribe();
  const grpcResults: any[] = [];
  const grpcEnded = new Promise<{ status: grpc.status; details: string }>((resolve) => {
    call.on('data', (r: any) => grpcResults.push(r));
    call.on('error', (err: grpc.ServiceError) => resolve({ status: err.code, details: err.details }));
    call.on('status', (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK) resolve({ status: s.code, details: s.details });
    });
  });
  const pcm = toS16(toneAudio(GRPC_PHRASE, { tail: 0.3 }));
  const config = { sample_rate: 16000, model: 'tone-alphabet', endpointing_ms: { value: 0 }, session: 'new', source: 'mic' };
  for (let o = 0, i = 0; o < pcm.length; o += 3200, i++) {
    call.write({ audio_data: pcm.subarray(o, o + 3200), chunk_index: i, ...(i === 0 ? { config } : {}) });
    await new Promise((r) => setTimeout(r, 20));
  }

  // REST: two uploads, half sent.
  const { body, type } = multipart(encodeWav(toneAudio(REST_PHRASE), 16000));
  const finishing = halfUpload(ep.asrUrl, body, type);
  const stalled = halfUpload(ep.asrUrl, body, type);
  await within(Promise.all([finishing.accepted, stalled.accepted]), 30_000, 'the server accepting both uploads (100 Continue)');

  // The server has heard both phrases (interims), and finalized neither.
  await wsDone;
  await ws.waitFor((m) => m.type === 'transcript' && !m.is_final && m.text.length >= 4);
  const deadline = Date.now() + 30_000;
  while (!grpcResults.some((r) => !r.is_final && r.text.length >= 4)) {
    assert.ok(Date.now() < deadline, `no gRPC interim: ${JSON.stringify(grpcResults)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(ws.messages.filter((m) => m.type === 'transcript' && m.is_final).length, 0, 'no WS final before the stop');
  assert.equal(grpcResults.filter((r) => r.is_final).length, 0, 'no gRPC final before the stop');
  const grpcSessionId = grpcResults[0].session_id as string;
  assert.ok(grpcSessionId, 'the gRPC stream is stored');

  return {
    wsSessionId: ready.session_id,
    grpcSessionId,
    stopBegan: () => finishing.rest(),
    async outcome() {
      const [close, grpcEnd, restFinished, restStalled] = await within(
        Promise.all([ws.closed, grpcEnded, finishing.response, stalled.response]),
        60_000,
        'every client to end after the stop',
      );
      stalled.destroy();
      client.close();
      return {
        ws: {
          finals: ws.messages.filter((m) => m.type === 'transcript' && m.is_final).map((m) => m.text),
          last: ws.messages.at(-1),
          close,
        },
        grpc: { finals: grpcResults.filter((r) => r.is_final).map((r) => r.text), ...grpcEnd },
        restFinished,
        restStalled,
      };
    },
  };
}

/** What every stop must show: each client got the final of its utterance in progress, and the store has it. */
export function assertNothingLost(o: Outcome, dbPath: string, w: InProgress): void {
  assert.deepEqual(o.ws.finals, [WS_PHRASE], 'the WS client got the final of the utterance in progress');
  assert.equal(o.ws.last.type, 'session_complete');
  assert.equal(o.ws.close.code, 1001, 'WS: going away, a clean close');
  assert.deepEqual(o.grpc.finals, [GRPC_PHRASE], 'the gRPC client got the final of the utterance in progress');
  assert.equal(o.grpc.status, grpc.status.OK, `gRPC call ends OK, got ${o.grpc.status} ${o.grpc.details}`);
  assert.equal(o.restFinished.status, 200, `the upload finished during the stop gets its transcript: ${o.restFinished.body}`);
  assert.equal(o.restFinished.body.trim(), REST_PHRASE);
  assert.equal(o.restStalled.status, 503, `the upload that never completed is cut with 503: ${o.restStalled.body}`);
  const err = JSON.parse(o.restStalled.body).error;
  assert.equal(err.code, 'unavailable');
  assert.match(err.message, /shutting down/);
  const store = openStore({ path: dbPath });
  try {
    for (const [id, phrase] of [
      [w.wsSessionId, WS_PHRASE],
      [w.grpcSessionId, GRPC_PHRASE],
    ] as const) {
      const s = store.getSession(id);
      assert.ok(s, `session ${id} stored`);
      assert.deepEqual(
        s!.segments.map((x) => x.text),
        [phrase],
        `the store has the final of the utterance in progress (${phrase})`,
      );
      assert.equal(s!.segments[0]!.track, 'mic');
      assert.equal(s!.status, 'complete');
    }
  } finally {
    store.close();
  }
}
