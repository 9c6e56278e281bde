// Idle inference workers are replaced by fresh ones, so that the memory they grew goes back to the OS.
//
// Why: a worker thread's native allocations (a pocketsphinx decoder per stream, ONNX Runtime's CPU arena and
// tensors, resampler and queue buffers) live in glibc's per-thread malloc arenas. After a load peak, the
// streams' memory is freed but the arenas stay fragmented (a few used chunks pin whole regions) and ONNX
// Runtime keeps its arena for reuse, so malloc_trim alone gives little back (the soak measured 1.5–3× the
// start RSS after every client had left). Ending the thread frees everything it allocated; a trim then returns
// it. So when a worker has carried work and then had none for `idleMs`, a fresh worker is started (eagerly,
// so the next stream does not wait for a model load), it takes over, and the old one is stopped.
//
// No stream is ever dropped: work is counted per worker (`acquire`/release); while the fresh worker loads,
// new work still goes to the old one; once swapped, an old worker that still has work is stopped only when
// its last piece of work is released.
//
// The same place replaces a worker that died (a crash, an out-of-memory abort): without that, one bad moment left
// the backend failing every request until the app restarted. The dead worker's work has already failed with the
// reason (its streams get the worker's error); a fresh worker is started at once, whatever `idleMs`.
import { returnFreedMemory } from './native-memory.js';

/** Default idle time before a worker that has done work is replaced (ms); EARSHOT_WORKER_RECYCLE_MS overrides. */
export const DEFAULT_RECYCLE_IDLE_MS = 5000;

/** The idle time in effect: `EARSHOT_WORKER_RECYCLE_MS` (0 turns recycling off), else the default. */
export function recycleIdleMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.EARSHOT_WORKER_RECYCLE_MS;
  if (raw === undefined || raw === '') return DEFAULT_RECYCLE_IDLE_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`EARSHOT_WORKER_RECYCLE_MS must be a number of ms ≥ 0 (got "${raw}")`);
  return ms;
}

export interface WorkerRecyclerOptions<W> {
  /** Replace a worker after it has had no work for this long (ms); 0: never replace. */
  idleMs: number;
  /** Start and load a fresh worker (rejects when it cannot: the current one is then kept). */
  start: () => Promise<W>;
  /** Stop a worker for good (its work is all released). */
  stop: (worker: W) => Promise<void>;
  /** A fresh worker took over from `old` (generation counts the swaps). */
  onSwap?: (fresh: W, old: W, generation: number) => void;
  /** Calls `died` when `worker` dies (for each worker the recycler holds: the first and every fresh one). */
  watch?: (worker: W, died: () => void) => void;
}

export class WorkerRecycler<W> {
  private worker: W;
  private gen = 0;
  /** Work in progress per worker (streams open, calls pending). */
  private readonly busy = new Map<W, number>();
  /** Workers replaced while still busy: stopped when their last work is released. */
  private readonly retiring = new Set<W>();
  /** Whether the current worker has carried any work since it started (a fresh, unused one is never replaced). */
  private used = false;
  private timer: NodeJS.Timeout | null = null;
  private swapping: Promise<void> | null = null;
  private closed = false;
  /** Workers that died: a dead current worker is replaced as soon as a fresh one can start. */
  private readonly dead = new Set<W>();

  constructor(
    first: W,
    private readonly opts: WorkerRecyclerOptions<W>,
  ) {
    this.worker = first;
    this.busy.set(first, 0);
    this.watch(first);
  }

  /** The worker new work goes to. */
  get current(): W {
    return this.worker;
  }

  /** How many times a fresh worker has taken over. */
  get generation(): number {
    return this.gen;
  }

  /** Every worker still running: the current one and those retiring. */
  get all(): W[] {
    return [this.worker, ...this.retiring];
  }

