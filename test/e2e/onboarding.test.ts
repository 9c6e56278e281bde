// First-run onboarding end to end: the built renderer in Debian Chromium against a real `earshot serve`
// (pocketsphinx + espeak, a temp data dir, no ../shared models on its path so nothing is installed), with a
// loopback model server as the download mirror (EARSHOT_MODELS_BASE_URL). Online: one click installs the real
// Silero VAD through the engine's downloader (progress bar, sha256), and the file lands in the user models dir.
// Offline (the mirror gone: connection refused): one sentence says so and the import hint shows the download URL;
// an archive picked there is uploaded, verified and installed (POST /v1/models/import).
// Screenshots go to test-artifacts/screenshots/onboarding-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { catalogModel } from '../../src-main/core/engine/index.js';
import { sha256File } from '../../src-main/core/engine/models/download.js';
import { LIBRISPEECH, MODELS } from '../helpers/shared.js';
import { SCREENSHOTS, ensureRendererBuilt, launchChromium, paddedWav, readMono, startServe, type ServeHandle } from './renderer-harness.js';

const run = promisify(execFile);
const SILERO = catalogModel('silero-vad');
const SILERO_NAME = SILERO.name;
const ZIPFORMER = catalogModel('zipformer-en-20m');
/** Bytes the mirror sends before it waits for the test (so the progress bar is caught mid-download). */
const FIRST_PART = 1_000_000;

let mirror: Server;
let mirrorPort: number;
/** Resolves the held-back rest of the current download. */
let release: () => void = () => undefined;
const requests: string[] = [];
let serve: ServeHandle;
let browser: Browser;
let tmp: string;

