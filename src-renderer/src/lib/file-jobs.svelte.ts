// Files being transcribed by the engine (POST /v1/transcription-jobs), shared by the window-wide drop target
// (App) and the Sessions view's file panel. Progress is the server's: each job is polled until it ends.
import type { RestClient, TranscriptionJob } from './rest-client.js';

/** How often a running job is asked for its progress (ms). */
const POLL_MS = 500;

export interface FileJobEntry {
  /** Local key (the server's id is known only after the upload). */
  key: number;
  name: string;
  /** The server's job, once the upload is accepted. */
  job: TranscriptionJob | null;
  /** Upload refused, or the job could not be followed. */
  error: string | null;
}

let nextKey = 1;

export const fileJobs = $state({ entries: [] as FileJobEntry[] });

/** Listeners told when a job ends done (the Sessions list reloads). */
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a listener registry, not state the UI renders
const finished = new Set<(job: TranscriptionJob) => void>();

export function onFileJobDone(fn: (job: TranscriptionJob) => void): () => void {
  finished.add(fn);
  return () => finished.delete(fn);
}

function isOver(job: TranscriptionJob): boolean {
  return job.state === 'done' || job.state === 'error' || job.state === 'cancelled';
}

/** Upload `file` and follow its job until it ends. */
export async function transcribeFile(rest: RestClient, file: File): Promise<void> {
  fileJobs.entries.unshift({ key: nextKey++, name: file.name, job: null, error: null });
  // The proxied entry, so that updates re-render.
  const entry = fileJobs.entries[0]!;
  try {
    entry.job = await rest.createTranscriptionJob(file);
    while (!isOver(entry.job)) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      entry.job = await rest.transcriptionJob(entry.job.id);
    }
    if (entry.job.state === 'done') for (const fn of finished) fn(entry.job);
  } catch (err) {
    entry.error = (err as Error).message;
  }
}

export async function cancelFileJob(rest: RestClient, entry: FileJobEntry): Promise<void> {
  if (!entry.job || isOver(entry.job)) return;
  try {
    entry.job = await rest.cancelTranscriptionJob(entry.job.id);
  } catch (err) {
    entry.error = (err as Error).message;
  }
}

export function dismissFileJob(entry: FileJobEntry): void {
  fileJobs.entries = fileJobs.entries.filter((e) => e.key !== entry.key);
}

/** "about 1 min 20 s left" from the server's estimate. */
export function formatTimeLeft(ms: number | null): string {
  if (ms === null) return 'estimating time left…';
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `about ${s} s left`;
  const m = Math.floor(s / 60);
  return `about ${m} min ${s % 60} s left`;
}
