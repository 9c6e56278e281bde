// The app against `earshot serve --no-store` in Debian Chromium (issue 9): the Live view says before Start that
// captions are not saved, Start still captions the microphone (a LibriSpeech file), and the Sessions view says the
// store is off instead of a routing error. Screenshots: live-no-store.png, sessions-no-store.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
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
  startServe,
  type ServeHandle,
} from './renderer-harness.js';

const FILE = join(LIBRISPEECH, '251-118436-0000.wav');
let serve: ServeHandle;
let browser: Browser;
let page: Page;
let tmp: string;

describe('--no-store in the app (Chromium + earshot serve --no-store)', { timeout: 240_000 }, () => {
  before(async () => {
    tmp = appTestDir('nostore');
    serve = await startServe(['--no-store']);
    browser = await launchChromium(paddedWav(readMono(FILE), 4, tmp));
    ({ page } = await openPage(browser));
  });
  after(() => closeApp({ browser, serve }, tmp));

  test('Live: a visible "not saved" note before Start; captions still run; no error', async () => {
    await page.goto(`${serve.base}/#token=${serve.token}`);
    const note = page.getByTestId('unsaved-note');
    await note.waitFor({ timeout: 15_000 });
    assert.match(await note.innerText(), /Not saved: this engine runs without a transcript store/);
    await page.getByTestId('start-stop').click();
    await page.waitForSelector('[data-testid="live-view"][data-status="live"]', { timeout: 15_000 });
    await page.waitForSelector('.caption.final', { timeout: 45_000 });
    const words = normWords((await page.locator('.caption.final').allInnerTexts()).join(' '));
    assert.ok(words.length >= 4, `captions: ${words.join(' ')}`);
    assert.equal(await page.getByRole('alert').count(), 0, 'no error is shown');
    assert.equal(await page.getAttribute('[data-testid="live-view"]', 'data-session-id'), '', 'no stored session');
    await page.screenshot({ path: join(SCREENSHOTS, 'live-no-store.png') });
    await page.getByTestId('start-stop').click();
    await page.waitForSelector('[data-testid="live-view"][data-status="stopped"]', { timeout: 10_000 });
  });

  test('Sessions: says the store is off (not "Route … not found")', async () => {
    await page.goto(`${serve.base}/#/sessions`);
    const off = page.getByTestId('store-off');
    await off.waitFor({ timeout: 10_000 });
    assert.match(await off.innerText(), /transcript store is off/);
    assert.doesNotMatch(await page.locator('body').innerText(), /not found/i);
    await page.screenshot({ path: join(SCREENSHOTS, 'sessions-no-store.png') });
  });
});
