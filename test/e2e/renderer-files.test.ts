// Files in the app, end to end: the built renderer in Debian Chromium against a real `earshot serve`
// (pocketsphinx). An MP3 and a WAV made from LibriSpeech with ffmpeg are dropped on the app; each ends as a saved
// session, titled from its file name, whose text is exactly `earshot transcribe` of the same file (no resampling on
// either path: pocketsphinx is deterministic on identical samples). A long file shows the server's progress and
// time left, and Cancel stops it. Screenshots go to test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { appRoot } from '../../src-main/core/paths.js';
import { LIBRISPEECH, LONGFORM } from '../helpers/shared.js';
import {
  SCREENSHOTS,
  appTestDir,
  closeApp,
  launchChromium,
  openPage,
  normWords,
  startServe,
  type ServeHandle,
} from './renderer-harness.js';

const SOURCE = join(LIBRISPEECH, '251-118436-0000.wav');
const LONG = join(LONGFORM, 'dev-meeting-1.wav');

let serve: ServeHandle;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tmp: string;
let wavFile: string;
let mp3File: string;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** `earshot transcribe <file>`'s text, words only (one final per line there, one segment per line in the app). */
function cliTranscript(file: string): string[] {
  const r = spawnSync(process.execPath, [join(appRoot, 'bin', 'earshot.mjs'), 'transcribe', file, '--engine', 'pocketsphinx'], {
    cwd: appRoot,
    encoding: 'utf8',
    env: { ...process.env, EARSHOT_DATA_DIR: tmp },
  });
  assert.equal(r.status, 0, `earshot transcribe failed: ${r.stderr}`);
  return normWords(r.stdout);
}

/** Drops `file` on `selector` the way a browser does: dragenter, dragover, drop with a DataTransfer holding it. */
async function dropFile(selector: string, file: string, name: string, type: string): Promise<void> {
  const b64 = readFileSync(file).toString('base64');
  await page.evaluate(
    ({ selector, b64, name, type }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      const target = document.querySelector(selector);
      if (!target) throw new Error(`nothing matches ${selector}`);
      for (const ev of ['dragenter', 'dragover', 'drop'])
        target.dispatchEvent(new DragEvent(ev, { bubbles: true, cancelable: true, dataTransfer: dt }));
    },
    { selector, b64, name, type },
  );
}

/** Waits for the job row of `name` to end; returns its state. */
async function jobEnds(name: string): Promise<string> {
  const row = page.locator('[data-testid="file-job"]', { hasText: name });
  await page.waitForFunction(
    (n) =>
      Array.from(document.querySelectorAll('[data-testid="file-job"]')).some(
        (el) => el.textContent?.includes(n) && ['done', 'error', 'cancelled'].includes(el.getAttribute('data-state') ?? ''),
      ),
    name,
    { timeout: 180_000 },
  );
  return (await row.getAttribute('data-state')) ?? '';
}

/** Opens the finished file's session and returns its transcript's words and the session title. */
async function openResult(name: string): Promise<{ words: string[]; title: string }> {
  const link = page.locator('[data-testid="file-job"]', { hasText: name }).locator('[data-testid="open-file-session"]');
  const id = decodeURIComponent((await link.getAttribute('href'))!.split('/').pop()!);
  await link.click();
  // The view may still show the session opened before (the last test's): wait for this one.
  await page.waitForFunction((sid) => document.querySelector('.detail-title')?.getAttribute('data-session-id') === sid, id);
  await page.waitForSelector('[data-testid="transcript"] li .text');
  const texts = await page.locator('[data-testid="transcript"] li .text').allInnerTexts();
  return { words: normWords(texts.join(' ')), title: (await page.locator('.detail-title').innerText()).trim() };
}

