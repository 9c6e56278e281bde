// Harness for the renderer's end-to-end tests: a fresh renderer build, a real `earshot serve` child on free
// ports with a temp data dir, and Debian Chromium driven by playwright-core with a WAV file as the microphone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { decodeWav, encodeWav, resample } from '../../src-main/core/audio/index.js';
import { createEngine } from '../../src-main/core/engine/index.js';
import { rng } from '../helpers/random.js';
import { editCounts, normalizeWords as normWords } from '../helpers/wer.js';

export { normWords };
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { appRoot } from '../../src-main/core/paths.js';

export const SCREENSHOTS = join(appRoot, 'test-artifacts', 'screenshots');
const CLI = join(appRoot, 'bin', 'earshot.mjs');

/** Builds out/renderer when it is missing or older than any renderer source: the same step `npm start` runs. */
export { ensureRendererBuilt } from '../../build/renderer.mjs';
import { ensureRendererBuilt } from '../../build/renderer.mjs';

/** An app test's first step: the renderer built, the screenshot folder made, and a fresh temp folder (returned). */
export function appTestDir(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ensureRendererBuilt();
  return mkdtempSync(join(tmpdir(), `earshot-e2e-${name}-`));
}

/** A browser context (1280×800 unless `options` say otherwise) and its page, whose uncaught errors are logged. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
  initScript?: () => void,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  return { context, page };
}

/** An app test's last step: close what it started (any of it may be missing after a failed `before`), remove `tmp`. */
export async function closeApp(
  started: { context?: BrowserContext; browser?: Browser; serve?: ServeHandle },
  tmp: string | undefined,
): Promise<void> {
  await started.context?.close().catch(() => undefined);
  await started.browser?.close().catch(() => undefined);
  await started.serve?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface ServeHandle {
  base: string;
  token: string;
  dataDir: string;
  output: () => string;
  /** SIGKILL the server (a crash: no flush, no goodbye). */
  crash(): Promise<void>;
  /** Start it again on the same ports and data dir; resolves when ready. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `earshot serve` on free ports and a temp EARSHOT_DATA_DIR; resolves when /readyz is 200. `args` are added to the
 * command line (the ASR engine is pocketsphinx unless they name one, e.g. `['--engine', 'sherpa', '--model', …]`);
 * `env` adds to the server's environment (e.g. EARSHOT_MODELS_BASE_URL, EARSHOT_SHARED_DIR).
 */
export async function startServe(opts: string[] | { args?: string[]; env?: Record<string, string> } = {}): Promise<ServeHandle> {
  const { args = [], env: extraEnv = {} } = Array.isArray(opts) ? { args: opts } : opts;
  const engineArgs = args.includes('--engine') ? [] : ['--engine', 'pocketsphinx'];
  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-e2e-'));
  const [asr, tts] = [await freePort(), await freePort()];
  const env = { ...process.env, EARSHOT_DATA_DIR: dataDir, ...extraEnv };
  const base = `http://127.0.0.1:${asr}`;
  let out = '';
  let child: ChildProcess;

  async function launch(): Promise<void> {
    child = spawn(
      process.execPath,
      [CLI, 'serve', ...engineArgs, '--port-asr', String(asr), '--port-tts', String(tts), '--no-grpc', ...args],
      { cwd: appRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`earshot serve exited (${child.exitCode}):\n${out}`);
      try {
        const r = await fetch(`${base}/readyz`);
        if (r.ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`earshot serve not ready after 90 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function kill(signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 8000);
    await exited;
    clearTimeout(t);
  }

  await launch();
  const tok = spawnSync(process.execPath, [CLI, 'token'], { cwd: appRoot, env, encoding: 'utf8' });
  const token = tok.stdout.trim().split(/\s+/).pop() ?? '';
  if (tok.status !== 0 || token.length < 16) throw new Error(`earshot token failed: ${tok.stdout}${tok.stderr}`);
  return {
    base,
    token,
    dataDir,
    output: () => out,
    crash: () => kill('SIGKILL'),
    restart: launch,
    async stop() {
      await kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Chromium with a WAV file as the (looping) microphone. */
export async function launchChromium(micWav: string): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${micWav}`,
      '--autoplay-policy=no-user-gesture-required',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export interface MonoAudio {
  rate: number;
  samples: Float32Array;
}

export function readMono(path: string): MonoAudio {
  const wav = decodeWav(readFileSync(path));
  return { rate: wav.sampleRate, samples: wav.channelData[0]! };
}

/**
 * The file followed by `padSeconds` of silence, written to a temp WAV: the fake microphone loops its file, and
 * the silence lets the last utterance end (endpoint) before the loop starts again. Written at 48 kHz with our
 * band-limited resampler, Chromium's capture rate, so the browser does not resample it again on the way in.
 */
export function paddedWav(src: MonoAudio, padSeconds: number, dir: string, rate = 48_000): string {
  const up = resample(src.samples, src.rate, rate);
  const out = new Float32Array(up.length + Math.round(rate * padSeconds));
  out.set(up);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'mic.wav');
  writeFileSync(path, encodeWav(out, rate));
  return path;
}

/** Ms from the file start to the first 20 ms window whose RMS passes -35 dBFS: where speech begins. */
export function speechOnsetMs(pcm: MonoAudio): number {
  const win = Math.round(pcm.rate / 50);
  for (let i = 0; i + win <= pcm.samples.length; i += win) {
    let sum = 0;
    for (let j = i; j < i + win; j++) sum += pcm.samples[j]! ** 2;
    if (Math.sqrt(sum / win) > 10 ** (-35 / 20)) return (i * 1000) / pcm.rate;
  }
  throw new Error('no speech found in the file');
}

/** Word error rate of word lists `hyp` against `ref`. */
export function wordErrorRate(ref: string[], hyp: string[]): number {
  return ref.length ? editCounts(ref, hyp).errors / ref.length : hyp.length ? 1 : 0;
}

/**
 * How many words pocketsphinx itself changes in its transcript of `audio` when the audio is moved by an
 * imperceptible amount (16 phases across one 10 ms frame, or noise at 1/10 of an LSB): its 10 ms frames and
 * running cepstral mean make it chaotic at that scale. Audio that reaches the server through a browser (another
 * frame phase, two resamplings) cannot be held closer to `earshot transcribe` than the engine holds to itself,
 * so the variants include that round trip too. The spread is measured, not assumed: a broken capture path
 * (wrong rate, lost or repeated blocks) changes far more words than any of these.
 */
/**
 * Chromium resamples with its own filter at a phase we cannot reproduce, so its capture can sit a little outside
 * the cloud our resampler makes: measured in CI, 7 words apart on a 14-word utterance whose cloud was 6 wide. A broken
 * capture path (wrong rate, lost or repeated blocks) differs in nearly every word, far beyond this.
 */
const CHROMIUM_RESAMPLER_MARGIN = 2;

export async function engineSelfSpread(audio: MonoAudio, reference: string): Promise<number> {
  const engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false });
  try {
    await engine.ready;
    // Frame phases across one whole 10 ms frame (160 samples at 16 kHz), evenly: pocketsphinx's transcript changes
    // with the phase, and a capture starts at any of them. (Offsets that are multiples of 80 only ever reach three
    // phases: CI once met a capture at phase ~90 whose transcript lay outside that narrower cloud.)
    const frame = Math.round(audio.rate / 100);
    const variants: Float32Array[] = [];
    for (let k = 1; k < frame; k += Math.max(1, Math.round(frame / 16))) variants.push(audio.samples.subarray(k));
    const rand = rng(1);
    variants.push(Float32Array.from(audio.samples, (v) => v + (rand() - 0.5) * 2e-5));
    // What the browser path does to the audio: played and captured at 48 kHz, sent on at the file's rate
    // (two resamplings), starting at an arbitrary 10 ms frame phase; and a level 1 dB off.
    const roundTrip = resample(resample(audio.samples, audio.rate, 48_000), 48_000, audio.rate);
    for (const k of [0, 53, 317, 611, 997, 1409]) variants.push(roundTrip.subarray(k));
    for (const gain of [0.89, 1.12]) variants.push(Float32Array.from(audio.samples, (v) => v * gain));
    // The spread is the diameter of the cloud of transcripts: the most words any two of them differ by,
    // the unperturbed one (`reference`) included. The browser's capture is one more member of that cloud.
    const transcripts: string[][] = [normWords(reference)];
    for (const samples of variants) {
      const stream = engine.asr({ backend: 'pocketsphinx' }).createStream({ sampleRate: audio.rate });
      const finals: string[] = [];
      stream.on('final', (f) => finals.push(f.text));
      for (let o = 0; o < samples.length; o += audio.rate / 10) stream.write(samples.subarray(o, o + audio.rate / 10));
      await stream.close();
      transcripts.push(normWords(finals.join(' ')));
    }
    let spread = 0;
    for (const a of transcripts) for (const b of transcripts) spread = Math.max(spread, editCounts(a, b).errors);
    return spread + CHROMIUM_RESAMPLER_MARGIN;
  } finally {
    await engine.close();
  }
}
