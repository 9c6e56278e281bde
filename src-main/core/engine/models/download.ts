// Model downloader: fetches each catalog file into `<dir>.part`, resuming with an HTTP Range request when a
// partial file exists, verifies sha256 before the file is moved into place, and reports progress.
// Files whose sha256 the catalog does not know yet get it recorded on first download (`.earshot-sha256.json`
// in the model dir) and checked against that record afterwards.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CatalogFile, CatalogModel } from './catalog.js';
import { convertPiperVoice } from './piper-voice.js';

export interface DownloadProgress {
  model: string;
  file: string;
  received: number;
  /** Bytes expected, when known. */
  total: number | null;
}

export interface PullOptions {
  /** Folder that receives `<model.dir>/...` (default: downloadDir()). */
  into: string;
  /** Serve files from `<baseUrl>/<model.dir>/<file>` instead of each file's upstream URL (mirrors, tests). */
  baseUrl?: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Largest file accepted (default 2 GiB): a limit on what a bad server can make us write. */
  maxBytes?: number;
}

const RECORD = '.earshot-sha256.json';

export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

export function fileUrl(model: CatalogModel, file: CatalogFile, baseUrl?: string): string {
  if (baseUrl) return `${baseUrl.replace(/\/+$/, '')}/${model.dir.split('/').map(encodeURIComponent).join('/')}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
  if (!file.url && model.source) {
    const s = model.source;
    throw new DownloadError(`model "${model.id}" is not a download: it comes from ${s.registry} (${s.package}==${s.version}); install it with: ${s.install}`);
  }
  if (!file.url) throw new DownloadError(`model "${model.id}" file ${file.path} has no download URL (it is a local fixture); use --base-url`);
  return file.url;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

function readRecord(dir: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(join(dir, RECORD), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** The sha256 a file must have: the catalog's, else the one recorded at first download, else null. */
export function expectedSha(modelDir: string, file: CatalogFile): string | null {
  return file.sha256 ?? readRecord(modelDir)[file.path] ?? null;
}

/** Download every file of the model that is missing or wrong. Returns the model's folder. */
export async function pullModel(model: CatalogModel, opts: PullOptions): Promise<string> {
  const modelDir = join(opts.into, model.dir);
  mkdirSync(modelDir, { recursive: true });
  for (const file of model.files) {
    const dest = join(modelDir, file.path);
    const want = expectedSha(modelDir, file);
    if (existsSync(dest) && want && (await sha256File(dest)) === want) continue;
    await downloadFile(model, file, dest, opts);
  }
  if (model.convert === 'piper') {
    const path = (role: string) => join(modelDir, model.files.find((f) => f.role === role)!.path);
    convertPiperVoice(modelDir, path('piper_model'), path('piper_config'));
  }
  return modelDir;
}

async function downloadFile(model: CatalogModel, file: CatalogFile, dest: string, opts: PullOptions): Promise<void> {
  const url = fileUrl(model, file, opts.baseUrl);
  const part = `${dest}.part`;
  mkdirSync(dirname(dest), { recursive: true });
  const maxBytes = opts.maxBytes ?? 2 * 1024 ** 3;
  let have = existsSync(part) ? statSync(part).size : 0;
  if (file.size != null && have > file.size) {
    unlinkSync(part);
    have = 0;
  }
  let res: Response;
  try {
    res = await fetch(url, { headers: have ? { Range: `bytes=${have}-` } : {}, signal: opts.signal, redirect: 'follow' });
  } catch (err) {
    throw new DownloadError(`cannot download ${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
  }
  if (res.status === 416 && file.size != null && have === file.size) {
    // The part file is already complete.
  } else if (res.status === 206 && have) {
    // Resuming.
  } else if (res.status === 200) {
    have = 0; // the server ignored the Range: start over
  } else {
    throw new DownloadError(`download of ${url} failed: HTTP ${res.status} ${res.statusText}`);
  }
  const length = Number(res.headers.get('content-length') ?? NaN);
  const offered = res.status === 416 ? null : Number.isFinite(length) ? have + length : null;
  // A server offering another size than the catalog's is serving another file: refuse it before writing a byte.
  if (file.size != null && offered != null && offered !== file.size) {
    throw new DownloadError(`${model.id}/${file.path}: the server offers ${offered} bytes but the catalog says ${file.size}; refused (wrong file or a tampered mirror)`);
  }
  const total = file.size ?? offered;
  if (total != null && total > maxBytes) throw new DownloadError(`${url} is ${total} bytes, over the ${maxBytes}-byte limit`);
  if (res.body && res.status !== 416) {
    let received = have;
    const report = () => opts.onProgress?.({ model: model.id, file: file.path, received, total });
    report();
    const counted = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    counted.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes || (file.size != null && received > file.size)) {
        counted.destroy(new DownloadError(`${model.id}/${file.path}: ${url} sent more than ${file.size ?? maxBytes} bytes${file.size != null ? ' (the catalog size)' : ''}; refused`));
        return;
      }
      report();
    });
    await pipeline(counted, createWriteStream(part, { flags: have ? 'a' : 'w' }));
  }
  const size = statSync(part).size;
  if (file.size != null && size !== file.size) throw new DownloadError(`${model.id}/${file.path}: got ${size} bytes, the catalog says ${file.size} (download interrupted? run pull again to resume)`);
  const got = await sha256File(part);
  const want = expectedSha(dirname(dest), file);
  if (want && got !== want) {
    unlinkSync(part); // corrupt: never resume from it
    throw new DownloadError(`${model.id}/${file.path}: sha256 mismatch (got ${got}, expected ${want}); the file was discarded`);
  }
  if (!want) {
    const dir = dirname(dest);
    writeFileSync(join(dir, RECORD), JSON.stringify({ ...readRecord(dir), [file.path]: got }, null, 2));
  }
  renameSync(part, dest);
}

