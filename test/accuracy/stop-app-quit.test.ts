// Quitting the desktop app (tray Quit, window manager, logout: Electron's will-quit runs quitApp) while a
// WebSocket and a gRPC `session=new` stream are mid-utterance, two REST uploads are in progress, and the app's own
// in-process system-audio captions are mid-utterance too: the same core the app starts (startCore →
// startHeadless), the same quit function the app runs. Electron itself cannot run here; everything below it does.
// The system-audio source is a stand-in for the sound server's monitor (it plays tone-alphabet audio in 20 ms
// blocks, as the capture does); the session, engine and store behind it are the real ones.
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
const { assertNothingLost, startWorkInProgress, STOP_BOUND_MS } = await import('../integration/stop-harness.js');
const { SystemAudioCaptions } = await import('../../src-main/core/sessions/system-audio/system-audio-captions.js');
const { toneAudio } = await import('../../../shared/models/fixtures/tone-audio.mjs');
const { EventEmitter } = await import('node:events');

/** Plays `samples` in 20 ms blocks at real-time pace, like the sound server's monitor; then silence-free idle. */
class PlayedAudio extends EventEmitter {
  readonly sampleRate = 16000;
  private timer: NodeJS.Timeout | null = null;
  private played!: () => void;
  /** Resolves once every sample has been played. */
  readonly done = new Promise<void>((r) => (this.played = r));
  constructor(private readonly samples: Float32Array) {
    super();
  }
  async start(): Promise<void> {
    let at = 0;
    this.timer = setInterval(() => {
      if (at >= this.samples.length) return this.played();
      this.emit('samples', this.samples.subarray(at, at + 320));
      at += 320;
    }, 20);
  }
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}

test('app quit mid-utterance: WS, gRPC and system-audio finals delivered and stored, REST upload finished or cut with 503, bounded', async () => {
  const core = await startCore({ env: { EARSHOT_DESKTOP_PORT: '0' }, engine: { engine: 'sherpa', model: 'tone-alphabet' } });
  await core.engine.ready;
  assert.ok(core.store, 'the app has its store');
  const dbPath = core.store!.path;
  const systemMessages: any[] = [];
  const played = new PlayedAudio(toneAudio('system words', { tail: 0.3 }));
  const systemAudio = new SystemAudioCaptions({
    engine: core.engine,
    store: core.store,
    source: played,
    session: 'new',
    model: 'tone-alphabet',
    endpointing: false,
    onMessage: (m) => systemMessages.push(m),
  });
  const systemReady = await systemAudio.start();
  const work = await startWorkInProgress({ asrUrl: core.apiBase, grpcAsr: core.grpc!.asr });
  await played.done;
  const heard = () => systemMessages.some((m) => m.type === 'transcript' && !m.is_final && m.text.length >= 4);
  for (const t0 = Date.now(); !heard() && Date.now() - t0 < 30_000;) await new Promise((r) => setTimeout(r, 20));
  assert.ok(heard(), `system audio heard: ${JSON.stringify(systemMessages)}`);
  assert.ok(!systemMessages.some((m) => m.type === 'transcript' && m.is_final), 'and not final before the quit');
  const teardown: string[] = [];
  const started = performance.now();
  const quitting = quitApp({ teardown: [() => teardown.push('hotkeys'), () => teardown.push('overlay')], systemAudio, core });
  work.stopBegan();
  await quitting;
  const stopMs = performance.now() - started;
  assert.deepEqual(teardown, ['hotkeys', 'overlay']);
  assertNothingLost(await work.outcome(), dbPath, work);
  assert.deepEqual(
    systemMessages.filter((m) => m.type === 'transcript' && m.is_final).map((m) => m.text),
    ['system words'],
  );
  const { openStore } = await import('../../src-main/core/store/index.js');
  const store = openStore({ path: dbPath });
  try {
    const s = store.getSession(systemReady.session_id)!;
    assert.deepEqual(
      s.segments.map((x) => [x.track, x.text]),
      [['system', 'system words']],
      'the system-audio final is stored',
    );
    assert.equal(s.status, 'complete');
  } finally {
    store.close();
  }
  assert.ok(stopMs < STOP_BOUND_MS, `quit took ${Math.round(stopMs)} ms`);
});
