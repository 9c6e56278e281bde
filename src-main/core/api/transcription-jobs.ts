// File transcription as jobs (docs/PROTOCOL.md "File transcription jobs"): the app uploads a file, gets a job id
// at once, and follows the server's own progress (audio decoded over the file's length, time left) until the
// transcript is a stored session titled from the file name. A client that goes away does not stop a job; a
// cancel does (the decode stops within the two pieces queued in the worker, and the partial session is removed).
//
// Bounded: each file is at most `limits.maxUploadBytes` (the route's body limit), at most `maxJobs` jobs are
// queued or running at once (beyond that 429 rate_limited), jobs run one at a time here (and within the
// admission's batch slots, shared with POST /v1/audio/transcriptions), and finished jobs are kept for
// `keepFinishedMs` and at most `maxFinished` of them, so a job's last state can be read after it ends.
import { randomUUID } from 'node:crypto';
import type { TranscriptionJob as TranscriptionJobJson } from '../../../proto/transcription-jobs.js';
import { OverloadedError } from '../sessions/index.js';
import { titleFromFileName } from '../store/index.js';
import type { ApiContext } from './context.js';
import { transcribeBuffer } from './one-shot/transcribe-buffer.js';
import { toRestError } from './http/rest-errors.js';
import { ShuttingDownError } from './work-in-progress.js';

export interface TranscriptionJobsOptions {
  /** Jobs queued or running at once. Default 4. */
  maxJobs?: number;
  /** Finished jobs kept for reading their result. Default 32. */
  maxFinished?: number;
  /** How long a finished job stays readable (ms). Default 10 min. */
  keepFinishedMs?: number;
  /** Wait before trying again when every batch slot is taken by other file transcriptions (ms). Default 1000. */
  retryMs?: number;
}

export interface NewJob {
  filename: string;
  audio: Uint8Array;
  language?: string;
  model?: string;
}

/** Refused because the queue is full (the route answers 429). */
export class JobQueueFullError extends Error {}

interface Job {
  id: string;
  filename: string;
  title: string;
  audio: Uint8Array | null;
  bytes: number;
  language?: string;
  model?: string;
  createdAt: number;
  state: TranscriptionJobJson['state'];
  startedAt: number | null;
  finishedAt: number | null;
  decodedMs: number;
  totalMs: number | null;
  sessionId: string | null;
  segments: number;
  texts: string[];
  error: { code: string; message: string } | null;
  cancel: AbortController;
}

/** Why a job stopped when the user cancelled it. */
class CancelledByUser extends Error {}

