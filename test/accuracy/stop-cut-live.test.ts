// The bound of a stop holds for live streams too: a WebSocket and a gRPC `session=new` stream that burst far ahead
// of real time (100 s of real speech, which pocketsphinx needs many seconds to decode) cannot finish their
// utterance within the grace period, so the stop cuts them with a reason — WS: an `unavailable` error then close
// 1001; gRPC: UNAVAILABLE — marks their stored sessions `interrupted` (finals already stored stay), and the whole
// stop (API, then the engine, whose worker still holds the backlog) returns in bounded time.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { parseWavHeader } from '../../src-main/core/audio/index.js';
import { ASR_PROTO, LOADER_OPTIONS } from '../../src-main/core/api/grpc/proto.js';
import { openStore } from '../../src-main/core/store/index.js';
import { LONGFORM } from '../helpers/shared.js';
import { connect, startTestServer } from '../integration/ws-harness.js';

const GRACE_MS = 1000;
const STOP_BOUND_MS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'earshot-stop-cut-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('live streams that cannot finish within the grace period are cut with a reason, sessions interrupted, bounded', async () => {
  const wav = readFileSync(join(LONGFORM, 'dev-meeting-1.wav'));
  const h = parseWavHeader(wav);
  const pcm = wav.subarray(h.dataOffset, h.dataOffset + Math.min(h.dataBytes, 100 * 32000)); // 100 s, s16le 16 kHz
  const store = openStore({ path: join(dir, 'cut.db') });
  const srv = await startTestServer(
    { asr: [{ backend: 'pocketsphinx' }], tts: [] },
    {
      store,
      grpc: { asrPort: 0, ttsPort: 0 },
      stopGraceMs: GRACE_MS,
      // The backlog is the point here: let the whole 100 s queue (the default bound refuses audio past 60 s queued).
      // Two live streams whatever capacity a busy machine measures (admission would refuse the second).
      limits: { maxQueuedAudioMs: 300_000, minLiveStreams: 2 },
    },
  );
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync([ASR_PROTO], LOADER_OPTIONS)) as any;
  const client = new pkg.earshot.v1.SpeechRecognition(`127.0.0.1:${srv.server.grpcAsrPort}`, grpc.credentials.createInsecure());
  try {
    const ws = connect(`${srv.server.asrUrl.replace(/^http/, 'ws')}/v1/audio/stream?session=new&endpointing=false&interim_results=false`);
    const ready = await ws.waitFor((m) => m.type === 'ready');
    for (let o = 0; o < pcm.length; o += 64_000) ws.ws.send(pcm.subarray(o, o + 64_000));

    const call = client.StreamingTranscribe();
    const results: any[] = [];
    const ended = new Promise<grpc.ServiceError | null>((resolve) => {
      call.on('data', (r: any) => results.push(r));
      call.on('error', (e: grpc.ServiceError) => resolve(e));
      call.on('status', (s: grpc.StatusObject) => s.code === grpc.status.OK && resolve(null));
    });
    const config = { sample_rate: 16000, session: 'new', endpointing_ms: { value: 0 } };
    for (let o = 0, i = 0; o < pcm.length; o += 64_000, i++)
      call.write({ audio_data: pcm.subarray(o, o + 64_000), chunk_index: i, ...(i === 0 ? { config } : {}) });
    // Both streams are open with their audio queued in the engine.
    for (const t0 = Date.now(); srv.server.activeStreams < 2;) {
      assert.ok(Date.now() - t0 < 30_000, 'both streams open');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));

    const t0 = performance.now();
    await srv.close(); // the API, then the engine, as headless.ts does
    const stopMs = performance.now() - t0;

    const close = await ws.closed;
    assert.equal(close.code, 1001);
    const err = ws.messages.find((m) => m.type === 'error');
    assert.equal(err?.code, 'unavailable', JSON.stringify(ws.messages.slice(-3)));
    assert.match(err.message, /shutting down.*not finalized/);
    const gErr = await ended;
    assert.equal(gErr?.code, grpc.status.UNAVAILABLE, `gRPC: ${gErr?.code} ${gErr?.details}`);
    assert.match(gErr!.details, /shutting down/);
    assert.deepEqual(srv.server.stopReport, { finished: 0, cut: 2 });
    assert.ok(stopMs < STOP_BOUND_MS, `stop took ${Math.round(stopMs)} ms`);
    const s = store.getSession(ready.session_id)!;
    assert.equal(s.status, 'interrupted');
    const grpcId = results[0]?.session_id;
    if (grpcId) assert.equal(store.getSession(grpcId)!.status, 'interrupted');
  } finally {
    client.close();
    await srv.close();
    store.close();
  }
});
