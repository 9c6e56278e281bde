// One scheduler per recognizer: collects every stream that is ready and decodes them in one batched call
// (sherpa's decodeStreams), so N live streams cost little more than one. Rounds run on setImmediate, which
// lets audio messages that arrived meanwhile join the next batch and keeps the worker responsive.
export interface BatchDecoder<T> {
  isReady(item: T): boolean;
  /** Decode one chunk of every item in the batch (all are ready). */
  decode(batch: T[]): void;
  /** Read results of a decoded item (partials, endpoints). */
  afterDecode(item: T): void;
}

export interface SchedulerStats {
  /** Batched decode calls made. */
  batches: number;
  /** Stream-chunks decoded (sum of batch sizes). */
  decoded: number;
  largestBatch: number;
}

export class BatchScheduler<T> {
  private readonly items = new Set<T>();
  private scheduled = false;
  readonly stats: SchedulerStats = { batches: 0, decoded: 0, largestBatch: 0 };

  constructor(
    private readonly decoder: BatchDecoder<T>,
    private readonly maxBatch = 32,
    private readonly defer: (fn: () => void) => void = setImmediate,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  }

  add(item: T): void {
    this.items.add(item);
  }

  delete(item: T): void {
    this.items.delete(item);
  }

  get size(): number {
    return this.items.size;
  }

  /** New audio arrived: make sure a round runs soon. */
  kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      if (this.round()) this.kick();
    });
  }

  /** Decode one batch of ready items. Returns whether anything was decoded (more may be ready). */
  round(): boolean {
    const batch: T[] = [];
    for (const item of this.items) {
      if (this.decoder.isReady(item)) batch.push(item);
      if (batch.length === this.maxBatch) break;
    }
    if (!batch.length) return false;
    this.decoder.decode(batch);
    this.stats.batches++;
    this.stats.decoded += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    for (const item of batch) this.decoder.afterDecode(item);
    return true;
  }
}