export class TranscriptionJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running: Job | null = null;
  private closed = false;
  private readonly maxJobs: number;
  private readonly maxFinished: number;
  private readonly keepFinishedMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly ctx: ApiContext,
    opts: TranscriptionJobsOptions = {},
  ) {
    this.maxJobs = opts.maxJobs ?? 4;
    this.maxFinished = opts.maxFinished ?? 32;
    this.keepFinishedMs = opts.keepFinishedMs ?? 10 * 60_000;
    this.retryMs = opts.retryMs ?? 1000;
  }

  /** Queue a file. Throws JobQueueFullError when `maxJobs` are queued or running, ShuttingDownError after close(). */
  create(input: NewJob): TranscriptionJobJson {
    if (this.closed) throw new ShuttingDownError('the server is shutting down; send the file again when it is back');
    const active = this.queue.length + (this.running ? 1 : 0);
    if (active >= this.maxJobs) {
      throw new JobQueueFullError(
        `${active} file transcriptions are queued or running (limit ${this.maxJobs}); wait for one to finish or cancel one`,
      );
    }
    this.prune();
    const job: Job = {
      id: randomUUID(),
      filename: input.filename.slice(0, 1000),
      title: titleFromFileName(input.filename),
      audio: input.audio,
      bytes: input.audio.byteLength,
      language: input.language,
      model: input.model,
      createdAt: Date.now(),
      state: 'queued',
      startedAt: null,
      finishedAt: null,
      decodedMs: 0,
      totalMs: null,
      sessionId: null,
      segments: 0,
      texts: [],
      error: null,
      cancel: new AbortController(),
    };
    this.jobs.set(job.id, job);
    this.queue.push(job);
    void this.next();
    return this.json(job);
  }

  get(id: string): TranscriptionJobJson | null {
    this.prune();
    const job = this.jobs.get(id);
    return job ? this.json(job) : null;
  }

  list(): TranscriptionJobJson[] {
    this.prune();
    return [...this.jobs.values()].map((j) => this.json(j));
  }

  /** Cancel a queued or running job; a finished one is left as it is. Returns null for an unknown id. */
  cancel(id: string): TranscriptionJobJson | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    if (job.state === 'queued') {
      this.queue.splice(this.queue.indexOf(job), 1);
      this.finish(job, 'cancelled', { code: 'cancelled', message: 'cancelled before it started' });
    } else if (job.state === 'running') {
      job.cancel.abort(new CancelledByUser('cancelled'));
    }
    return this.json(job);
  }

  /** Server stop: queued jobs end as `error`/unavailable; the running one is left to the work registry (finish or cut). */
  close(): void {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      this.finish(job, 'error', { code: 'unavailable', message: 'the server stopped before this file was transcribed; send it again' });
    }
  }

  private async next(): Promise<void> {
    if (this.running || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    try {
      await this.run(job);
    } finally {
      this.running = null;
      void this.next();
    }
  }

  private async run(job: Job): Promise<void> {
    job.state = 'running';
    job.startedAt = Date.now();
    const unregister = this.ctx.work.add({
      finish: () => undefined,
      cut: (message) => job.cancel.abort(new ShuttingDownError(`${message}; the file transcription was stopped — send it again`)),
    });
    try {
      for (;;) {
        try {
          await transcribeBuffer(
            this.ctx,
            job.audio!,
            {
              session: this.ctx.store ? 'new' : 'none',
              source: 'file',
              ...(job.language ? { language: job.language } : {}),
              ...(job.model ? { model: job.model } : {}),
            },
            {
              signal: job.cancel.signal,
              title: job.title,
              onStarted: (id) => (job.sessionId = id),
              onSegment: (seg) => {
                job.segments++;
                job.texts.push(seg.text);
              },
              onProgress: (p) => {
                job.decodedMs = p.decodedMs;
                job.totalMs = p.totalMs;
              },
            },
          );
          break;
        } catch (err) {
          // Every batch slot is busy with other uploads: wait our turn rather than fail the user's file.
          if (!(err instanceof OverloadedError) || job.cancel.signal.aborted) throw err;
          await new Promise((r) => setTimeout(r, this.retryMs));
          job.cancel.signal.throwIfAborted();
        }
      }
      this.finish(job, 'done', null);
    } catch (err) {
      if (err instanceof CancelledByUser) {
        // The user asked for nothing to be kept: the part transcribed so far goes too.
        if (job.sessionId && this.ctx.store) {
          try {
            this.ctx.store.deleteSession(job.sessionId);
          } catch {
            /* already gone */
          }
        }
        job.sessionId = null;
        this.finish(job, 'cancelled', { code: 'cancelled', message: 'cancelled' });
      } else {
        const e = toRestError(err);
        if (e.status >= 500 && !(err instanceof ShuttingDownError))
          this.ctx.logger.error({ err, job: job.id }, 'file transcription job failed');
        this.finish(job, 'error', { code: e.code, message: e.message });
      }
    } finally {
      unregister();
    }
  }

  private finish(job: Job, state: 'done' | 'error' | 'cancelled', error: Job['error']): void {
    job.state = state;
    job.error = error;
    job.finishedAt = Date.now();
    job.audio = null; // the upload is not held once the job is over
    if (state === 'done' && job.totalMs !== null) job.decodedMs = job.totalMs;
  }

  /** Drops finished jobs past their keeping time, and the oldest beyond `maxFinished`. */
  private prune(): void {
    const now = Date.now();
    const finished = [...this.jobs.values()].filter((j) => j.finishedAt !== null);
    const excess = finished.length - this.maxFinished;
    finished.forEach((j, i) => {
      if (i < excess || now - j.finishedAt! > this.keepFinishedMs) this.jobs.delete(j.id);
    });
  }

  private json(job: Job): TranscriptionJobJson {
    const progress =
      job.state === 'done' ? 1 : job.totalMs && job.totalMs > 0 ? Math.min(0.999, Math.max(0, job.decodedMs / job.totalMs)) : 0;
    let etaMs: number | null = null;
    if (job.state === 'running' && job.startedAt !== null && progress >= 0.02) {
      const elapsed = Date.now() - job.startedAt;
      etaMs = Math.round((elapsed * (1 - progress)) / progress);
    } else if (job.state === 'done') etaMs = 0;
    return {
      id: job.id,
      object: 'transcription.job',
      state: job.state,
      filename: job.filename,
      bytes: job.bytes,
      created_at: new Date(job.createdAt).toISOString(),
      progress,
      decoded_ms: Math.round(job.decodedMs),
      duration_ms: job.totalMs === null ? null : Math.round(job.totalMs),
      eta_ms: etaMs,
      queue_position: job.state === 'queued' ? this.queue.indexOf(job) + (this.running ? 1 : 0) : 0,
      session_id: job.sessionId,
      segments: job.segments,
      text: job.state === 'done' ? job.texts.join(' ') : null,
      error: job.error,
    };
  }
}
