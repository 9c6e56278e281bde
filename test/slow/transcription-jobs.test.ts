// In test/slow (the complete gate, not test:quick): real speech (a LibriSpeech file and a long meeting) through pocketsphinx, about 16 CPU-seconds.
// File transcription jobs (POST /v1/transcription-jobs …) on the assembled server with pocketsphinx and a real store:
// the job's transcript is exactly what POST /v1/audio/transcriptions gives for the same file, it is stored as a
// session titled from the file name, progress comes from the server and only goes forward, a cancel stops the
// decode and removes the partial session, the queue and the size are bounded, and auth applies.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { openStore, type Store } from '../../src-main/core/store/index.js';
import { TranscriptionJob } from '../../proto/transcription-jobs.js';
import { LIBRISPEECH, LONGFORM } from '../helpers/shared.js';

const TOKEN = 'jobs-test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const SHORT = join(LIBRISPEECH, '251-118436-0000.wav');
const LONG = join(LONGFORM, 'dev-meeting-1.wav');

let engine: Engine;
let store: Store;
let server: RunningServer;

before(async () => {
  engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false });
  await engine.ready;
  store = openStore({ path: ':memory:' });
  server = await startServer({
    engine,
    store,
    token: TOKEN,
    requireToken: true,
    asrPort: 0,
    ttsPort: 0,
    grpc: false,
    limits: { maxUploadBytes: 8 * 1024 * 1024 },
  });
});
after(async () => {
  await server?.close();
  store?.close();
  await engine?.close();
});

function wavMs(file: string): number {
  const wav = decodeWav(readFileSync(file));
  return (wav.channelData[0]!.length * 1000) / wav.sampleRate;
}

async function createJob(file: string, name: string): Promise<Response> {
  return fetch(`${server.asrUrl}/v1/transcription-jobs?filename=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: readFileSync(file),
  });
}

async function getJob(id: string): Promise<TranscriptionJob> {
  const r = await fetch(`${server.asrUrl}/v1/transcription-jobs/${id}`, { headers: auth });
  assert.equal(r.status, 200);
  return TranscriptionJob.parse(await r.json());
}

async function until(id: string, done: (j: TranscriptionJob) => boolean, seen: TranscriptionJob[] = []): Promise<TranscriptionJob> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const j = await getJob(id);
    seen.push(j);
    if (done(j)) return j;
    assert.ok(Date.now() < deadline, `job ${id} never reached the state wanted; last: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a job transcribes a file exactly as POST /v1/audio/transcriptions does and stores it titled from the file name', async () => {
  const r = await createJob(SHORT, 'Interview 3 (final).wav');
  assert.equal(r.status, 202);
  const created = TranscriptionJob.parse(await r.json());
  assert.equal(created.filename, 'Interview 3 (final).wav');
  assert.match(r.headers.get('location') ?? '', new RegExp(`/v1/transcription-jobs/${created.id}$`));
  const seen: TranscriptionJob[] = [];
  const done = await until(created.id, (j) => j.state !== 'queued' && j.state !== 'running', seen);
  assert.equal(done.state, 'done', JSON.stringify(done));
  assert.equal(done.progress, 1);
  assert.ok(done.session_id);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.progress >= seen[i - 1]!.progress, 'progress never goes back');

  const form = new FormData();
  form.set('file', new Blob([readFileSync(SHORT)]), 'x.wav');
  form.set('response_format', 'text');
  const direct = await fetch(`${server.asrUrl}/v1/audio/transcriptions`, { method: 'POST', headers: auth, body: form });
  assert.equal(direct.status, 200);
  const directText = (await direct.text()).trim();
  assert.ok(directText.split(' ').length > 3, directText);
  assert.equal(done.text, directText);

  const session = store.getSession(done.session_id!)!;
  assert.equal(session.title, 'Interview 3 (final)');
  assert.equal(session.status, 'complete');
  assert.equal(session.segments.map((s) => s.text).join(' '), directText);
  assert.deepEqual(session.sources, ['file']);
  assert.equal(done.segments, session.segments.length);
  assert.ok(Math.abs(done.duration_ms! - wavMs(SHORT)) < 50, `duration ${done.duration_ms} vs ${wavMs(SHORT)}`);
});