/** Serves ../shared/models like a release mirror: `/<model dir>/<file>`, Range-aware, the first part at once. */
function startMirror(): Promise<void> {
  mirror = createServer((req, res: ServerResponse) => {
    const rel = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^\/+/, '');
    const path = join(MODELS, rel);
    requests.push(`${rel} ${req.headers.range ?? ''}`.trim());
    if (rel.startsWith('..') || !existsSync(path) || !statSync(path).isFile()) return void res.writeHead(404).end('not found');
    const size = statSync(path).size;
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    res.writeHead(start ? 206 : 200, {
      'content-length': size - start,
      ...(start ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    const data = readFileSync(path).subarray(start);
    const cut = Math.min(FIRST_PART, data.length);
    res.write(data.subarray(0, cut));
    void new Promise<void>((r) => (release = r)).then(() => res.end(data.subarray(cut)));
  });
  return new Promise((r) =>
    mirror.listen(0, '127.0.0.1', () => {
      mirrorPort = (mirror.address() as { port: number }).port;
      r();
    }),
  );
}

async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${serve.base}/#token=${serve.token}`);
  await page.waitForSelector('[data-testid="onboarding"]');
  await page.waitForSelector('[data-testid="engines-in-use"]');
  return { context, page };
}

describe('first-run onboarding (Chromium + earshot serve + loopback model mirror)', { timeout: 240_000 }, () => {
  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    ensureRendererBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'earshot-e2e-onboard-'));
    await startMirror();
    // No ../shared on the server's model path: a new user's machine, where nothing is installed yet.
    const emptyShared = join(tmp, 'no-shared');
    mkdirSync(emptyShared);
    serve = await startServe({ env: { EARSHOT_MODELS_BASE_URL: `http://127.0.0.1:${mirrorPort}`, EARSHOT_SHARED_DIR: emptyShared } });
    browser = await launchChromium(paddedWav(readMono(join(LIBRISPEECH, '251-118436-0000.wav')), 1, tmp));
  });

  after(async () => {
    release();
    await browser?.close().catch(() => undefined);
    await serve?.stop();
    mirror?.closeAllConnections();
    mirror?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('online: engines and quality, recommended models with sizes; one click installs with a progress bar and sha256', async () => {
    const { context, page } = await freshPage();
    try {
      const engines = await page.getByTestId('engines-in-use').innerText();
      assert.match(engines, /Captions: pocketsphinx — zero-download; expect roughly 40–45% word errors, lowercase, no punctuation/);
      // The speech line names the TTS engine in use: espeak-ng, or sherpa-onnx when a neural voice is installed
      // (the joe voice that `npm run test:setup` installs into the repo's models/).
      const tts = (
        (await (await fetch(`${serve.base}/v1/engines`, { headers: { authorization: `Bearer ${serve.token}` } })).json()) as {
          data: { id: string; kind: string; available: boolean }[];
        }
      ).data.find((e) => e.kind === 'tts' && e.available)!;
      assert.match(engines, tts.id === 'espeak' ? /Speech: espeak-ng — zero-download/ : /Speech: sherpa-onnx — neural on-device voices/);
      const ids = await page
        .locator('[data-testid="recommended-model"]')
        .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.modelId));
      // The recognizer first; then what adds to it (punctuation, VAD, a neural voice), one per kind.
      assert.equal(ids[0], 'zipformer-en-20m', `recommended: ${ids.join(', ')}`);
      assert.ok(ids.includes('silero-vad') && ids.includes('punct-en-online-2024-08-06'), `recommended: ${ids.join(', ')}`);
      const zip = page.locator('[data-model-id="zipformer-en-20m"]');
      assert.match(await zip.innerText(), new RegExp(ZIPFORMER.name.replace(/[()]/g, '\\$&')));
      const zipSize = ZIPFORMER.files.every((f) => f.size != null)
        ? `${(ZIPFORMER.files.reduce((a, f) => a + f.size!, 0) / 1e6).toFixed(1)} MB`
        : 'size unknown';
      assert.equal(await zip.getByTestId('model-size').innerText(), zipSize);
      const vad = page.locator('[data-model-id="silero-vad"]');
      assert.equal(await vad.getByTestId('model-size').innerText(), '2.3 MB');
      assert.match(await page.getByTestId('onboarding').innerText(), /far fewer word errors than pocketsphinx/);
      // Fixtures are never shown, even though the catalog has them.
      assert.doesNotMatch(await page.locator('body').innerText(), /Tone alphabet|tone-alphabet|fixture/i);

      await vad.getByRole('button', { name: `Install ${SILERO_NAME}` }).click();
      const bar = page.getByRole('progressbar', { name: `Download progress of ${SILERO_NAME}` });
      // The mirror has sent the first 1 MB and waits: the bar stands part-way.
      await page.waitForFunction(
        (n) => {
          const el = document.querySelector<HTMLProgressElement>('[data-model-id="silero-vad"] progress');
          return !!el && el.value >= n;
        },
        FIRST_PART,
        { timeout: 15_000 },
      );
      assert.equal(Number(await bar.getAttribute('max')), SILERO.files[0]!.size);
      assert.match(await vad.innerText(), /Downloading 4\d% \(1\.0 MB of 2\.3 MB\)/);
      await page.screenshot({ path: join(SCREENSHOTS, 'onboarding-online.png') });
      release();
      await vad.getByText('Installed — used from the next start of Earshot').waitFor({ timeout: 20_000 });
      assert.equal(await bar.count(), 0);
      await page.screenshot({ path: join(SCREENSHOTS, 'onboarding-installed.png') });
      // Installed where a user's downloads go, verified.
      const file = join(serve.dataDir, 'models', SILERO.dir, SILERO.files[0]!.path);
      assert.equal(await sha256File(file), SILERO.files[0]!.sha256);
      assert.ok(
        requests.some((r) => r.startsWith('silero_vad/silero_vad.onnx')),
        `mirror requests: ${requests.join('; ')}`,
      );

      // Done: the panel goes, and stays gone on the next start of the UI.
      await page.getByRole('button', { name: 'Got it' }).click();
      assert.equal(await page.getByTestId('onboarding').count(), 0);
      await page.reload();
      await page.waitForSelector('[data-testid="live-view"]');
      await page.waitForTimeout(300);
      assert.equal(await page.getByTestId('onboarding').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('offline: one sentence says so, with `earshot models import` and the download URL', async () => {
    // The mirror goes away: downloads now fail with "connection refused", as with no network.
    release();
    mirror.closeAllConnections();
    await new Promise((r) => mirror.close(r));
    const { context, page } = await freshPage();
    try {
      const zip = page.locator('[data-model-id="zipformer-en-20m"]');
      await zip.getByRole('button', { name: `Install ${ZIPFORMER.name}` }).click();
      const hint = page.getByTestId('offline-hint');
      await hint.waitFor({ timeout: 20_000 });
      const text = await hint.innerText();
      assert.match(text, /^You seem to be offline: Earshot could not reach the download server\./);
      assert.match(text, /earshot models import <archive-or-folder>/);
      assert.ok(text.includes(ZIPFORMER.upstream!), text);
      assert.ok(text.includes('earshot models import sherpa-onnx-streaming-zipformer-en-20M-2023-02-17.tar.bz2'), text);
      assert.equal(await hint.getByRole('link', { name: ZIPFORMER.upstream! }).getAttribute('href'), ZIPFORMER.upstream);
      assert.doesNotMatch(await page.locator('body').innerText(), /ECONNREFUSED|ENOTFOUND/, 'no raw error');
      await hint.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, 'onboarding-offline.png'), fullPage: true });

      // The archive downloaded elsewhere, picked in the hint: uploaded to the engine, verified, installed.
      const archive = join(tmp, 'silero_vad.tar.bz2');
      await run('tar', ['-C', MODELS, '-cjf', archive, 'silero_vad']);
      rmSync(join(serve.dataDir, 'models', SILERO.dir), { recursive: true, force: true });
      await hint.getByLabel('Install a model from a downloaded archive').setInputFiles(archive);
      const result = page.getByTestId('import-result');
      await result.waitFor({ timeout: 20_000 });
      assert.equal(
        await result.innerText(),
        `Installed ${SILERO_NAME} from silero_vad.tar.bz2 (every file checked) — used from the next start of Earshot.`,
      );
      assert.equal(await sha256File(join(serve.dataDir, 'models', SILERO.dir, SILERO.files[0]!.path)), SILERO.files[0]!.sha256);
      await page.screenshot({ path: join(SCREENSHOTS, 'onboarding-offline-imported.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('language picker (Live): a language without a recognizer says which model to install', async () => {
    const { context, page } = await freshPage();
    try {
      await page.getByRole('button', { name: 'Got it' }).click();
      const picker = page.getByRole('combobox', { name: 'Language', exact: true });
      const options = await picker.locator('option').evaluateAll((els) => els.map((e) => [(e as HTMLOptionElement).value, e.textContent]));
      assert.deepEqual(
        options.find(([v]) => v === 'en'),
        ['en', 'English'],
        'English captions work (pocketsphinx)',
      );
      assert.deepEqual(
        options.find(([v]) => v === 'de'),
        ['de', 'German — needs a recognizer'],
      );
      assert.equal(await page.locator('[data-testid="live-view"] input[type="text"]').count(), 0, 'no free text box');
      await picker.selectOption('de');
      const advice = page.getByTestId('language-advice');
      // The catalog has German recognizers (Whisper multilingual, a German streaming zipformer): the advice names
      // them with their sizes and the command that installs the first.
      const text = await advice.innerText();
      assert.match(text, /No recognizer for German is installed\. Install .*Kroko streaming zipformer, German \([\d.]+ MB\)/);
      assert.match(text, /`?earshot models pull whisper-small-int8`?/);
      await page.screenshot({ path: join(SCREENSHOTS, 'language-picker.png') });
      await picker.selectOption('en');
      assert.equal(await advice.count(), 0);
    } finally {
      await context.close();
    }
  });
});
