// Inference workers seen from a test: crashing one as a real crash would, and waiting for its replacement.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';

/** What the engines report about their workers (tests, diagnostics). */
export interface WorkerGenerations {
  workerGenerations(): { threadId: number; generation: number }[];
}

/**
 * Make `thread` exit by itself, unasked by its engine, as a crash ends it; resolves once it has. It is the stop
 * message of worker-host.ts, posted behind the engine's back: ending the thread from outside while a sherpa async
 * call runs would abort the test process itself.
 */
export function crashWorker(thread: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  thread.ref(); // an idle voice's worker is unref'd
  thread.postMessage({ kind: 'stop' });
  return exited;
}

/** The engine's first worker once its generation has passed `generation`; fails after `withinMs`. */
export async function nextWorkerGeneration(
  engine: WorkerGenerations,
  generation: number,
  withinMs = 10_000,
): Promise<{ threadId: number; generation: number }> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(50)) {
    const now = engine.workerGenerations()[0]!;
    if (now.generation > generation) return now;
  }
  assert.fail(`no fresh worker within ${withinMs / 1000} s (still generation ${generation})`);
}
