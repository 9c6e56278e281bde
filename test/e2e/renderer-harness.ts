// Harness for the renderer's end-to-end tests: a fresh renderer build, a real `earshot serve` child on free
// ports with a temp data dir, and Debian Chromium driven by playwright-core with a WAV file as the microphone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { appRoot } from '../../src-main/core/paths.js';

export const SCREENSHOTS = join(appRoot, 'test-artifacts', 'screenshots');
const OUT = join(appRoot, 'out', 'renderer');
const CLI = join(appRoot, 'bin', 'earshot.mjs');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Builds out/renderer when it is missing or older than any renderer source (or the wire schemas). */
export function ensureRendererBuilt(): void {
  let built = 0;
  try {
    built = statSync(join(OUT, 'index.html')).mtimeMs;
  } catch {
    /* missing */
  }
  const sources = Math.max(newestMtime(join(appRoot, 'src-renderer')), statSync(join(appRoot, 'proto', 'ws-messages.ts')).mtimeMs);
  if (built > sources) return;
  const r = spawnSync(process.execPath, [join(appRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: appRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`renderer build failed:\n${r.stdout}\n${r.stderr}`);
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

/** `earshot serve` with pocketsphinx + espeak on free ports and a temp EARSHOT_DATA_DIR; resolves when /readyz is 200. */
export async function startServe(): Promise<ServeHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-e2e-'));
  const [asr, tts] = [await freePort(), await freePort()];
  const env = { ...process.env, EARSHOT_DATA_DIR: dataDir };
  const base = `http://127.0.0.1:${asr}`;
  let out = '';
  let child: ChildProcess;

  async function launch(): Promise<void> {
    child = spawn(
      process.execPath,
      [CLI, 'serve', '--engine', 'pocketsphinx', '--port-asr', String(asr), '--port-tts', String(tts), '--no-grpc'],
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

export interface Pcm16 {
  rate: number;
  samples: Int16Array;
}

/** Minimal reader for the shared 16-bit mono WAVs. */
export function readWav16(path: string): Pcm16 {
  const buf = readFileSync(path);
  let off = 12;
  let rate = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') rate = buf.readUInt32LE(off + 12);
    if (id === 'data') {
      const data = buf.subarray(off + 8, off + 8 + size);
      return { rate, samples: new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)) };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`no data chunk in ${path}`);
}

/** The file followed by `padSeconds` of silence, written to a temp WAV: the fake microphone loops its file,
 *  and the silence lets the last utterance end (endpoint) before the loop starts again. */
export function paddedWav(src: Pcm16, padSeconds: number, dir: string): string {
  const pad = Math.round(src.rate * padSeconds);
  const n = src.samples.length + pad;
  const out = Buffer.alloc(44 + n * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + n * 2, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(src.rate, 24);
  out.writeUInt32LE(src.rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(n * 2, 40);
  Buffer.from(src.samples.buffer, src.samples.byteOffset, src.samples.byteLength).copy(out, 44);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'mic.wav');
  writeFileSync(path, out);
  return path;
}

/** Ms from the file start to the first 20 ms window whose RMS passes -35 dBFS: where speech begins. */
export function speechOnsetMs(pcm: Pcm16): number {
  const win = Math.round(pcm.rate / 50);
  for (let i = 0; i + win <= pcm.samples.length; i += win) {
    let sum = 0;
    for (let j = i; j < i + win; j++) sum += (pcm.samples[j] / 32768) ** 2;
    if (Math.sqrt(sum / win) > 10 ** (-35 / 20)) return (i * 1000) / pcm.rate;
  }
  throw new Error('no speech found in the file');
}

/** Upper-case words without punctuation (apostrophes kept), as LibriSpeech references are written. */
export function normWords(text: string): string[] {
  return text
    .toUpperCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Word error rate of `hyp` against `ref` (edit distance / ref length). */
export function wordErrorRate(ref: string[], hyp: string[]): number {
  const d = Array.from({ length: ref.length + 1 }, (_, i) => [i, ...new Array<number>(hyp.length).fill(0)]);
  for (let j = 1; j <= hyp.length; j++) d[0][j] = j;
  for (let i = 1; i <= ref.length; i++)
    for (let j = 1; j <= hyp.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
  return ref.length ? d[ref.length][hyp.length] / ref.length : hyp.length ? 1 : 0;
}
