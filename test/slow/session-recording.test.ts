// In test/slow (the complete gate, not test:quick): real speech through pocketsphinx and MP3 encoding on the assembled server, about 11 CPU-seconds.
// Audio kept with a session (`record=true`, opt-in): a WebSocket stream of real speech into a stored session on
// the assembled server (pocketsphinx, a database file) leaves an MP3 as long as the audio, served with Range
// requests for seeking, behind the token (header, or `?token=` for an <audio> element); deleting the session
// deletes it; a reconnect to the session appends on the same timeline; record without a stored session is refused.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { decodeAudioFile, decodeWav, float32ToS16le } from '../../src-main/core/audio/index.js';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { openStore, type Store } from '../../src-main/core/store/index.js';
import { LIBRISPEECH } from '../helpers/shared.js';

const TOKEN = 'recording-test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
let engine: Engine;
let store: Store;
let server: RunningServer;
let dir: string;
const wav = decodeWav(readFileSync(join(LIBRISPEECH, '251-118436-0000.wav')));
const speech = wav.channelData[0]!;
const speechMs = (speech.length * 1000) / wav.sampleRate;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-rec-'));
  engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false });
  await engine.ready;
  store = openStore({ path: join(dir, 'earshot.db') });
  server = await startServer({ engine, store, token: TOKEN, requireToken: true, asrPort: 0, ttsPort: 0, grpc: false });
});
after(async () => {
  await server?.close();
  store?.close();
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Streams `samples` (16 kHz) into a WS stream with `query`; resolves with every message once the socket closes. */
async function stream(query: string, samples: Float32Array): Promise<Record<string, unknown>[]> {
  const ws = new WebSocket(`${server.asrUrl.replace('http', 'ws')}/v1/audio/stream?${query}&token=${TOKEN}`);
  const msgs: Record<string, unknown>[] = [];
  ws.on('message', (d, binary) => {
    if (!binary) msgs.push(JSON.parse(String(d)) as Record<string, unknown>);
  });
  await new Promise((r) => ws.once('open', r));
  const pcm = float32ToS16le(samples);
  for (let o = 0; o < pcm.length; o += 64_000) ws.send(pcm.subarray(o, o + 64_000));
  ws.send(JSON.stringify({ type: 'end' }));
  await new Promise((r) => ws.once('close', r));
  return msgs;
}

test('record=true keeps an MP3 as long as the audio, served with Range requests behind the token; deleting the session deletes it', async () => {
  const msgs = await stream('session=new&record=true&sample_rate=16000', speech);
  const ready = msgs.find((m) => m.type === 'ready')!;
  const id = ready.session_id as string;
  assert.ok(
    msgs.some((m) => m.type === 'session_complete'),
    JSON.stringify(msgs),
  );
  await new Promise((r) => setTimeout(r, 300)); // the encoder's last frames reach the disk

  const detail = (await (await fetch(`${server.asrUrl}/v1/sessions/${id}`, { headers: auth })).json()) as { audio: boolean };
  assert.equal(detail.audio, true);

  const full = await fetch(`${server.asrUrl}/v1/sessions/${id}/audio`, { headers: auth });
  assert.equal(full.status, 200);
  assert.equal(full.headers.get('content-type'), 'audio/mpeg');
  assert.equal(full.headers.get('accept-ranges'), 'bytes');
  const mp3 = new Uint8Array(await full.arrayBuffer());
  const decoded = await decodeAudioFile(mp3);
  const ms = (decoded.channelData[0]!.length * 1000) / decoded.sampleRate;
  assert.equal(decoded.sampleRate, 16000);
  // LAME adds its encoder delay and pads the last frame: within two frames (72 ms) and the delay.
  assert.ok(Math.abs(ms - speechMs) < 150, `recording ${ms} ms vs audio ${speechMs} ms`);
  // Compressed: well under the 16-bit PCM size.
  assert.ok(mp3.byteLength < speech.length * 2 * 0.3, `${mp3.byteLength} bytes`);

  const part = await fetch(`${server.asrUrl}/v1/sessions/${id}/audio`, { headers: { ...auth, range: 'bytes=1000-1999' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${mp3.byteLength}`);
  assert.deepEqual(new Uint8Array(await part.arrayBuffer()), mp3.subarray(1000, 2000));

  // An <audio> element sends no header: `?token=` works on this route; nothing does without a token.
  assert.equal((await fetch(`${server.asrUrl}/v1/sessions/${id}/audio?token=${TOKEN}`)).status, 200);
  assert.equal((await fetch(`${server.asrUrl}/v1/sessions/${id}/audio`)).status, 401);
  assert.equal((await fetch(`${server.asrUrl}/v1/sessions/${id}/audio?token=wrong`)).status, 401);
  // Other routes still take the token only in the header.
  assert.equal((await fetch(`${server.asrUrl}/v1/sessions/${id}?token=${TOKEN}`)).status, 401);

  // A session without a recording: 404 that says so; audio false.
  const plain = (await stream('session=new&sample_rate=16000', speech.subarray(0, 16000))).find((m) => m.type === 'ready')!;
  const none = await fetch(`${server.asrUrl}/v1/sessions/${plain.session_id as string}/audio`, { headers: auth });
  assert.equal(none.status, 404);
  assert.match(((await none.json()) as { error: { message: string } }).error.message, /no recording/);

  const file = join(dir, 'recordings', `${id}.mp3`);
  assert.ok(existsSync(file));
  assert.equal((await fetch(`${server.asrUrl}/v1/sessions/${id}`, { method: 'DELETE', headers: auth })).status, 204);
  assert.ok(!existsSync(file), 'the recording went with the session');
});

test('a reconnect to a recorded session appends on the same timeline; record without a stored session is refused', async () => {
  const first = await stream('session=new&record=true&sample_rate=16000', speech);
  const id = first.find((m) => m.type === 'ready')!.session_id as string;
  await new Promise((r) => setTimeout(r, 300));
  const second = await stream(`session=${id}&record=true&sample_rate=16000`, speech);
  const offset = second.find((m) => m.type === 'ready')!.time_offset_ms as number;
  assert.ok(offset > 0);
  await new Promise((r) => setTimeout(r, 300));
  const mp3 = new Uint8Array(await (await fetch(`${server.asrUrl}/v1/sessions/${id}/audio`, { headers: auth })).arrayBuffer());
  const decoded = await decodeAudioFile(mp3);
  const ms = (decoded.channelData[0]!.length * 1000) / decoded.sampleRate;
  // The second connection's audio starts where the session's timeline resumed.
  assert.ok(Math.abs(ms - (offset + speechMs)) < 250, `recording ${ms} ms vs timeline ${offset + speechMs} ms`);

  const refused = await stream('session=none&record=true&sample_rate=16000', speech.subarray(0, 1600));
  const err = refused.find((m) => m.type === 'error');
  assert.equal(err?.code, 'bad_config');
  assert.match(String(err?.message), /record=true keeps the audio with a stored session/);
});