describe('files in the app (Chromium + earshot serve)', { timeout: 600_000 }, () => {
  before(async () => {
    tmp = appTestDir('files');
    // 16 kHz mono, as the source: no resampling anywhere, so both paths decode identical samples.
    wavFile = join(tmp, 'librispeech-interview.wav');
    mp3File = join(tmp, 'librispeech-lecture.mp3');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', SOURCE, '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', wavFile]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', SOURCE, '-ac', '1', '-ar', '16000', '-c:a', 'libmp3lame', '-b:a', '64k', mp3File]);
    serve = await startServe();
    browser = await launchChromium(wavFile);
    ({ context, page } = await openPage(browser, { acceptDownloads: true }));
    await page.goto(`${serve.base}/#token=${serve.token}`);
    await page.waitForSelector('[data-testid="live-view"]');
  });

  after(() => closeApp({ context, browser, serve }, tmp));

  test('a WAV dropped on the window becomes a saved session whose text is `earshot transcribe` of the file', async () => {
    const expected = cliTranscript(wavFile);
    assert.ok(expected.length > 5, `CLI transcript too short: ${expected.join(' ')}`);
    // Dropped on the Live view: the app goes to Sessions and shows the job there.
    await dropFile('main', wavFile, 'librispeech-interview.wav', 'audio/wav');
    await page.waitForSelector('[data-testid="file-job"]');
    assert.match(page.url(), /#\/sessions/);
    assert.equal(await jobEnds('librispeech-interview.wav'), 'done');
    const result = await openResult('librispeech-interview.wav');
    assert.equal(result.title, 'librispeech-interview');
    assert.deepEqual(result.words, expected);
    // Saved: it is in the list under the same title.
    assert.ok((await page.locator('[data-testid="session-list"]').innerText()).includes('librispeech-interview'));
  });

  test('an MP3 dropped on the Sessions drop zone: the same, decoded by the server', async () => {
    const expected = cliTranscript(mp3File);
    assert.ok(expected.length > 5, `CLI transcript too short: ${expected.join(' ')}`);
    await dropFile('[data-testid="file-transcribe"] .drop', mp3File, 'librispeech-lecture.mp3', 'audio/mpeg');
    assert.equal(await jobEnds('librispeech-lecture.mp3'), 'done');
    const result = await openResult('librispeech-lecture.mp3');
    assert.equal(result.title, 'librispeech-lecture');
    assert.deepEqual(result.words, expected);
    await shot('sessions-file-done');
  });

  test('correcting a segment: the new word is found by search and jumps to it; the export is named from the title', async () => {
    await page.locator('[data-testid="session-list"] a', { hasText: 'librispeech-interview' }).click();
    await page.waitForSelector('[data-testid="transcript"] li .text');
    const first = page.locator('[data-testid="transcript"] li').first();
    const original = (await first.locator('.text').innerText()).trim();
    await first.getByRole('button', { name: /Correct the segment at/ }).click();
    const box = page.getByRole('textbox', { name: /Text of the segment at/ });
    assert.equal(await box.inputValue(), original);
    await box.fill(`zanzibarian ${original}`);
    await shot('sessions-segment-edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="transcript"] li .text')?.textContent?.includes('zanzibarian'));
    // Found by the search (FTS kept in step), as a prefix too, and the hit opens that moment.
    await page.getByRole('searchbox', { name: 'Search transcripts' }).fill('zanzibar');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForSelector('[data-testid="search-results"] mark');
    assert.equal((await page.locator('[data-testid="search-results"] mark').first().innerText()).toLowerCase(), 'zanzibarian');
    assert.match(await page.locator('[data-testid="search-results"]').innerText(), /librispeech-interview/);
    await page.locator('[data-testid="search-results"] a').first().click();
    await page.waitForSelector('[data-testid="transcript"] li.current');
    assert.match(await page.locator('[data-testid="transcript"] li.current').innerText(), /zanzibarian/);
    await shot('sessions-search-corrected');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    assert.equal((await download).suggestedFilename(), 'librispeech-interview.srt');
    // Back to the list for the next test.
    await page.getByRole('searchbox', { name: 'Search transcripts' }).fill('');
    await page.getByRole('button', { name: 'Search' }).click();
  });

  test('recording on (Settings): live captions keep their audio; clicking a segment plays it from the session', async () => {
    await page.goto(`${serve.base}/#/settings`);
    const option = page.locator('[data-testid="record-audio-option"] input');
    await option.check();
    assert.ok(await option.isChecked());
    await shot('settings-record-audio');
    await page.goto(`${serve.base}/#/live`);
    await page.locator('[data-testid="start-stop"]').click();
    await page.waitForSelector('[data-testid="live-view"][data-status="live"]', { timeout: 15_000 });
    const startedAt = Date.now();
    await page.waitForSelector('.caption.final', { timeout: 60_000 });
    await page.locator('[data-testid="start-stop"]').click();
    await page.waitForSelector('[data-testid="live-view"][data-status="stopped"]', { timeout: 10_000 });
    const capturedS = (Date.now() - startedAt) / 1000;

    const list = (await (await fetch(`${serve.base}/v1/sessions`, { headers: { authorization: `Bearer ${serve.token}` } })).json()) as {
      data: { id: string; sources: string[]; duration_ms: number }[];
    };
    const live = list.data.find((x) => x.sources.includes('mic'))!;
    assert.ok(live, JSON.stringify(list.data));
    await page.goto(`${serve.base}/#/sessions/${live.id}`);
    const audio = page.locator('[data-testid="session-audio"]');
    await audio.waitFor();
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="session-audio"]') as HTMLAudioElement).readyState >= 1,
      undefined,
      {
        timeout: 15_000,
      },
    );
    const duration = await audio.evaluate((a: HTMLAudioElement) => a.duration);
    // The recording holds the whole capture: at least to the end of the last segment, at most the time it ran.
    assert.ok(
      duration >= live.duration_ms / 1000 - 0.1 && duration <= capturedS + 1,
      `duration ${duration} s; segments end ${live.duration_ms} ms; captured ${capturedS} s`,
    );

    const play = page.getByRole('button', { name: /^Play from / }).first();
    const label = (await play.getAttribute('aria-label')) ?? '';
    await play.click();
    await page.waitForFunction(
      () => {
        const a = document.querySelector('[data-testid="session-audio"]') as HTMLAudioElement;
        return !a.paused && a.currentTime > 0.5;
      },
      undefined,
      { timeout: 15_000 },
    );
    await shot('sessions-playback');
    const state = await audio.evaluate((a: HTMLAudioElement) => ({ t: a.currentTime, error: a.error?.code ?? null }));
    assert.equal(state.error, null);
    assert.ok(state.t > 0.5, `${label}: playing at ${state.t} s`);
  });

  test('a long file shows the progress and time left the server reports; Cancel stops it and nothing is saved', async () => {
    const stored = async () =>
      (
        (await (await fetch(`${serve.base}/v1/sessions`, { headers: { authorization: `Bearer ${serve.token}` } })).json()) as {
          total: number;
        }
      ).total;
    const before = await stored();
    await dropFile('[data-testid="file-transcribe"] .drop', LONG, 'board-meeting.wav', 'audio/wav');
    const row = page.locator('[data-testid="file-job"]', { hasText: 'board-meeting.wav' });
    await page.waitForFunction(
      () => {
        const el = Array.from(document.querySelectorAll('[data-testid="file-job"]')).find((e) => e.textContent?.includes('board-meeting'));
        const p = el?.querySelector('progress');
        return !!p && p.value > 0.03 && /left/.test(el?.textContent ?? '') && !/estimating/.test(el?.textContent ?? '');
      },
      undefined,
      { timeout: 120_000 },
    );
    assert.match(await row.innerText(), /\d+ % · about \d+( min \d+)? s left/);
    await shot('sessions-file-progress');
    await row.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await jobEnds('board-meeting.wav'), 'cancelled');
    assert.equal(await stored(), before, 'the cancelled file left no session');
  });
});
