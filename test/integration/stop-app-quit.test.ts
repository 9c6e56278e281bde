// Quitting the desktop app (tray Quit, window manager, logout: Electron's will-quit runs quitApp) while a
// WebSocket and a gRPC `session=new` stream are mid-utterance and two REST uploads are in progress: the same
// core the app starts (startCore → startHeadless), the same quit function the app runs. Electron itself cannot
// run here; everything below it does.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const dataDir = mkdtempSync(join(tmpdir(), 'earshot-stop-quit-'));
process.env.EARSHOT_DATA_DIR = dataDir;
process.env.EARSHOT_LOG_LEVEL ??= 'warn';
after(() => rmSync(dataDir, { recursive: true, force: true }));

const { startCore } = await import('../../src-main/shell/core-host.js');
const { quitApp } = await import('../../src-main/shell/app-quit.js');
const { assertNothingLost, startWorkInProgress, STOP_BOUND_MS } = await import('./stop-harness.js');

test('app quit mid-utterance: WS and gRPC finals delivered and stored, REST upload finished or cut with 503, bounded', async () => {
  const core = await startCore({ env: { EARSHOT_DESKTOP_PORT: '0' }, engine: { engine: 'sherpa', model: 'tone-alphabet' } });
  await core.engine.ready;
  assert.ok(core.store, 'the app has its store');
  const dbPath = core.store!.path;
  const work = await startWorkInProgress({ asrUrl: core.apiBase, grpcAsr: core.grpc!.asr });
  const teardown: string[] = [];
  const started = performance.now();
  const quitting = quitApp({ teardown: [() => teardown.push('hotkeys'), () => teardown.push('overlay')], systemAudio: null, core });
  work.stopBegan();
  await quitting;
  const stopMs = performance.now() - started;
  assert.deepEqual(teardown, ['hotkeys', 'overlay']);
  assertNothingLost(await work.outcome(), dbPath, work);
  assert.ok(stopMs < STOP_BOUND_MS, `quit took ${Math.round(stopMs)} ms`);
});
