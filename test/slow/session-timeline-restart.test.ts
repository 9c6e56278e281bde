// In test/slow (the complete gate, not test:quick): three `earshot serve` processes in turn, real speech through pocketsphinx, about 28 CPU-seconds.
// One timeline per session (issue 9): a stored session that spans real restarts of `earshot serve` — a crash
// (SIGKILL) and a graceful stop (SIGTERM) — resumed each time with `session=<id>` as the UI does. The server
// starts each resumed connection's clock after the session's last stored segment (announced in `ready` as
// time_offset_ms), so the stored segments' start times strictly increase, no segment overlaps the one before,
// and the SRT export is valid with cues that never overlap. Real speech (LibriSpeech) through pocketsphinx.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeWav, float32ToS16le, resample } from '../../src-main/core/audio/index.js';
import { parseSrtStrict } from '../helpers/captions-strict.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import { connect, streamPcm, type TestClient } from '../integration/ws-harness.js';

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'earshot-timeline-'));
const db = join(dataDir, 'timeline.db');
const env = { ...process.env, EARSHOT_DATA_DIR: dataDir, EARSHOT_LOG_LEVEL: 'warn' };
const FILES = ['1272-135031-0002', '1462-170142-0005', '251-118436-0000'].map((id) => join(LIBRISPEECH, `${id}.wav`));
let child: ChildProcess | null = null;

after(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** 16 kHz s16le of a file, with 1 s of silence after it so its last utterance ends by endpointing. */
function pcmOf(path: string): Buffer {
  const wav = decodeWav(readFileSync(path));
  const mono = resample(wav.channelData[0]!, wav.sampleRate, 16000);
  const padded = new Float32Array(mono.length + 16000);
  padded.set(mono);
  return float32ToS16le(padded);
}

/** `earshot serve` on free ports with the shared database; resolves with its ASR base URL once ready. */
async function startServe(): Promise<string> {
  const c = spawn(
    process.execPath,
    ['bin/earshot.mjs', 'serve', '--port-asr', '0', '--port-tts', '0', '--no-grpc', '--engine', 'pocketsphinx', '--db', db],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = c;
  let out = '';
  c.stdout!.on('data', (d) => (out += d));
  c.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 90_000;
  while (!/earshot serve: ready/.test(out)) {
    if (c.exitCode !== null) throw new Error(`earshot serve exited ${c.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`earshot serve not ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return /listening asr=(\S+)/.exec(out)![1]!;
}

async function stopServe(signal: NodeJS.Signals): Promise<void> {
  const c = child!;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  await exited;
}

/** Streams `file` into the session (new or an id) and waits for its finals; returns the client and its `ready`. */
async function streamInto(base: string, session: string, file: string): Promise<{ c: TestClient; ready: any }> {
  const c = connect(`${base.replace('http', 'ws')}/v1/audio/stream?sample_rate=16000&session=${session}&source=mic`);
  const ready = await c.waitFor((m) => m.type === 'ready', 30_000);
  // Faster than real time (10 ms per 100 ms chunk), within the server's audio-ahead budget.
  await streamPcm(c.ws, pcmOf(file), 16000, 100, 10);
  await c.waitFor((m) => m.type === 'transcript' && m.is_final, 60_000);
  return { c, ready };
}

test(
  'a session resumed across a crash and a graceful restart keeps one timeline; its SRT has no overlapping cues',
  { timeout: 300_000 },
  async () => {
    // 1. A new stored session; then the engine crashes with the connection open.
    let base = await startServe();
    const first = await streamInto(base, 'new', FILES[0]!);
    const sessionId = first.ready.session_id as string;
    assert.equal(first.ready.time_offset_ms, 0);
    assert.equal(first.ready.stored, true);
    const firstFinals = first.c.messages.filter((m) => m.type === 'transcript' && m.is_final);
    await c1Settled(first.c);
    await stopServe('SIGKILL');
    await first.c.closed;

    // 2. Restart; the client rejoins the session: the clock continues after the last stored segment.
    base = await startServe();
    const second = await streamInto(base, sessionId, FILES[1]!);
    const lastEndBefore = Math.max(...firstFinals.map((f) => f.end_ms));
    assert.ok(
      second.ready.time_offset_ms >= lastEndBefore,
      `resumed at ${second.ready.time_offset_ms} ms, after the last final (${lastEndBefore} ms)`,
    );
    const secondFinals = () => second.c.messages.filter((m) => m.type === 'transcript' && m.is_final);
    for (const f of secondFinals())
      assert.ok(f.start_ms >= second.ready.time_offset_ms, `final at ${f.start_ms} ms starts after the resume point`);
    // A graceful stop this time (SIGTERM: the utterance in progress is flushed and stored).
    await stopServe('SIGTERM');
    await second.c.closed;

    // 3. Restart again and finish the session with `end`.
    base = await startServe();
    const third = await streamInto(base, sessionId, FILES[2]!);
    third.c.send({ type: 'end' });
    await third.c.waitFor((m) => m.type === 'session_complete', 30_000);
    assert.ok(third.ready.time_offset_ms > second.ready.time_offset_ms);

    const session = await (await fetch(`${base}/v1/sessions/${sessionId}`)).json();
    const segs = session.segments as { start_ms: number; end_ms: number; text: string }[];
    assert.ok(segs.length >= 3, `segments from all three runs: ${segs.length}`);
    for (let i = 1; i < segs.length; i++) {
      assert.ok(
        segs[i]!.start_ms > segs[i - 1]!.start_ms,
        `segment ${i} starts at ${segs[i]!.start_ms} ms, after segment ${i - 1} (${segs[i - 1]!.start_ms} ms)`,
      );
      assert.ok(
        segs[i]!.start_ms >= segs[i - 1]!.end_ms,
        `segment ${i} (${segs[i]!.start_ms} ms) does not overlap segment ${i - 1} (ends ${segs[i - 1]!.end_ms} ms)`,
      );
    }
    // Every final any client was sent is in the store with the times it was sent with.
    const sent = [...firstFinals, ...secondFinals(), ...third.c.messages.filter((m) => m.type === 'transcript' && m.is_final)];
    for (const f of sent)
      assert.ok(
        segs.some((s) => s.start_ms === f.start_ms && s.text === f.text),
        `final "${f.text}" at ${f.start_ms} ms stored`,
      );

    const srt = await (await fetch(`${base}/v1/sessions/${sessionId}/export?format=srt`)).text();
    const cues = parseSrtStrict(srt);
    assert.ok(cues.length >= segs.length);
    for (let i = 0; i < cues.length; i++) {
      assert.ok(cues[i]!.startMs < cues[i]!.endMs, `cue ${i + 1} has a positive duration`);
      if (i)
        assert.ok(
          cues[i]!.startMs >= cues[i - 1]!.endMs,
          `cue ${i + 1} (${cues[i]!.startMs} ms) starts after cue ${i} ends (${cues[i - 1]!.endMs} ms)`,
        );
    }
    await stopServe('SIGTERM');
  },
);

/** Lets the server finish what it is doing with the first file (its trailing silence ends the last utterance). */
async function c1Settled(c: TestClient): Promise<void> {
  let n = -1;
  while (n !== c.messages.length) {
    n = c.messages.length;
    await new Promise((r) => setTimeout(r, 1500));
  }
}
