// System-audio captions on Linux, end to end with real parts: a private PulseAudio daemon with a null sink
// (the "speakers"), paplay playing a LibriSpeech file into it, LinuxSystemAudioCapture recording the sink's
// monitor with parec, and SystemAudioCaptions feeding an in-process AsrSession on the pocketsphinx engine.
// The captions must say what the engine itself transcribes from the file.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AsrServerMessage } from '../../proto/ws-messages.js';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { createEngine } from '../../src-main/core/engine/engine.js';
import { AsrSession } from '../../src-main/core/sessions/index.js';
import { openStore } from '../../src-main/core/store/index.js';
import type { Engine } from '../../src-main/core/engine/types.js';
import { SystemAudioCaptions } from '../../src-main/core/sessions/system-audio/system-audio-captions.js';
import { LinuxSystemAudioCapture, SystemAudioError, defaultSinkMonitor } from '../../src-main/core/sessions/system-audio/linux-capture.js';
import { startServer } from '../../src-main/core/api/server.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import { startPrivatePulse } from '../helpers/private-pulse.js';
import { connect, TOKEN, wsUrl } from '../integration/ws-harness.js';
import { normalizeWords, wordErrorRate } from '../helpers/wer.js';

// An utterance whose pocketsphinx transcript does not depend on the 10 ms frame phase the capture starts at
// (the same words at all 16 phases tried): the leading silence before playback is arbitrary, and an utterance
// whose words change with the phase (2035-147960-0003 changes up to 6 of 15) would test pocketsphinx, not the capture.
const UTTERANCE = '1993-147964-0003';
const FILE = join(LIBRISPEECH, `${UTTERANCE}.wav`);
/** Its duration (4.685 s) less one capture block. */
const FILE_MS = 4650;
const SINK = 'earshot_test';

let dir: string;
let pulse: ChildProcess;
let env: NodeJS.ProcessEnv;
let engine: Engine;

/** The engine's own transcript of the file: every sample written straight into a pocketsphinx stream. */
async function engineTranscript(): Promise<string> {
  const wav = decodeWav(readFileSync(FILE));
  const stream = engine.asr({ backend: 'pocketsphinx' }).createStream({ sampleRate: wav.sampleRate, endpointingMs: false, vad: false });
  const finals: string[] = [];
  stream.on('final', (f) => finals.push(f.text));
  const mono = wav.channelData[0]!;
  for (let o = 0; o < mono.length; o += 1600) stream.write(mono.subarray(o, o + 1600));
  const last = await stream.close();
  if (last && finals.at(-1) !== last.text) finals.push(last.text);
  return finals.join(' ');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-pulse-'));
  ({ proc: pulse, env } = await startPrivatePulse(dir, SINK));
  engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false });
  await engine.ready;
});

