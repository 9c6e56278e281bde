// The place for a backend's batch worker (file transcriptions, in a thread niced to BATCH_NICE): started at the
// first batch stream, stopped a while after the last, so a model's second copy is held only while files run.
// Both the pocketsphinx and the sherpa engines keep theirs here.

/** What the slot needs of a worker: its open streams, a way to stop it, and whether it died. */
export interface BatchWorkerLike {
  readonly streams: { readonly size: number };
  readonly rpc: { terminate(): Promise<unknown>; readonly dead: Error | null };
}

export class BatchWorkerSlot<W extends BatchWorkerLike> {
  private current: W | null = null;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    /** Start a worker (its load queues ahead of the stream's messages). */
    private readonly start: () => W,
    /** How long the worker outlives its last stream (ms). */
    private readonly idleMs: number,
  ) {}

  /**
   * The running batch worker, or a fresh one, and `release` to call when the stream on it ends (the same shape as
   * WorkerRecycler.acquire, so an engine takes either one the same way).
   */
  acquire(): { worker: W; release: () => void } {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    // A worker that died (a crash) is not reused: its streams have failed with the reason, and this one gets a
    // fresh worker instead of failing too (the dead one's thread is already gone).
    if (this.current?.rpc.dead) this.current = null;
    const worker = (this.current ??= this.start());
    return { worker, release: () => this.ended(worker) };
  }

  /** A stream on `w` ended: once it has none, it stops idleMs later (unless a stream comes first). */
  private ended(w: W): void {
    if (this.current !== w || w.streams.size > 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.current !== w || w.streams.size > 0) return;
      this.current = null;
      void w.rpc.terminate().catch(() => {});
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /** The running worker, if any (its streams are the engine's too). */
  get worker(): W | null {
    return this.current;
  }

  /** Engine close: the worker (if any) is the caller's to close; the slot is empty and its timer stopped. */
  take(): W | null {
    clearTimeout(this.idleTimer);
    const w = this.current;
    this.current = null;
    return w;
  }
}