test('progress and time left come from the server while a long file decodes; cancel stops it and removes the partial session', async () => {
  const r = await createJob(LONG, 'meeting.wav');
  assert.equal(r.status, 202);
  const { id } = TranscriptionJob.parse(await r.json());
  const running = await until(id, (j) => j.state === 'running' && j.progress > 0.05 && j.eta_ms !== null);
  // A PCM WAV's length is known from its bytes: the estimate is exact.
  assert.ok(Math.abs(running.duration_ms! - wavMs(LONG)) < 50, `duration ${running.duration_ms} vs ${wavMs(LONG)}`);
  assert.ok(running.decoded_ms > 0 && running.decoded_ms < running.duration_ms!);
  const sessionId = running.session_id;
  assert.ok(sessionId && store.getSession(sessionId), 'the session exists while the job runs');

  // The events stream: the job as Server-Sent Events, ending when it ends.
  const events = await fetch(`${server.asrUrl}/v1/transcription-jobs/${id}/events`, { headers: auth });
  assert.equal(events.status, 200);
  assert.match(events.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = events.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.match(first, /^data: \{/);
  assert.equal(TranscriptionJob.parse(JSON.parse(first.slice(6).split('\n')[0]!)).id, id);

  const del = await fetch(`${server.asrUrl}/v1/transcription-jobs/${id}`, { method: 'DELETE', headers: auth });
  assert.equal(del.status, 200);
  const cancelled = await until(id, (j) => j.state !== 'running');
  assert.equal(cancelled.state, 'cancelled');
  assert.equal(cancelled.session_id, null);
  assert.equal(store.getSession(sessionId), null, 'the partial session is removed');
  // The decode stopped: nothing advances after the cancel.
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += new TextDecoder().decode(value);
  }
  assert.match(rest, /"state":"cancelled"/);
});

test('bounded: the queue limit is a 429, a file over the size limit a 413, an unknown job a 404, no token a 401', async () => {
  const ids: string[] = [];
  let refused: Response | null = null;
  for (let i = 0; i < 6 && !refused; i++) {
    const r = await createJob(LONG, `m${i}.wav`);
    if (r.status === 202) ids.push(TranscriptionJob.parse(await r.json()).id);
    else refused = r;
  }
  assert.ok(refused, 'some upload was refused');
  assert.equal(refused.status, 429);
  assert.equal(ids.length, 4);
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /limit 4/);
  const queued = await getJob(ids[3]!);
  assert.equal(queued.state, 'queued');
  assert.ok(queued.queue_position >= 1);
  for (const id of ids) await fetch(`${server.asrUrl}/v1/transcription-jobs/${id}`, { method: 'DELETE', headers: auth });
  for (const id of ids) assert.equal((await until(id, (j) => j.state !== 'running' && j.state !== 'queued')).state, 'cancelled');

  const big = await fetch(`${server.asrUrl}/v1/transcription-jobs?filename=big.wav`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(9 * 1024 * 1024),
  });
  assert.equal(big.status, 413);

  const bogus = await fetch(`${server.asrUrl}/v1/transcription-jobs?filename=notes.mp3`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: 'this is not audio at all\n'.repeat(100),
  });
  assert.equal(bogus.status, 202);
  const failed = await until(TranscriptionJob.parse(await bogus.json()).id, (j) => j.state !== 'queued' && j.state !== 'running');
  assert.equal(failed.state, 'error');
  assert.equal(failed.error?.code, 'bad_audio');
  assert.match(failed.error!.message, /unrecognised audio format/);

  assert.equal((await fetch(`${server.asrUrl}/v1/transcription-jobs/nope`, { headers: auth })).status, 404);
  assert.equal((await fetch(`${server.asrUrl}/v1/transcription-jobs`)).status, 401);
  assert.equal((await fetch(`${server.asrUrl}/v1/transcription-jobs?filename=a.wav`, { method: 'POST', body: 'x' })).status, 401);
});