after(async () => {
  await engine?.close();
  pulse?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('the default sink monitor is found through pactl', () => {
  assert.equal(defaultSinkMonitor(env), `${SINK}.monitor`);
});

test('captions of audio played to the speakers match the engine transcript of the file', async () => {
  const reference = await engineTranscript();
  assert.ok(normalizeWords(reference).length >= 8, `engine transcript too short to compare: "${reference}"`);

  const capture = new LinuxSystemAudioCapture({ env });
  const messages: AsrServerMessage[] = [];
  const captions = new SystemAudioCaptions({ engine, source: capture, endpointing: false, onMessage: (m) => messages.push(m) });
  const ready = await captions.start();
  assert.equal(ready.type, 'ready');
  assert.equal(capture.device, `${SINK}.monitor`);
  assert.equal(capture.tool, 'parec');

  const play = spawnSync('paplay', [`--device=${SINK}`, FILE], { env, timeout: 60_000, encoding: 'utf8' });
  assert.equal(play.status, 0, play.stderr);
  // parec delivers in latency-sized blocks: let the last of the played audio arrive before stopping.
  await new Promise((r) => setTimeout(r, 500));
  const done = await captions.stop();
  assert.equal(done?.type, 'session_complete');
  assert.equal(captions.running, false);
  assert.equal(capture.running, false);

  const errors = messages.filter((m) => m.type === 'error');
  assert.deepEqual(errors, []);
  const finals = messages.flatMap((m) => (m.type === 'transcript' && m.is_final ? [m.text] : []));
  const captured = finals.join(' ');
  // The decoder steps in fixed blocks, so audio that went through the sound server (other block sizes, a
  // little leading silence) must decode to the engine's own words for the file, not merely as well.
  const apart = wordErrorRate(reference, captured);
  assert.ok(
    apart <= 0.15,
    `captions "${captured}" differ from the engine transcript "${reference}" by ${(apart * 100).toFixed(0)}% of words`,
  );
  // The captured audio really is the played file: about its duration, not silence or a loop.
  assert.ok(done!.duration_ms >= FILE_MS, `captured only ${done!.duration_ms} ms`);
});

test('mic and system audio at once: one stored session with a mic and a system track', async () => {
  const store = openStore({ path: join(dir, 'earshot.db') });
  try {
    const mic = new AsrSession({ engine, store, config: { session: 'new', source: 'mic', sample_rate: 16000, encoding: 'pcm_f32le' } });
    const micReady = mic.start();
    const capture = new LinuxSystemAudioCapture({ env });
    const system = new SystemAudioCaptions({
      engine,
      store,
      source: capture,
      session: micReady.session_id,
      endpointing: false,
      onMessage: () => {},
    });
    assert.equal((await system.start()).session_id, micReady.session_id);
    // The "microphone": another LibriSpeech file, written while the system track plays.
    const micAudio = decodeWav(readFileSync(join(LIBRISPEECH, '1272-135031-0012.wav'))).channelData[0]!;
    mic.writeSamples(micAudio);
    const play = spawnSync('paplay', [`--device=${SINK}`, FILE], { env, timeout: 60_000, encoding: 'utf8' });
    assert.equal(play.status, 0, play.stderr);
    await new Promise((r) => setTimeout(r, 500));
    await system.stop();
    await mic.end();
    const stored = store.getSession(micReady.session_id)!;
    const tracks = new Set(stored.segments.map((s) => s.track));
    assert.deepEqual([...tracks].sort(), ['mic', 'system']);
    const systemText = stored.segments
      .filter((s) => s.track === 'system')
      .map((s) => s.text)
      .join(' ');
    assert.ok(normalizeWords(systemText).length >= 8, `system track: "${systemText}"`);
  } finally {
    store.close();
  }
});

test('capturing from a source that does not exist is reported as an error, not a crash', async () => {
  const capture = new LinuxSystemAudioCapture({ env, device: 'no_such_sink.monitor' });
  const failed = new Promise<Error>((resolve) => capture.on('error', resolve));
  await capture.start();
  const err = await failed;
  assert.ok(err instanceof SystemAudioError);
  assert.match(err.message, /parec stopped/);
  await capture.stop();
});

test('no sound server: a clear error', () => {
  assert.throws(() => defaultSinkMonitor({ ...env, PULSE_SERVER: `unix:${join(dir, 'nothing-here')}` }), /no sound server reachable/);
});

test('the server captions its own system audio over /v1/system-audio/stream, as the system track of a mic session', async () => {
  // The server records with the sound server its process sees.
  process.env.PULSE_SERVER = env.PULSE_SERVER;
  const store = openStore({ path: join(dir, 'server.db') });
  // Two live streams (mic + system) whatever capacity a busy machine measures.
  const srv = await startServer({ engine, store, token: TOKEN, asrPort: 0, ttsPort: 0, grpc: false, limits: { minLiveStreams: 2 } });
  try {
    const reference = await engineTranscript();
    // A mic stream opens the stored session; the system stream joins it.
    const mic = connect(wsUrl(srv, 'asr', '/v1/audio/stream', { session: 'new', source: 'mic', sample_rate: 16000 }));
    const micReady = await mic.waitFor((m) => m.type === 'ready');
    const sys = connect(wsUrl(srv, 'asr', '/v1/system-audio/stream', { session: micReady.session_id, endpointing: 'false' }));
    const ready = await sys.waitFor((m) => m.type === 'ready');
    assert.equal(ready.session_id, micReady.session_id);
    const capture = await sys.waitFor((m) => m.type === 'capture');
    assert.equal(capture.device, `${SINK}.monitor`);
    const micAudio = readFileSync(join(LIBRISPEECH, '1272-135031-0012.wav'));
    mic.ws.send(micAudio.subarray(44));
    const play = spawnSync('paplay', [`--device=${SINK}`, FILE], { env, timeout: 60_000, encoding: 'utf8' });
    assert.equal(play.status, 0, play.stderr);
    await new Promise((r) => setTimeout(r, 500));
    sys.send({ type: 'end' });
    const done = await sys.waitFor((m) => m.type === 'session_complete', 60_000);
    assert.equal((await sys.closed).code, 1000);
    assert.ok(done.duration_ms >= FILE_MS, `captured ${done.duration_ms} ms`);
    const captured = sys.messages.flatMap((m) => (m.type === 'transcript' && m.is_final ? [m.text] : [])).join(' ');
    const apart = wordErrorRate(reference, captured);
    assert.ok(apart <= 0.15, `server captions "${captured}" vs engine "${reference}": ${(apart * 100).toFixed(0)}% apart`);
    mic.send({ type: 'end' });
    await mic.waitFor((m) => m.type === 'session_complete', 60_000);
    const stored = store.getSession(micReady.session_id)!;
    assert.equal(stored.status, 'complete');
    assert.deepEqual([...new Set(stored.segments.map((s) => s.track))].sort(), ['mic', 'system']);
    // A client that cannot send audio here is told so; an unknown option is refused by name.
    const bad = connect(wsUrl(srv, 'asr', '/v1/system-audio/stream', { device: 'x' }));
    const err = await bad.waitFor((m) => m.type === 'error');
    assert.match(err.message, /unknown option "device"/);
    assert.equal((await bad.closed).code, 1008);
  } finally {
    await srv.close();
    store.close();
    delete process.env.PULSE_SERVER;
  }
});
