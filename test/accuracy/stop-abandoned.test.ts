// Abandoned work is cancelled at once: a client that goes away leaves nothing decoding. Real speech (two
// LibriSpeech-style meetings from ../shared/audio/longform, ~6 minutes) through pocketsphinx, which decodes it
// several times slower than the bound below — so a transcription that kept running would be caught.
// - REST: the uploading client disconnects while its file is being transcribed.
// - gRPC Transcribe (session=new): the client cancels; the finals already stored stay, the session is marked
//   interrupted.
// - gRPC StreamingTranscribe (session=new): the client cancels mid-utterance; the utterance in progress is still
//   finalized and stored (nothing said is lost), and nothing keeps running.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { encodeWav, parseWavHeader, s16leToFloat32 } from '../../src-main/core/audio/index.js';
import { ASR_PROTO, LOADER_OPTIONS } from '../../src-main/core/api/grpc/proto.js';
import { openStore, type Store } from '../../src-main/core/store/index.js';
import { LONGFORM } from '../helpers/shared.js';
import { startTestServer, toS16 } from '../integration/ws-harness.js';

/** A transcription that was not cancelled would need far longer than this to finish (see the file's header). */
const CANCEL_BOUND_MS = 10_000;

const dir = mkdtempSync(join(tmpdir(), 'earshot-abandoned-'));
let store: Store;
let srv: Awaited<ReturnType<typeof startTestServer>>;
let client: any;
let longWav: Buffer;

function speech(file: string): Float32Array {
  const bytes = readFileSync(join(LONGFORM, file));
  const h = parseWavHeader(bytes);
  assert.equal(h.sampleRate, 16000);
  return s16leToFloat32(bytes.subarray(h.dataOffset, h.dataOffset + h.dataBytes));
}

before(async () => {
  const a = speech('dev-meeting-1.wav');
  const b = speech('dev-meeting-2.wav');
  const both = new Float32Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  longWav = encodeWav(both, 16000);
  store = openStore({ path: join(dir, 'abandoned.db') });
  srv = await startTestServer(
    { asr: [{ backend: 'pocketsphinx' }, { backend: 'sherpa', model: 'tone-alphabet' }], tts: [] },
    { store, grpc: { asrPort: 0, ttsPort: 0 } },
  );
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync([ASR_PROTO], LOADER_OPTIONS)) as any;
  client = new pkg.earshot.v1.SpeechRecognition(`127.0.0.1:${srv.server.grpcAsrPort}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
});
after(async () => {
  client?.close();
  await srv?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const pocketsphinx = () => srv.engine.asr({ model: 'pocketsphinx-en-us' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (!done()) {
    assert.ok(performance.now() - t0 < timeoutMs, `timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(20);
  }
  return performance.now() - t0;
}

test('REST: an upload whose client disconnects mid-transcription stops decoding at once', async () => {
  const boundary = 'abandoned-boundary';
  const body = Buffer.concat([
    // No model named: the default engine, pocketsphinx (fixtures are never chosen by default).
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.wav"\r\nContent-Type: audio/wav\r\n\r\n`),
    longWav,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const req = request(`${srv.server.asrUrl}/v1/audio/transcriptions`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
  });
  let answered = '';
  req.on('response', (res) => {
    answered = String(res.statusCode);
    res.on('data', (d) => (answered += ` ${d}`));
  });
  req.on('error', () => undefined);
  req.end(body);
  await until('the transcription is decoding', () => pocketsphinx().activeStreams === 1 || answered !== '', 60_000);
  assert.equal(answered, '', 'no answer yet');
  await sleep(500);
  req.destroy();
  const ms = await until(
    'its stream is released (everything queued in the worker decoded)',
    () => pocketsphinx().activeStreams === 0,
    CANCEL_BOUND_MS,
  );
  assert.equal(answered, '', 'the transcription had not finished when the client left');
  assert.ok(ms < CANCEL_BOUND_MS, `decoding went on for ${Math.round(ms)} ms after the client left`);
});

test('gRPC Transcribe with session=new: a cancelled call stops decoding at once; stored finals stay, session interrupted', async () => {
  const call = client.Transcribe(
    { audio: longWav, config: { session: 'new', model: 'pocketsphinx-en-us' } },
    (err: grpc.ServiceError | null) => {
      assert.equal(err?.code, grpc.status.CANCELLED);
    },
  );
  await until('the transcription is decoding', () => pocketsphinx().activeStreams === 1, 60_000);
  // Let some utterances end (finals are stored as they come), then cancel.
  let sessionId = '';
  await until(
    'a final is stored',
    () => {
      const s = store.listSessions({ limit: 5 }).sessions.find((x) => x.status === 'live' && x.model === 'pocketsphinx-en-us');
      if (s && s.segmentCount > 0) sessionId = s.id;
      return sessionId !== '';
    },
    120_000,
  );
  const storedBefore = store.getSession(sessionId)!.segments.length;
  call.cancel();
  const ms = await until('its stream is released', () => pocketsphinx().activeStreams === 0, CANCEL_BOUND_MS);
  assert.ok(ms < CANCEL_BOUND_MS);
  const s = store.getSession(sessionId)!;
  assert.equal(s.status, 'interrupted');
  assert.ok(
    s.segments.length >= storedBefore && storedBefore > 0,
    `stored finals stay (${storedBefore} before, ${s.segments.length} after)`,
  );
});

test('gRPC StreamingTranscribe with session=new: a cancel mid-utterance still stores the utterance in progress', async () => {
  const call = client.StreamingTranscribe();
  const results: any[] = [];
  call.on('data', (r: any) => results.push(r));
  call.on('error', () => undefined);
  const pcm = toS16(toneAudio('keep this', { tail: 0.3 }));
  const config = { sample_rate: 16000, model: 'tone-alphabet', endpointing_ms: { value: 0 }, session: 'new', source: 'mic' };
  for (let o = 0, i = 0; o < pcm.length; o += 3200, i++) {
    call.write({ audio_data: pcm.subarray(o, o + 3200), chunk_index: i, ...(i === 0 ? { config } : {}) });
    await sleep(20);
  }
  await until('an interim', () => results.some((r) => !r.is_final && r.text.length >= 4), 30_000);
  const sessionId = results[0].session_id as string;
  call.cancel();
  await until('the session is ended', () => store.getSession(sessionId)?.status !== 'live', CANCEL_BOUND_MS);
  // grpc-js may report the cancel as a half-close first (then the stream ends as `complete`) or only as a cancel
  // (`interrupted`); either way the utterance in progress is stored.
  const s = store.getSession(sessionId)!;
  assert.deepEqual(
    s.segments.map((x) => x.text),
    ['keep this'],
  );
  assert.notEqual(s.status, 'live');
  assert.equal(srv.server.activeStreams, 0);
});
