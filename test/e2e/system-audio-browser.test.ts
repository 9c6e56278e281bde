// System-audio captions in the browser app (no Electron): Debian Chromium on the built renderer against a real
// `earshot serve` whose sound server is a private PulseAudio with a null sink as the "speakers". The user starts
// mic captions (a LibriSpeech file as the microphone), ticks "Also caption system audio" — the server then records
// the sink's monitor — and `paplay` plays another LibriSpeech file to the speakers. The System audio track must
// say what `earshot transcribe` says of that file (within the engine's own measured spread), and the stored
// session must hold both tracks, mic and system.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { appRoot } from '../../src-main/core/paths.js';
import { editCounts } from '../helpers/wer.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import { startPrivatePulse, type PrivatePulse } from '../helpers/private-pulse.js';
import {
  SCREENSHOTS,
  appTestDir,
  closeApp,
  openPage,
  engineSelfSpread,
  launchChromium,
  normWords,
  paddedWav,
  readMono,
  startServe,
  type ServeHandle,
} from './renderer-harness.js';

// Played to the speakers (4.7 s). Its pocketsphinx transcript is the same at every 10 ms frame phase, and the
// capture starts at an arbitrary one; 2035-147960-0003, used before, changes up to 6 of its 15 words with the phase.
const SYSTEM_FILE = join(LIBRISPEECH, '1993-147964-0003.wav');
const MIC_FILE = join(LIBRISPEECH, '251-118436-0000.wav');
const SINK = 'earshot_e2e';

let tmp: string;
let pulse: PrivatePulse;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
let reference: string;
let spread: number;

describe('system-audio captions in the browser app (Chromium + earshot serve + PulseAudio)', { timeout: 300_000 }, () => {
  before(async () => {
    tmp = appTestDir('sys');
    pulse = await startPrivatePulse(tmp, SINK);
    const tr = spawnSync(process.execPath, [join(appRoot, 'bin', 'earshot.mjs'), 'transcribe', SYSTEM_FILE, '--engine', 'pocketsphinx'], {
      cwd: appRoot,
      encoding: 'utf8',
      env: { ...process.env, EARSHOT_DATA_DIR: tmp },
    });
    assert.equal(tr.status, 0, tr.stderr);
    reference = tr.stdout.trim();
    assert.ok(normWords(reference).length >= 8, `engine transcript too short: ${reference}`);
    spread = await engineSelfSpread(readMono(SYSTEM_FILE), reference);
    console.log(`# pocketsphinx changes up to ${spread} words of its own transcript under sub-frame shifts of the audio`);
    // Two live streams (mic + system) whatever a busy machine measures.
    serve = await startServe({ args: ['--min-live-streams', '2'], env: { PULSE_SERVER: pulse.env.PULSE_SERVER! } });
    browser = await launchChromium(paddedWav(readMono(MIC_FILE), 4, tmp));
    ({ page } = await openPage(browser));
  });

  after(async () => {
    await closeApp({ browser, serve }, undefined);
    pulse?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('mic and system audio as two labelled tracks of one session; the system track matches earshot transcribe', async () => {
    await page.goto(`${serve.base}/#token=${serve.token}`);
    await page.waitForSelector('[data-testid="live-view"]');
    await page.click('[data-testid="start-stop"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="live-view"]')?.getAttribute('data-session-id'));
    const sessionId = await page.getAttribute('[data-testid="live-view"]', 'data-session-id');
    await page.check('[data-testid="system-audio"]');
    await page.waitForSelector('[data-testid="system-captions"]');
    // The capture runs once the server says where it records from; give parec a moment to attach.
    await page.waitForFunction(() => !document.querySelector('[role="alert"]'));
    await new Promise((r) => setTimeout(r, 1000));
    const play = spawnSync('paplay', [`--device=${SINK}`, SYSTEM_FILE], { env: pulse.env, timeout: 60_000, encoding: 'utf8' });
    assert.equal(play.status, 0, play.stderr);
    // Endpointing closes the last utterance ~0.6 s after the speech; then stop the system track.
    await new Promise((r) => setTimeout(r, 2500));
    await page.uncheck('[data-testid="system-audio"]');
    // Stopping waits for the server's last final of what it captured (decoding may lag on a busy machine).
    await page.waitForSelector('[data-testid="live-view"][data-system-on="false"]', { timeout: 120_000 });
    const alert = await page.$('[role="alert"]');
    assert.equal(alert, null, alert ? ((await alert.textContent()) ?? '') : '');
    const systemText = (await page.textContent('[data-testid="system-captions"]')) ?? '';
    const apart = editCounts(normWords(reference), normWords(systemText)).errors;
    console.log(`# system track: "${systemText.trim()}" — ${apart} words from earshot transcribe (spread ${spread})`);
    assert.ok(apart <= spread, `system captions "${systemText}" are ${apart} words from "${reference}" (engine spread ${spread})`);
    const headings = await page.$$eval('.track-label', (hs) => hs.map((h) => h.textContent?.trim()));
    assert.deepEqual(headings, ['Microphone', 'System audio']);
    await page.screenshot({ path: join(SCREENSHOTS, 'live-system-audio.png') });

    await page.click('[data-testid="start-stop"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="start-stop"]')?.textContent?.trim() === 'Start');
    const r = await fetch(`${serve.base}/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${serve.token}` } });
    assert.equal(r.status, 200);
    const stored = (await r.json()) as { segments: { track: string; text: string }[] };
    const tracks = new Set(stored.segments.map((s) => s.track));
    assert.ok(tracks.has('system') && tracks.has('mic'), `stored tracks: ${[...tracks].join(', ')}`);
  });
});
