// Stopping `earshot serve` by signal while a WebSocket and a gRPC `session=new` stream are mid-utterance and two
// REST uploads are in progress, the two ways users do it:
// - Ctrl-C in the terminal running `npm start`: the terminal sends SIGINT to the whole process group, so serve
//   gets it from the group AND forwarded by bin/start.mjs (here: `node bin/start.mjs`, in its own process group,
//   falling back to `earshot serve --open` because Electron is absent; BROWSER=none opens nothing);
// - SIGTERM to `earshot serve` itself (a service manager, `kill`).
// Either way: each client gets the final of its utterance in progress, the store has it, the upload that
// completes during the stop gets its transcript, the one that never completes is cut with a clear 503, and the
// process exits 0 within a bounded time.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { appRoot } from '../../src-main/core/paths.js';
import { assertNothingLost, startWorkInProgress, STOP_BOUND_MS, within } from '../integration/stop-harness.js';

const dataDir = mkdtempSync(join(tmpdir(), 'earshot-stop-signals-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      c.kill('SIGKILL');
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const SERVE_ARGS = [
  '--port-asr',
  '0',
  '--port-tts',
  '0',
  '--grpc-asr',
  '0',
  '--grpc-tts',
  '0',
  '--engine',
  'sherpa',
  '--model',
  'tone-alphabet',
];

/** Runs `argv` (a node script and its arguments) in its own process group; resolves once serve is ready. */
async function launch(argv: string[], db: string) {
  const child = spawn(process.execPath, [...argv, ...SERVE_ARGS, '--db', db], {
    cwd: appRoot,
    env: { ...process.env, EARSHOT_DATA_DIR: dataDir, EARSHOT_LOG_LEVEL: 'warn', BROWSER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, as a terminal gives a foreground job
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = async (re: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = out.match(re);
      if (m) return m;
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${out}\n${err}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const [, asrUrl, grpcAsr] = await waitFor(/listening asr=(\S+) tts=\S+ grpc-asr=(\S+)/);
  await waitFor(/earshot serve: ready/);
  return { child, asrUrl: asrUrl!, grpcAsr: grpcAsr!, exited, waitFor, output: () => `${out}\n${err}` };
}

test('Ctrl-C on `npm start` (SIGINT to the process group) mid-utterance: nothing lost, clean exit, bounded', async () => {
  const db = join(dataDir, 'ctrl-c.db');
  const app = await launch([join(appRoot, 'bin', 'start.mjs')], db);
  assert.match(app.output(), /Electron is unavailable/, 'the launcher fell back to earshot serve');
  assert.match(app.output(), /open the web UI at http:\/\/127\.0\.0\.1:\d+\/#token=/);
  const work = await startWorkInProgress({ asrUrl: app.asrUrl, grpcAsr: app.grpcAsr });
  const started = performance.now();
  process.kill(-app.child.pid!, 'SIGINT'); // what the terminal does: every process of the foreground group
  await app.waitFor(/shutting down/, STOP_BOUND_MS);
  work.stopBegan();
  const exit = await within(app.exited, 6 * STOP_BOUND_MS, `the server to exit after the signal:\n${app.output()}`);
  const stopMs = performance.now() - started;
  assert.deepEqual(exit, { code: 0, signal: null }, app.output());
  assert.doesNotMatch(app.output(), /exiting now/, 'the forwarded copy of the SIGINT is the same stop, not "exit now"');
  assertNothingLost(await work.outcome(), db, work);
  assert.ok(stopMs < STOP_BOUND_MS, `stop took ${Math.round(stopMs)} ms`);
});

test('SIGTERM to `earshot serve` mid-utterance: nothing lost, clean exit, bounded', async () => {
  const db = join(dataDir, 'sigterm.db');
  const app = await launch([join(appRoot, 'bin', 'earshot.mjs'), 'serve'], db);
  const work = await startWorkInProgress({ asrUrl: app.asrUrl, grpcAsr: app.grpcAsr });
  const started = performance.now();
  app.child.kill('SIGTERM');
  await app.waitFor(/shutting down/, STOP_BOUND_MS);
  work.stopBegan();
  const exit = await within(app.exited, 6 * STOP_BOUND_MS, `the server to exit after the signal:\n${app.output()}`);
  const stopMs = performance.now() - started;
  assert.deepEqual(exit, { code: 0, signal: null }, app.output());
  assertNothingLost(await work.outcome(), db, work);
  assert.ok(stopMs < STOP_BOUND_MS, `stop took ${Math.round(stopMs)} ms`);
});
