// The browser path with the offline recognizer and with two-pass captions: the built renderer in Debian Chromium
// against `earshot serve --engine sherpa --model tone-alphabet,tone-offline`, a WAV of spelled tones as the
// microphone. With the offline fixture picked in Settings, the live view shows an interim (a re-decode of the
// growing segment) and then exactly the phrase; with two-pass "On" and the streaming fixture, interims come from
// it and the final is re-decoded by the offline model (the stream's `ready` names it, as the page received it).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import '../helpers/fixtures.js';
import { ensureRendererBuilt, launchChromium, paddedWav, startServe, type ServeHandle } from './renderer-harness.js';

const PHRASE = 'offline captions';

let serve: ServeHandle;
let browser: Browser;
let tmp: string;

describe('renderer live captions on the offline and two-pass paths (Chromium + earshot serve)', { timeout: 240_000 }, () => {
  before(async () => {
    ensureRendererBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'earshot-e2e-offline-'));
    const mic = paddedWav({ rate: 16000, samples: toneAudio(PHRASE, { lead: 1, tail: 0 }) }, 4, tmp);
    serve = await startServe(['--engine', 'sherpa', '--model', 'tone-alphabet,tone-offline']);
    browser = await launchChromium(mic);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await serve?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** A page whose UI settings start as `seed`, recording the `ready` message each captions stream receives. */
  async function pageWith(seed: Record<string, unknown>): Promise<{ context: BrowserContext; page: Page; readies: any[]; urls: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript((s) => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem('earshot.ui-settings', JSON.stringify(s));
        sessionStorage.setItem('seeded', '1');
      }
    }, seed);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    const readies: any[] = [];
    const urls: string[] = [];
    page.on('websocket', (ws) => {
      if (!ws.url().includes('/v1/audio/stream')) return;
      urls.push(ws.url());
      ws.on('framereceived', (f) => {
        if (typeof f.payload !== 'string') return;
        const m = JSON.parse(f.payload);
        if (m.type === 'ready') readies.push(m);
      });
    });
    return { context, page, readies, urls };
  }

  /** Start captions (Alt+S), wait for the first final, stop; returns the final captions and interim/final times. */
  async function captionsOnce(page: Page) {
    await page.goto(`${serve.base}/#token=${serve.token}`);
    await page.waitForSelector('[data-testid="live-view"]');
    await page.locator('body').focus();
    await page.keyboard.press('Alt+S');
    await page.waitForSelector('[data-testid="live-view"][data-status="live"]', { timeout: 15_000 });
    await page.waitForSelector('.caption.final', { timeout: 40_000 });
    const finals = await page.locator('.caption.final').allInnerTexts();
    const t = await page.evaluate(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="live-view"]')!;
      return { interim: Number(el.dataset.firstInterimAt), final: Number(el.dataset.firstFinalAt) };
    });
    await page.keyboard.press('Alt+S');
    await page.waitForSelector('[data-testid="live-view"][data-status="stopped"]', { timeout: 10_000 });
    return { finals, t };
  }

  test('offline model: an interim, then exactly the spelled phrase as the final caption', async () => {
    const { context, page, readies } = await pageWith({ asrModel: 'tone-offline', punctuate: false });
    const { finals, t } = await captionsOnce(page);
    assert.ok(t.interim < t.final, 'an interim caption is shown before the first final');
    assert.equal(finals[0]!.trim(), PHRASE, `captions: ${JSON.stringify(finals)}`);
    assert.equal(readies[0]?.model, 'tone-offline');
    assert.equal(readies[0]?.final_model, undefined);
    await context.close();
  });

  test('two-pass "On" in Settings: streaming interims, the final re-decoded by the offline model', async () => {
    const { context, page, readies, urls } = await pageWith({ asrModel: 'tone-alphabet', punctuate: false });
    await page.goto(`${serve.base}/#token=${serve.token}`);
    await page.goto(`${serve.base}/#/settings`);
    const select = page.getByRole('combobox', { name: 'Two-pass captions' });
    await select.waitFor({ timeout: 10_000 });
    assert.equal(await select.inputValue(), 'auto');
    await select.selectOption('on');
    const { finals, t } = await captionsOnce(page);
    assert.ok(t.interim < t.final, 'an interim caption is shown before the first final');
    assert.equal(finals[0]!.trim(), PHRASE, `captions: ${JSON.stringify(finals)}`);
    assert.equal(new URL(urls.at(-1)!).searchParams.get('two_pass'), 'true');
    assert.equal(readies.at(-1)?.model, 'tone-alphabet');
    assert.equal(readies.at(-1)?.final_model, 'tone-offline');
    await context.close();
  });
});
