// The catalog and language choice as a user meets them (issues 14 and 15): the built renderer in Debian Chromium
// against a real `earshot serve` (pocketsphinx, English only, a temp data dir). Settings lists each catalog model
// with its languages, size, speed and accuracy classes and an install path, filtered by language; the custom
// vocabulary is kept across a reload; and starting captions in Arabic says which model adds Arabic and how to
// install it. Screenshots: test-artifacts/screenshots/settings-catalog-*.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LIBRISPEECH } from '../helpers/shared.js';
import {
  SCREENSHOTS,
  appTestDir,
  closeApp,
  launchChromium,
  openPage,
  paddedWav,
  readMono,
  startServe,
  type ServeHandle,
} from './renderer-harness.js';

let serve: ServeHandle;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tmp: string;

const row = (id: string) => page.locator(`[data-testid="model-row"][data-model="${id}"]`);

describe('Settings: catalog, language filter, custom vocabulary (Chromium + earshot serve)', { timeout: 240_000 }, () => {
  before(async () => {
    tmp = appTestDir('catalog');
    const emptyShared = join(tmp, 'no-shared');
    mkdirSync(emptyShared);
    serve = await startServe({ env: { EARSHOT_SHARED_DIR: emptyShared, EARSHOT_MODELS_DIR: join(tmp, 'models') } });
    browser = await launchChromium(paddedWav(readMono(join(LIBRISPEECH, '251-118436-0000.wav')), 1, tmp));
    // A returning user whose caption language is Arabic (onboarding already done).
    ({ context, page } = await openPage(browser, { viewport: { width: 1400, height: 1000 } }, () => {
      localStorage.setItem('earshot.onboarding-done', '1');
      if (!localStorage.getItem('earshot.ui-settings')) localStorage.setItem('earshot.ui-settings', JSON.stringify({ language: 'ar' }));
    }));
    await page.goto(`${serve.base}/#token=${serve.token}`);
    await page.waitForSelector('[data-testid="live-view"]');
  });

  after(() => closeApp({ context, browser, serve }, tmp));

  test('starting captions in Arabic with no Arabic recognizer says which model adds it and how to install it', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('Alt+S');
    await page.waitForFunction(() => /no installed speech recognizer understands "ar"/.test(document.body.innerText), undefined, {
      timeout: 20_000,
    });
    const text = await page.locator('body').innerText();
    assert.match(text, /no installed speech recognizer understands "ar"/);
    assert.match(text, /Install one with `earshot models pull whisper-small-int8` or in the app under Settings → Engines and models/);
    assert.match(text, /whisper-small-int8 \(offline, 375 MB, slow, good accuracy\)/);
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-catalog-live-ar-error.png') });
  });

  test('Settings lists the models for the caption language with languages, size, speed, accuracy and an install path', async () => {
    await page.goto(`${serve.base}/#/settings`);
    await page.waitForSelector('[data-testid="model-row"]', { timeout: 15_000 });
    const filter = page.getByRole('combobox', { name: 'Show models for language' });
    assert.equal(await filter.inputValue(), 'ar');
    const ids = await page.locator('[data-testid="model-row"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.model));
    // Recognizers first (in catalog order), then the Arabic voice; never an English-only model.
    assert.deepEqual(ids.slice(0, 3), ['whisper-tiny-int8', 'whisper-base-int8', 'whisper-small-int8']);
    assert.ok(ids.includes('piper-ar-jo-kareem-medium') && !ids.includes('zipformer-en-20m'), ids.join(', '));
    const small = await row('whisper-small-int8').innerText();
    for (const want of [
      /Offline recognizer/,
      /98 languages/,
      /375\.5 MB/,
      /Slow \(needs a fast CPU\)/,
      /Good/,
      /Not installed/,
      /earshot models pull whisper-small-int8/,
    ])
      assert.match(small, want);
    assert.ok(await row('whisper-small-int8').getByRole('button', { name: 'Install whisper-small-int8' }).isVisible());
    await row('whisper-small-int8').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-catalog-ar.png'), fullPage: true });

    await filter.selectOption('de');
    await row('kroko-de-streaming').waitFor();
    const kroko = await row('kroko-de-streaming').innerText();
    for (const want of [/Live recognizer/, /German/, /71\.1 MB/, /Fast/, /Fair/]) assert.match(kroko, want);
    await filter.selectOption('en');
    await row('parakeet-tdt-0.6b-v2-int8').waitFor();
    assert.match(await row('parakeet-tdt-0.6b-v2-int8').innerText(), /Best/);
    assert.match(await row('zipformer-en-20m').innerText(), /Fastest[\s\S]*Basic/);
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-catalog-en.png'), fullPage: true });
  });

  test('the custom vocabulary and replacement list are kept across a reload; a line without "=>" is flagged', async () => {
    const words = page.getByRole('textbox', { name: 'Custom words and phrases, one per line' });
    await words.fill('Kubernetes\nEarshot');
    await words.blur();
    const repl = page.getByRole('textbox', { name: 'Replacements, one wrong => right per line' });
    await repl.fill('eye tea => IT\ncuber netties');
    await repl.blur();
    assert.match(await page.getByTestId('replacements-problem').innerText(), /"cuber netties" has no "=>"/);
    await words.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-catalog-vocabulary.png') });
    await repl.fill('eye tea => IT\ncuber netties => Kubernetes');
    await repl.blur();
    await page.reload();
    await page.waitForSelector('[data-testid="settings-view"]');
    assert.equal(await page.getByRole('textbox', { name: 'Custom words and phrases, one per line' }).inputValue(), 'Kubernetes\nEarshot');
    assert.equal(
      await page.getByRole('textbox', { name: 'Replacements, one wrong => right per line' }).inputValue(),
      'eye tea => IT\ncuber netties => Kubernetes',
    );
  });
});
