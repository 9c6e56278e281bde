// Admission over every transport, on the real server (startServer) with the real pocketsphinx engine: live
// streams are admitted up to the capacity the engine measured at load; the next one is refused at once with
// the reason — WebSocket close 1013, gRPC RESOURCE_EXHAUSTED — and a freed slot admits again. File
// transcriptions have their own slots: over them REST answers 503 with Retry-After, and an upload whose client
// hangs up is cancelled (its slot comes back without the file being decoded to the end).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { decodeWav, encodeWav } from '../../src-main/core/audio/index.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import { connect, startTestServer, wsUrl, type TestClient } from '../integration/ws-harness.js';
import { grpcClients, type Harness } from '../integration/grpc-rest-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
let capacity = 0;
const open: TestClient[] = [];

before(async () => {
  h = await startTestServer(
    { asr: [{ backend: 'pocketsphinx' }], tts: [], pocketsphinxWorkers: 1 },
    { grpc: { asrPort: 0, ttsPort: 0 }, limits: { maxBatchJobs: 1 } },
  );
  capacity = h.server.ctx.admission.liveCapacity(h.engine.asr());
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await h?.close();
});

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await sleep(50);
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('live streams up to the measured capacity, then WS 1013 and gRPC RESOURCE_EXHAUSTED with the reason; a freed slot admits again', async () => {
  const measured = h.engine.asr().capacity();
  assert.ok(measured.rtf > 0 && Number.isFinite(measured.rtf), `a real-time factor was measured: ${measured.rtf}`);
  assert.equal(capacity, Math.min(64, measured.liveStreams), 'admission uses the measurement (under the configured limit)');
  for (let i = 0; i < capacity; i++) {
    const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 16000 }));
    open.push(c);
    await c.waitFor((m) => m.type === 'ready');
  }
  const refused = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 16000 }));
  const closed = await refused.closed;
  assert.equal(closed.code, 1013);
  assert.match(closed.reason, /capacity/);
  const err = refused.messages.find((m) => m.type === 'error');
  assert.equal(err?.code, 'rate_limited');
  assert.match(
    err.message,
    new RegExp(
      `^server at capacity: ${capacity} of ${capacity} live streams on pocketsphinx-en-us; try again in \\d+ s \\(it keeps ${capacity} real-time`,
    ),
  );
  assert.match(closed.reason, /^server at capacity: \d+ of \d+ live streams on pocketsphinx-en-us; try again in \d+ s/);
  assert.ok(!refused.messages.some((m) => m.type === 'ready'), 'a refused stream never got ready');

  const clients = grpcClients({ grpc: { asrPort: h.server.grpcAsrPort!, ttsPort: h.server.grpcTtsPort! } } as unknown as Harness);
  try {
    const call = clients.asr.StreamingTranscribe();
    const status = new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    call.on('data', () => undefined);
    call.write({ audio_data: Buffer.alloc(3200), chunk_index: 0, config: { sample_rate: 16000 } });
    const e = await status;
    assert.equal(e.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(e.details, /capacity/);
  } finally {
    clients.close();
  }

  const leaving = open.shift()!;
  leaving.send({ type: 'end' });
  await leaving.closed;
  await until(() => h.server.ctx.admission.liveOn(h.engine.asr()) < capacity, 'the slot to be released');
  const again = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 16000 }));
  open.push(again);
  await again.waitFor((m) => m.type === 'ready');
});

test('file transcriptions: over the batch slots REST answers 503 + Retry-After; a client that hangs up cancels its upload', async () => {
  const speech = decodeWav(readFileSync(join(LIBRISPEECH, '1272-135031-0001.wav'))).channelData[0]!;
  const long = new Float32Array(300 * 16000);
  for (let o = 0; o < long.length; o += speech.length + 16000) long.set(speech.subarray(0, Math.min(speech.length, long.length - o)), o);
  const form = (audio: Float32Array) => {
    const f = new FormData();
    f.set('file', new Blob([new Uint8Array(encodeWav(audio, 16000))]), 'a.wav');
    return f;
  };
  const url = `${h.server.asrUrl}/v1/audio/transcriptions`;
  const abort = new AbortController();
  const first = fetch(url, { method: 'POST', body: form(long), signal: abort.signal }).catch((e: Error) => e);
  await until(() => h.server.ctx.admission.batchActive === 1, 'the first upload to be admitted');
  const second = await fetch(url, { method: 'POST', body: form(speech) });
  assert.equal(second.status, 503);
  assert.match(second.headers.get('retry-after') ?? '', /^\d+$/);
  const body = (await second.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'rate_limited');
  assert.match(body.error.message, /1 file transcriptions are already running \(limit 1/);
  // 300 s of speech takes the worker far longer than this; hanging up must free the slot long before.
  abort.abort();
  assert.ok((await first) instanceof Error);
  await until(() => h.server.ctx.admission.batchActive === 0, 'the abandoned upload to be cancelled');
  const third = await fetch(url, { method: 'POST', body: form(speech) });
  assert.equal(third.status, 200, await third.clone().text());
  assert.ok(((await third.json()) as { text: string }).text.split(' ').length >= 3);
});