export interface VerifyResult {
  model: string;
  file: string;
  status: 'ok' | 'missing' | 'mismatch' | 'unverified';
  detail?: string;
}

/** Check every file of the model in `modelDir` against its sha256. */
export async function verifyModel(model: CatalogModel, modelDir: string): Promise<VerifyResult[]> {
  const out: VerifyResult[] = [];
  for (const file of model.files) {
    const p = join(modelDir, file.path);
    if (!existsSync(p)) {
      out.push({ model: model.id, file: file.path, status: 'missing' });
      continue;
    }
    const want = expectedSha(modelDir, file);
    if (!want) {
      out.push({ model: model.id, file: file.path, status: 'unverified', detail: 'no sha256 known or recorded' });
      continue;
    }
    const got = await sha256File(p);
    out.push(got === want ? { model: model.id, file: file.path, status: 'ok' } : { model: model.id, file: file.path, status: 'mismatch', detail: `got ${got}, expected ${want}` });
  }
  return out;
}

/** A progress bar for stderr when it is a TTY; otherwise one line per file. */
export function progressPrinter(out: NodeJS.WriteStream = process.stderr): (p: DownloadProgress) => void {
  let lastFile = '';
  let lastDraw = 0;
  return (p) => {
    const key = `${p.model}/${p.file}`;
    const done = p.total != null && p.received >= p.total;
    if (!out.isTTY) {
      if (key !== lastFile) out.write(`downloading ${key}${p.total != null ? ` (${mb(p.total)})` : ''}\n`);
      lastFile = key;
      return;
    }
    const now = Date.now();
    if (key === lastFile && !done && now - lastDraw < 100) return;
    lastFile = key;
    lastDraw = now;
    const width = 30;
    const frac = p.total ? Math.min(1, p.received / p.total) : 0;
    const bar = p.total ? '#'.repeat(Math.round(frac * width)).padEnd(width, '.') : '?'.repeat(width);
    out.write(`\r${key} [${bar}] ${mb(p.received)}${p.total ? ` / ${mb(p.total)}` : ''}${done ? '\n' : ''}`);
  };
}

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}
