// In test/slow (the complete gate, not test:quick): 20 `earshot serve` processes decoding real speech with pocketsphinx, about 120 CPU-seconds.
// Crash safety of stored sessions: a child process runs `earshot serve` (pocketsphinx engine, SQLite store
// given by --db); a WebSocket client streams ../shared/audio/longform/dev-meeting-2.wav into `session=new` faster than
// real time, asking for finals with `flush` every few seconds of audio; the server is SIGKILLed at a random
// point in the first 15 s of audio (after a random number of finals, plus a random delay). Reopening the database must show every final the client received, with
// its text and times, in a session marked `interrupted`. 20 rounds, random kill points, zero finals lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { parseWavHeader } from '../../src-main/core/audio/index.js';
import { appRoot } from '../../src-main/core/paths.js';
import { openStore } from '../../src-main/core/store/index.js';
import { LONGFORM } from '../helpers/shared.js';
import { rng } from '../helpers/random.js';

const ROUNDS = 20;
const EARSHOT = join(appRoot, 'bin', 'earshot.mjs');
const CHUNK_MS = 100;
/** Audio is sent at this multiple of real time. */
const SPEED = 4;
/** Kill points lie within the first 15 s of audio. */
const MAX_AUDIO_MS = 15_000;

interface Final {
  text: string;
  start_ms: number;
  end_ms: number;
}

/** `earshot serve` on free ports with its own data dir (token) and the given database; resolves once ready. */
function startChild(db: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [EARSHOT, 'serve', '--engine', 'pocketsphinx', '--no-grpc', '--port-asr', '0', '--port-tts', '0', '--db', db],
    { cwd: appRoot, env: { ...process.env, EARSHOT_DATA_DIR: dataDir, EARSHOT_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()).length > 20_000 && (err = err.slice(-10_000)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening asr=(\S+)/.exec(out)?.[1];
      if (url && /earshot serve: ready/.test(out)) resolve({ child, url: url.replace(/^http/, 'ws') });
    });
    child.once('exit', (code, signal) => reject(new Error(`earshot serve exited (${code ?? signal}) before ready:\n${out}\n${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One round: stream (with a flush every `flushEveryMs` of audio) until the client has received `killAfter`
 * finals or 15 s of audio are sent, wait for `killAfter` finals (decoding may lag), then `delayMs` more (so the kill lands at any phase: mid-decode,
 * mid-commit, mid-send), then SIGKILL the server. Returns the stored session id and the finals the client
 * had received at the instant of the kill.
 */
async function round(
  db: string,
  dataDir: string,
  pcm: Buffer,
  killAfter: number,
  delayMs: number,
  flushEveryMs: number,
): Promise<{ sessionId: string; finals: Final[]; audioMs: number }> {
  const { child, url } = await startChild(db, dataDir);
  const finals: Final[] = [];
  let sessionId = '';
  let sentMs = 0;
  try {
    const ws = new WebSocket(`${url}/v1/audio/stream?session=new&source=mic&interim_results=false&sample_rate=16000`);
    ws.on('error', () => undefined); // the server dies under it: expected
    const errors: string[] = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const msg = JSON.parse(data.toString()) as { type: string; is_final?: boolean; session_id?: string } & Final;
      if (msg.type === 'ready') sessionId = msg.session_id!;
      if (msg.type === 'transcript' && msg.is_final) finals.push({ text: msg.text, start_ms: msg.start_ms, end_ms: msg.end_ms });
      if (msg.type === 'error') errors.push(data.toString());
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('close', () => reject(new Error('closed before open')));
    });
    while (!sessionId) await sleep(5);
    const chunkBytes = (16000 * 2 * CHUNK_MS) / 1000;
    let nextFlush = flushEveryMs;
    for (let off = 0; finals.length < killAfter && sentMs < MAX_AUDIO_MS && off < pcm.length; off += chunkBytes) {
      ws.send(pcm.subarray(off, off + chunkBytes));
      sentMs += CHUNK_MS;
      if (sentMs >= nextFlush) {
        ws.send(JSON.stringify({ type: 'flush' }));
        nextFlush += flushEveryMs;
      }
      await sleep(CHUNK_MS / SPEED);
    }
    // Decoding may lag the audio on a busy machine: give the requested finals time to arrive.
    for (const until = Date.now() + 10_000; finals.length < killAfter && Date.now() < until;) await sleep(10);
    await sleep(delayMs);
    // Snapshot what the client has at the instant of the kill; anything later does not count.
    child.kill('SIGKILL');
    const received = finals.slice();
    ws.terminate();
    await exited(child);
    assert.deepEqual(errors, [], 'the server reported no error before the kill');
    return { sessionId, finals: received, audioMs: sentMs };
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
}

test(`SIGKILL of the server at ${ROUNDS} random points loses no final the client received`, { timeout: 600_000 }, async (t) => {
  const file = readFileSync(join(LONGFORM, 'dev-meeting-2.wav'));
  const wav = parseWavHeader(file);
  assert.deepEqual([wav.sampleRate, wav.channels, wav.bitsPerSample], [16000, 1, 16]);
  const pcm = file.subarray(wav.dataOffset, wav.dataOffset + wav.dataBytes);
  const dir = mkdtempSync(join(tmpdir(), 'earshot-crash-'));
  const db = join(dir, 'earshot.db');
  const seed = Number(process.env.EARSHOT_CRASH_SEED ?? Date.now() % 1e9);
  const rand = rng(seed);
  let totalFinals = 0;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const killAfter = Math.floor(rand() * 4);
      const delayMs = Math.floor(rand() * 600);
      const flushEveryMs = 1500 + Math.floor(rand() * 1500);
      const { sessionId, finals, audioMs } = await round(db, dir, pcm, killAfter, delayMs, flushEveryMs);
      const label = `round ${i + 1} (seed ${seed}: kill ${delayMs} ms after final ${killAfter}, at ${audioMs} ms of audio; flush every ${flushEveryMs} ms)`;
      totalFinals += finals.length;

      const store = openStore({ path: db });
      try {
        const s = store.getSession(sessionId);
        assert.ok(s, `${label}: session ${sessionId} is in the database`);
        assert.equal(s.status, 'interrupted', label);
        const stored = s.segments.map((g) => ({ text: g.text, start_ms: g.startMs, end_ms: g.endMs }));
        for (const f of finals) {
          assert.ok(
            stored.some((g) => g.text === f.text && g.start_ms === f.start_ms && g.end_ms === f.end_ms),
            `${label}: final ${JSON.stringify(f)} lost; stored: ${JSON.stringify(stored)}`,
          );
        }
        // Committed before it is sent: at most the one final in flight at the kill is stored but unseen.
        assert.ok(stored.length - finals.length <= 1, `${label}: ${stored.length} stored vs ${finals.length} received`);
        const lastEnd = Math.max(0, ...stored.map((g) => g.end_ms));
        assert.equal(s.endedAt, s.startedAt + lastEnd, `${label}: ended at the last segment`);
      } finally {
        store.close();
      }
    }
    t.diagnostic(`seed ${seed}: ${totalFinals} finals received over ${ROUNDS} kills, all found in the database`);
    // Guard against a vacuous pass: the rounds must have produced finals to check.
    assert.ok(totalFinals >= ROUNDS / 2, `only ${totalFinals} finals were received over ${ROUNDS} rounds`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
