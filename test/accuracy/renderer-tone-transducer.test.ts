// The browser path with the zipformer transducer fixture: the built renderer in Debian Chromium against a real
// `earshot serve --engine sherpa --model tone-transducer --punct-model punct-fixture`, a WAV of spelled tones as
// the microphone. Through getUserMedia, the capture worklet, the WebSocket and sherpa's transducer search, the
// live view shows an interim first and then exactly the spelled phrase as its final caption; Settings offers
// "Add punctuation" (the server has a punctuation model), and with it ticked the caption is punctuated.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import '../helpers/fixtures.js';
import { ensureRendererBuilt, launchChromium, paddedWav, startServe, type ServeHandle } from '../e2e/renderer-harness.js';

const MODEL = 'tone-transducer';
const PHRASE = 'browser captions';

let serve: ServeHandle;
let browser: Browser;
let page: Page;
let tmp: string;

describe(`renderer live captions on ${MODEL} (Chromium + earshot serve)`, { timeout: 180_000 }, () => {
  before(async () => {
    ensureRendererBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'earshot-e2e-tone-'));
    // 1 s of lead, the phrase, then silence so the utterance ends (endpoint) before the fake mic loops.
    const mic = paddedWav({ rate: 16000, samples: toneAudio(PHRASE, { lead: 1, tail: 0 }) }, 4, tmp);
    serve = await startServe(['--engine', 'sherpa', '--model', MODEL, '--punct-model', 'punct-fixture']);
    browser = await launchChromium(mic);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The model users pick in Settings (UI settings live in localStorage), punctuation off to start with.
    await context.addInitScript((model) => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem('earshot.ui-settings', JSON.stringify({ asrModel: model, punctuate: false }));
        sessionStorage.setItem('seeded', '1');
      }
    }, MODEL);
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await serve?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Start captions (Alt+S), wait for the first final, stop; returns the final captions. */
  async function captionsOnce(): Promise<string[]> {
    await page.locator('body').focus();
    await page.keyboard.press('Alt+S');
    await page.waitForSelector('[data-testid="live-view"][data-status="live"]', { timeout: 15_000 });
    await page.waitForSelector('.caption.final', { timeout: 30_000 });
    const finals = await page.locator('.caption.final').allInnerTexts();
    await page.keyboard.press('Alt+S');
    await page.waitForSelector('[data-testid="live-view"][data-status="stopped"]', { timeout: 10_000 });
    return finals;
  }

  test('interim captions, then the exact spelled phrase as the final caption', async () => {
    await page.goto(`${serve.base}/#token=${serve.token}`);
    await page.waitForSelector('[data-testid="live-view"]');
    const finals = await captionsOnce();
    const t = await page.evaluate(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="live-view"]')!;
      return { interim: Number(el.dataset.firstInterimAt), final: Number(el.dataset.firstFinalAt) };
    });
    assert.ok(t.interim < t.final, 'an interim caption is shown before the first final');
    assert.equal(finals[0]!.trim(), PHRASE, `captions: ${JSON.stringify(finals)}`);
  });

  test('Settings offers "Add punctuation" (the server has a punctuation model); ticked, the caption is punctuated', async () => {
    await page.goto(`${serve.base}/#/settings`);
    const option = page.getByRole('checkbox', { name: /Add punctuation and capitals/ });
    await option.waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('punctuate-option').innerText(), /punct-fixture/);
    assert.equal(await option.isChecked(), false);
    await option.check();
    await page.goto(`${serve.base}/#/live`);
    await page.waitForSelector('[data-testid="live-view"]');
    const finals = await captionsOnce();
    assert.equal(finals.at(-1)!.trim(), 'Browser captions.', `captions: ${JSON.stringify(finals)}`);
  });
});
