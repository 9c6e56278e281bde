// The app people see, end to end: the built renderer in Debian Chromium against a real `earshot serve`
// (pocketsphinx + espeak), a LibriSpeech file as the microphone. Captions, sessions + search, voices,
// keyboard-only use, and screenshots of every view (test-artifacts/screenshots/).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { appRoot } from '../../src-main/core/paths.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import {
  SCREENSHOTS,
  appTestDir,
  closeApp,
  openPage,
  launchChromium,
  normWords,
  paddedWav,
  readMono,
  engineSelfSpread,
  speechOnsetMs,
  startServe,
  wordErrorRate,
  type ServeHandle,
} from '../e2e/renderer-harness.js';

// A file pocketsphinx hears the same way through the browser's 48 kHz round trip as from disk, and at every
// 10 ms frame phase (a capture starts at any): its spread is the resampler margin alone.
const FILE = join(LIBRISPEECH, '1993-147964-0003.wav');
const PAD_S = 4;

let serve: ServeHandle;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tmp: string;
let engineTranscript: string;
/** Words pocketsphinx changes in its own transcript under imperceptible shifts of the audio (see engineSelfSpread). */
let selfSpread: number;
let liveFinals: string[] = [];
let speechMs: number;
let onsetMs: number;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Controls on the page without an accessible name (label, aria-label, aria-labelledby, or text). */
async function unnamedControls(): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [role="meter"], [tabindex="0"]'))
      .filter((el) => {
        const labels = (el as HTMLInputElement).labels;
        const named =
          el.getAttribute('aria-label') ||
          el.getAttribute('aria-labelledby') ||
          (labels && labels.length > 0) ||
          (el.textContent ?? '').trim();
        return !named;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

/** Press Tab until `selector` has focus (keyboard-only navigation); fails after `max` presses. */
async function tabTo(selector: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  assert.fail(`keyboard focus never reached ${selector}`);
}

describe('renderer end to end (Chromium + earshot serve)', { timeout: 300_000 }, () => {
  before(async () => {
    tmp = appTestDir('mic');
    const pcm = readMono(FILE);
    speechMs = (pcm.samples.length * 1000) / pcm.rate;
    onsetMs = speechOnsetMs(pcm);
    const mic = paddedWav(pcm, PAD_S, tmp);
    // The engine's own transcript of the file, through the same CLI users run.
    const tr = spawnSync(
      process.execPath,
      [join(appRoot, 'bin', 'earshot.mjs'), 'transcribe', FILE, '--engine', 'pocketsphinx', '--format', 'text'],
      {
        cwd: appRoot,
        encoding: 'utf8',
        env: { ...process.env, EARSHOT_DATA_DIR: tmp },
      },
    );
    assert.equal(tr.status, 0, `earshot transcribe failed: ${tr.stderr}`);
    engineTranscript = tr.stdout.trim();
    assert.ok(normWords(engineTranscript).length > 3, `engine transcript too short: ${engineTranscript}`);
    selfSpread = await engineSelfSpread(pcm, engineTranscript);
    console.log(`# pocketsphinx changes up to ${selfSpread} words of its own transcript under sub-frame shifts of the audio`);
    serve = await startServe();
    browser = await launchChromium(mic);
    ({ context, page } = await openPage(browser, { acceptDownloads: true }));
  });

  after(() => closeApp({ context, browser, serve }, tmp));

  test('the one-time token URL opens the app and is stripped from the address bar', async () => {
    await page.goto(`${serve.base}/#token=${serve.token}`);
    await page.waitForSelector('[data-testid="live-view"]');
    assert.equal(new URL(page.url()).hash, '#/live');
    assert.ok(!page.url().includes(serve.token));
    await shot('live-idle');
  });

  test('live captions from the microphone: interim first, then finals matching `earshot transcribe`; keyboard start/stop', async () => {
    // Keyboard only: Alt+S starts.
    await page.locator('body').focus();
    await page.keyboard.press('Alt+S');
    await page.waitForSelector('[data-testid="live-view"][data-status="live"]', { timeout: 15_000 });
    await page.waitForSelector('.caption.interim', { timeout: 20_000 });
    await shot('live-captions'); // interim text, styled apart
    await page.waitForSelector('.caption.final', { timeout: 30_000 });
    const t = await page.evaluate(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="live-view"]')!;
      return {
        frame: Number(el.dataset.firstFrameAt),
        interim: Number(el.dataset.firstInterimAt),
        final: Number(el.dataset.firstFinalAt),
      };
    });
    assert.ok(t.interim < t.final, 'an interim caption is shown before the first final');
    // The first 100 ms frame leaves the worklet 100 ms after capture starts, when the file starts playing.
    const interimAfterOnset = t.interim - (t.frame - 100 + onsetMs);
    console.log(
      `# interim caption ${interimAfterOnset.toFixed(0)} ms after speech onset (target ≤ 1500 ms); first final ${(t.final - t.interim).toFixed(0)} ms after the first interim`,
    );

    // Let the whole utterance play and end in the padding silence, then stop: Tab to the button, Enter.
    const elapsed = await page.evaluate((f) => performance.now() - f + 100, t.frame);
    await page.waitForTimeout(Math.max(0, speechMs + 1800 - elapsed));
    await tabTo('[data-testid="start-stop"]');
    assert.equal(await page.locator('[data-testid="start-stop"]').innerText(), 'Stop');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="live-view"][data-status="stopped"]', { timeout: 10_000 });

    const finals = await page.locator('.caption.final').allInnerTexts();
    liveFinals = finals;
    const live = normWords(finals.join(' '));
    const engine = normWords(engineTranscript);
    const wer = wordErrorRate(engine, live);
    console.log(
      `# live captions: "${finals.join(' ')}"\n# earshot transcribe: "${engineTranscript}"\n# word difference (WER vs the engine's own transcript): ${(wer * 100).toFixed(1)}%`,
    );
    // pocketsphinx is not bit-stable across the browser's resampling and another frame phase: the captions may
    // differ from `earshot transcribe` by as much as the engine differs from itself under such shifts, no more.
    const differing = Math.round(wer * engine.length);
    assert.ok(
      differing <= selfSpread,
      `live captions differ from the engine's transcript in ${differing} of ${engine.length} words (engine's own spread: ${selfSpread})`,
    );
    await shot('live-stopped');
  });

  test('the overlay shows the last lines large', async () => {
    await page.goto(`${serve.base}/#/overlay`);
    await page.waitForSelector('[data-testid="overlay"]');
    await shot('overlay');
  });

  test('the session is listed, search finds a recognized word, jumps to it, and exports by keyboard', async () => {
    await page.goto(`${serve.base}/#/sessions`);
    await page.waitForSelector('[data-testid="session-list"] a', { timeout: 10_000 });
    assert.equal(await page.locator('[data-testid="session-list"] a').count(), 1);
    // The longest word the live captions (hence the stored session) contain.
    const [longest] = normWords(liveFinals.join(' ')).sort((a, b) => b.length - a.length);
    assert.ok(longest, 'the live captions have words');
    const word = longest.toLowerCase();
    // Keyboard only: Tab into the search box, type, Enter.
    await tabTo('input[type="search"]');
    await page.keyboard.type(word);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="search-results"] mark', { timeout: 10_000 });
    // The store's full-text index stems words, so a hit may mark a shorter form ("beings" → "be").
    const marked = (await page.locator('[data-testid="search-results"] mark').allInnerTexts()).map((m) => m.toLowerCase());
    assert.ok(
      marked.some((m) => word.startsWith(m) || m.startsWith(word)),
      `marks ${marked} for ${word}`,
    );
    await tabTo('[data-testid="search-results"] a');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="transcript"] li.current', { timeout: 10_000 });
    assert.match((await page.locator('[data-testid="transcript"] li.current').innerText()).toLowerCase(), new RegExp(word));
    await shot('sessions');
    // Export as SRT (the default format), keyboard only.
    const download = page.waitForEvent('download');
    await tabTo('[data-testid="export"]');
    await page.keyboard.press('Enter');
    const file = await (await download).path();
    const srt = readFileSync(file, 'utf8');
    assert.match(srt, /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\r?\n/);
    assert.match(srt.toLowerCase(), new RegExp(word));
  });

  test('voices: playback starts (samples reach the audio graph) before synthesis of a long text ends', async () => {
    await page.goto(`${serve.base}/#/voices`);
    await page.waitForSelector('[data-testid="voices-view"]');
    const sentence = 'The quick brown fox jumps over the lazy dog while the patient listener waits for the next line. ';
    await page.locator('textarea').fill(sentence.repeat(40));
    await page.getByRole('button', { name: 'Speak' }).click();
    await page.waitForSelector('[data-testid="voices-view"]:not([data-complete-at=""])', { timeout: 120_000 });
    const { first, complete } = await page.evaluate(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="voices-view"]')!;
      return { first: Number(el.dataset.firstSignalAt || NaN), complete: Number(el.dataset.completeAt) };
    });
    assert.ok(Number.isFinite(first), 'audio reached the AnalyserNode');
    assert.ok(first < complete, 'playback started before synthesis completed');
    console.log(`# TTS: first audible samples ${(complete - first).toFixed(0)} ms before synthesis_complete`);
    await shot('voices');
    await page.getByRole('button', { name: 'Stop' }).click();
    // What was synthesized can be saved as a WAV.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save as WAV' }).click();
    const wav = readFileSync(await (await download).path());
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(wav.toString('ascii', 8, 12), 'WAVE');
    const rate = wav.readUInt32LE(24);
    const seconds = wav.readUInt32LE(40) / 2 / rate;
    console.log(`# saved WAV: ${seconds.toFixed(1)} s at ${rate} Hz`);
    assert.ok(seconds > 60, 'the whole long text was kept');
  });

  test('dictation: Alt+D, speak, and the words land at the cursor in the text', async () => {
    await page.goto(`${serve.base}/#/dictation`);
    const area = page.locator('textarea[aria-label="Dictation text"]');
    await area.fill('Note: ');
    await area.focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Alt+D');
    await page.waitForFunction(
      () => document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Dictation text"]')!.value.length > 'Note: '.length,
      null,
      { timeout: 30_000 },
    );
    await shot('dictation');
    await page.keyboard.press('Alt+D');
    const value = await area.inputValue();
    assert.ok(value.startsWith('Note: '), value);
    const added = normWords(value.slice('Note: '.length));
    const engine = new Set(normWords(engineTranscript));
    assert.ok(added.filter((w) => engine.has(w)).length >= 2, `dictated "${value}"`);
    console.log(`# dictated: ${JSON.stringify(value)}`);
  });

  test('screenshots of the remaining views; every control in every view has an accessible name; dark theme', async () => {
    await page.goto(`${serve.base}/#/settings`);
    await page.waitForSelector('[data-testid="settings-view"] table tbody tr td:not(.muted)', { timeout: 10_000 });
    await shot('settings');
    for (const view of ['live', 'sessions', 'dictation', 'voices', 'settings']) {
      await page.goto(`${serve.base}/#/${view}`);
      await page.waitForTimeout(300);
      assert.deepEqual(await unnamedControls(), [], `unnamed controls in #/${view}`);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${serve.base}/#/sessions`);
    await page.waitForSelector('[data-testid="session-list"] a');
    await page.locator('[data-testid="session-list"] a').first().click();
    await page.waitForSelector('[data-testid="transcript"] li');
    await shot('sessions-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('microphone permission denied: a clear message, and nothing is opened on the engine', async () => {
    const denied = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      // What Chromium does when the user blocks the microphone.
      await denied.addInitScript(() => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      });
      const p = await denied.newPage();
      const before = await (await fetch(`${serve.base}/v1/sessions`, { headers: { authorization: `Bearer ${serve.token}` } })).json();
      await p.goto(`${serve.base}/#token=${serve.token}`);
      await p.getByRole('button', { name: 'Start' }).click();
      const alert = p.getByRole('alert');
      await alert.waitFor({ timeout: 10_000 });
      assert.match(await alert.innerText(), /Microphone permission was denied/);
      await p.waitForSelector('[data-testid="live-view"][data-status="failed"]', { timeout: 5_000 });
      assert.equal(await p.locator('[data-testid="start-stop"]').innerText(), 'Start');
      await p.screenshot({ path: join(SCREENSHOTS, 'live-mic-denied.png') });
      const after = await (await fetch(`${serve.base}/v1/sessions`, { headers: { authorization: `Bearer ${serve.token}` } })).json();
      assert.equal(after.total, before.total, 'no session was opened without a microphone');
    } finally {
      await denied.close();
    }
  });

  test('the server crashes mid-utterance: captions reconnect by themselves; the utterance is neither lost nor doubled', async () => {
    await page.goto(`${serve.base}/#/live`);
    await page.waitForSelector('[data-testid="live-view"]');
    await page.locator('body').focus();
    await page.keyboard.press('Alt+S');
    await page.waitForSelector('.caption.interim', { timeout: 20_000 });
    const sessionId = await page.getAttribute('[data-testid="live-view"]', 'data-session-id');
    assert.ok(sessionId, 'the live stream is stored as a session');
    await serve.crash();
    await page.waitForSelector('[data-testid="live-view"][data-status="reconnecting"]', { timeout: 10_000 });
    assert.match(await page.locator('.notice').innerText(), /reconnecting/i);
    await shot('live-reconnecting');
    await serve.restart();
    await page.waitForSelector('[data-testid="live-view"][data-status="live"]', { timeout: 30_000 });
    await page.waitForSelector('.caption.final', { timeout: 30_000 });
    const finals = await page.locator('.caption.final').allInnerTexts();
    assert.equal(finals.length, 1, `one final for the one utterance, got ${JSON.stringify(finals)}`);
    assert.equal(await page.locator('.caption.stale').count(), 0, "the dead connection's interim was replaced");
    const engine = normWords(engineTranscript);
    const differing = Math.round(wordErrorRate(engine, normWords(finals.join(' '))) * engine.length);
    console.log(`# after a server crash + restart: "${finals[0]}" (${differing} of ${engine.length} words differ from earshot transcribe)`);
    assert.ok(differing <= selfSpread, `the re-recognized utterance lost words: ${finals[0]} (engine's own spread: ${selfSpread})`);
    await tabTo('[data-testid="start-stop"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="live-view"][data-status="stopped"]', { timeout: 10_000 });
    // The stored session (rejoined after the restart) holds that final exactly once.
    const res = await fetch(`${serve.base}/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${serve.token}` } });
    assert.equal(res.status, 200);
    const stored = (await res.json()) as { segments: { text: string }[] };
    assert.equal(stored.segments.filter((g) => g.text === finals[0]).length, 1, JSON.stringify(stored.segments));
  });
});
