// Model installs started through the API (`POST /v1/models/:id/pull`): one download per catalog model at a
// time (a second request joins it), progress kept as a small record per model that clients poll with
// `GET /v1/models/:id/pull`. The downloading itself (Range resume, sha256) is the engine's downloader; this
// only tracks state, bounds how many run at once, and aborts them when the server closes.
import { CodedError } from '../errors.js';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { catalogModel, downloadDir, type CatalogModel } from '../engine/index.js';
import { pullModel, verifyModel } from '../engine/index.js';
import { importModel, type ImportResult } from '../engine/index.js';

export type PullState = 'downloading' | 'verifying' | 'done' | 'error';

export interface PullProgress {
  id: string;
  state: PullState;
  /** Bytes of the model on disk so far (finished files plus the current one). */
  received: number;
  /** Bytes of the whole model, when every file's size is known (catalog or Content-Length); else null. */
  total: number | null;
  error?: string;
}

export interface ModelPullsOptions {
  /** Models folder written into (default: downloadDir(), i.e. EARSHOT_MODELS_DIR or <userData>/models). */
  into?: string;
  /** Fetch `<baseUrl>/<model dir>/<file>` instead of the upstream URLs (mirrors, tests). */
  baseUrl?: string;
  /** Downloads running at once; more is refused (default 2). */
  maxConcurrent?: number;
  /** Largest archive accepted by importUpload (default 4 GiB). */
  maxUploadBytes?: number;
}

/** An upload over the size limit. */
export class UploadTooLargeError extends CodedError {
  constructor(message: string) {
    super('too_large', message);
  }
}

export class UnknownModelError extends CodedError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class TooManyPullsError extends CodedError {
  constructor(message: string) {
    super('rate_limited', message);
  }
}

export class ModelPulls {
  private readonly pulls = new Map<string, PullProgress>();
  private readonly running = new Map<string, AbortController>();
  private readonly into: string;
  private readonly baseUrl: string | undefined;
  private readonly maxConcurrent: number;
  private readonly maxUploadBytes: number;
  private importing = false;

  constructor(opts: ModelPullsOptions = {}) {
    this.into = opts.into ?? downloadDir();
    this.baseUrl = opts.baseUrl;
    this.maxConcurrent = opts.maxConcurrent ?? 2;
    this.maxUploadBytes = opts.maxUploadBytes ?? 4 * 1024 ** 3;
  }

  /**
   * Installs a model archive uploaded by a client (`POST /v1/models/import`): the body goes to a temp file in the
   * models dir (at most maxUploadBytes), then `importModel` identifies and verifies it before anything is
   * installed. One import at a time (TooManyPullsError otherwise). `filename` only gives the archive's type
   * and name (its base name is used; it never becomes a path).
   */
  async importUpload(body: Readable, filename: string, id?: string): Promise<ImportResult> {
    if (this.importing) throw new TooManyPullsError('a model import is already running; try again when it ends');
    this.importing = true;
    const base = basename(filename.replace(/\\/g, '/'));
    const name = /^\.{0,2}$/.test(base) ? 'upload' : base; // '', '.' and '..' would name the folder itself
    const dir = join(this.into, `.upload-${randomBytes(6).toString('hex')}`);
    try {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, name);
      let bytes = 0;
      const max = this.maxUploadBytes;
      const cap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          if (bytes > max) return cb(new UploadTooLargeError(`the upload is over the ${max}-byte limit for a model archive`));
          cb(null, chunk);
        },
      });
      await pipeline(body, cap, createWriteStream(file));
      return await importModel(file, { into: this.into, id });
    } finally {
      this.importing = false;
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The progress of the model's latest pull, or null when none was started by this server. Throws for unknown ids. */
  get(id: string): PullProgress | null {
    this.model(id);
    const p = this.pulls.get(id);
    return p ? { ...p } : null;
  }

  /** Starts a pull, or joins the one running for this model. Returns its progress now. */
  start(id: string): PullProgress {
    const model = this.model(id);
    const current = this.pulls.get(id);
    if (current && this.running.has(id)) return { ...current };
    if (this.running.size >= this.maxConcurrent) {
      throw new TooManyPullsError(
        `${this.running.size} model downloads are already running (limit ${this.maxConcurrent}); try again when one ends`,
      );
    }
    const progress: PullProgress = { id, state: 'downloading', received: 0, total: knownTotal(model) };
    this.pulls.set(id, progress);
    const abort = new AbortController();
    this.running.set(id, abort);
    void this.run(model, progress, abort.signal).finally(() => this.running.delete(id));
    return { ...progress };
  }

  /** Aborts every running pull (the .part files stay, so a later pull resumes). */
  close(): void {
    for (const a of this.running.values()) a.abort(new Error('server shutting down'));
  }

  private model(id: string): CatalogModel {
    try {
      return catalogModel(id);
    } catch (err) {
      throw new UnknownModelError((err as Error).message);
    }
  }

  private async run(model: CatalogModel, progress: PullProgress, signal: AbortSignal): Promise<void> {
    // Bytes of the files already finished; the downloader reports per file.
    const doneBytes = new Map<string, number>();
    const fileTotals = new Map<string, number | null>();
    try {
      const dir = await pullModel(model, {
        into: this.into,
        baseUrl: this.baseUrl,
        signal,
        onProgress: (p) => {
          fileTotals.set(p.file, p.total);
          const finished = [...doneBytes].reduce((a, [f, n]) => (f === p.file ? a : a + n), 0);
          doneBytes.set(p.file, p.received);
          progress.received = finished + p.received;
          if (progress.total === null && model.files.every((f) => f.size != null || fileTotals.get(f.path) != null)) {
            progress.total = model.files.reduce((a, f) => a + (f.size ?? fileTotals.get(f.path) ?? 0), 0);
          }
          // The downloader hashes a file once all of its bytes are in.
          progress.state = p.total !== null && p.received >= p.total ? 'verifying' : 'downloading';
        },
      });
      progress.state = 'verifying';
      const bad = (await verifyModel(model, join(dir))).filter((r) => r.status === 'missing' || r.status === 'mismatch');
      if (bad.length) throw new Error(bad.map((r) => `${r.file}: ${r.status}${r.detail ? ` (${r.detail})` : ''}`).join('; '));
      progress.total ??= progress.received;
      progress.received = progress.total;
      progress.state = 'done';
    } catch (err) {
      progress.state = 'error';
      progress.error = signal.aborted ? 'download stopped: the server is shutting down' : err instanceof Error ? err.message : String(err);
    }
  }
}

function knownTotal(model: CatalogModel): number | null {
  return model.files.every((f) => f.size != null) ? model.files.reduce((a, f) => a + f.size!, 0) : null;
}