  /**
   * Begin a piece of work on the current worker; call `release` (once) when it is over. `grows`: whether the
   * work leaves memory behind (a stream, a decode) and so makes the worker worth replacing; a status call does not.
   */
  acquire(grows = true): { worker: W; release: () => void } {
    // A dead worker whose replacement could not start: try again now. This work still goes to the dead worker and
    // fails at once with its reason (the caller's error says why); the next finds the fresh one.
    if (this.dead.has(this.worker)) this.replaceDead();
    const worker = this.worker;
    this.busy.set(worker, (this.busy.get(worker) ?? 0) + 1);
    if (grows) this.used = true;
    this.cancelTimer();
    let released = false;
    return {
      worker,
      release: () => {
        if (released) return;
        released = true;
        this.onRelease(worker);
      },
    };
  }

  /** Replace the current worker now if it has done work and has none (what the idle timer does); for tests. */
  async recycleNow(): Promise<boolean> {
    if (this.swapping) await this.swapping;
    if (!this.idle()) return false;
    const before = this.gen;
    await (this.swapping = this.swap().finally(() => (this.swapping = null)));
    return this.gen !== before;
  }

  /** No more swaps; returns every worker still running (the caller closes their work and stops them). */
  async close(): Promise<W[]> {
    this.closed = true;
    this.cancelTimer();
    await this.swapping;
    return this.all;
  }

  /**
   * `worker` died; its work has failed with the reason. A retiring worker is just forgotten; a dead current one is
   * replaced now. Until the fresh one has loaded, new work goes to the dead one and fails fast with the reason.
   */
  private lost(worker: W): void {
    if (this.closed) return;
    this.busy.delete(worker);
    if (this.retiring.delete(worker) || worker !== this.worker) return;
    this.dead.add(worker);
    this.cancelTimer();
    this.replaceDead();
  }

  private replaceDead(): void {
    if (this.swapping || this.closed) return;
    this.swapping = this.swap().finally(() => (this.swapping = null));
  }

  private watch(worker: W): void {
    this.opts.watch?.(worker, () => this.lost(worker));
  }

  private idle(): boolean {
    return !this.closed && this.used && !this.dead.has(this.worker) && (this.busy.get(this.worker) ?? 0) === 0;
  }

  private onRelease(worker: W): void {
    if (!this.busy.has(worker)) return; // a dead worker already forgotten
    const n = (this.busy.get(worker) ?? 1) - 1;
    this.busy.set(worker, n);
    if (n > 0) return;
    if (this.retiring.has(worker)) {
      this.retiring.delete(worker);
      this.busy.delete(worker);
      void this.stopAndTrim(worker);
    } else if (worker === this.worker && this.idle() && this.opts.idleMs > 0) {
      this.cancelTimer();
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.idle() && !this.swapping) this.swapping = this.swap().finally(() => (this.swapping = null));
      }, this.opts.idleMs);
      this.timer.unref();
    }
  }

  private async swap(): Promise<void> {
    let fresh: W;
    try {
      fresh = await this.opts.start();
    } catch {
      // Could not start one (out of memory, model gone): keep the worker we have; try again after its next work.
      this.used = false;
      return;
    }
    if (this.closed) {
      await this.opts.stop(fresh).catch(() => {});
      return;
    }
    const old = this.worker;
    this.worker = fresh;
    this.busy.set(fresh, 0);
    this.used = false;
    this.gen++;
    this.watch(fresh);
    this.opts.onSwap?.(fresh, old, this.gen);
    if (this.dead.delete(old)) {
      this.busy.delete(old); // its work failed when it died; what was acquired since fails on its own
      await this.stopAndTrim(old);
    } else if ((this.busy.get(old) ?? 0) > 0) {
      this.retiring.add(old); // work arrived while the fresh one loaded: it finishes there
    } else {
      this.busy.delete(old);
      await this.stopAndTrim(old);
    }
  }

  private async stopAndTrim(worker: W): Promise<void> {
    await this.opts.stop(worker).catch(() => {});
    returnFreedMemory();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
