// One scheduler per recognizer: collects every stream that is ready and decodes them in one batched call
// (sherpa's decodeStreams), so N live streams cost little more than one. Rounds run on setImmediate, which
// lets audio messages that arrived meanwhile join the next batch and keeps the worker responsive.
//
// Live first (../../realtime-order.ts has the same rule for pocketsphinx): while any stream's next chunk is
// due (`isUrgent`: live audio whose real time has come), a round decodes only those — a burst sent ahead of
// real time or a file transcription neither lengthens the round nor waits in front of it. Other work runs
// when nothing is due, at a bounded share: after such a round the worker rests as long as the round took
// (about half a core at most), so it cannot starve the main thread, TTS or the next live chunk of CPU; new
// audio ends the rest at once. While live streams are behind real time (`idleAllowed` false) such work waits
// entirely: on a starved machine every cycle goes to live audio. Decoded streams move to the back, so beyond
// maxBatch every stream takes turns.
export interface BatchDecoder<T> {
  isReady(item: T): boolean;
  /** The item's next chunk is live audio that is due now; default: every ready item is. */
  isUrgent?(item: T): boolean;
  /** Whether work that is not due may run now (false while live streams are behind real time); default true. */
  idleAllowed?(): boolean;
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
  /** Rounds of work that was not due (bursts ahead of real time, batch streams). */
  idleRounds: number;
}

/** What a round decoded: nothing, due live audio, or work that was not due ('held': such work waits). */
export type RoundKind = 'none' | 'urgent' | 'idle' | 'held';

/** While live streams are behind, work that is not due waits this long (ms) before it is looked at again. */
export const HOLD_MS = 100;

export class BatchScheduler<T> {
  private readonly items = new Set<T>();
  private scheduled = false;
  private resting: { cancel: () => void } | null = null;
  readonly stats: SchedulerStats = { batches: 0, decoded: 0, largestBatch: 0, idleRounds: 0 };

  constructor(
    private readonly decoder: BatchDecoder<T>,
    private readonly maxBatch = 32,
    private readonly defer: (fn: () => void) => void = setImmediate,
    /** Runs `fn` after `ms`; returns its cancel (the rest after a round of work that was not due). */
    private readonly later: (fn: () => void, ms: number) => { cancel: () => void } = (fn, ms) => {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    },
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

  /** New audio arrived: make sure a round runs soon (a rest after work that was not due ends now). */
  kick(): void {
    if (this.resting) {
      this.resting.cancel();
      this.resting = null;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      const t0 = performance.now();
      const kind = this.round();
      if (kind === 'urgent') this.kick();
      else if ((kind === 'idle' || kind === 'held') && !this.scheduled) {
        this.resting = this.later(
          () => {
            this.resting = null;
            this.kick();
          },
          kind === 'held' ? HOLD_MS : Math.max(1, performance.now() - t0),
        );
      }
    });
  }

  /** Decode one batch: due live items if any are, else any ready items. Returns what it decoded. */
  round(): RoundKind {
    const urgent: T[] = [];
    const other: T[] = [];
    const isUrgent = this.decoder.isUrgent;
    for (const item of this.items) {
      if (!this.decoder.isReady(item)) continue;
      if (!isUrgent || isUrgent(item)) {
        urgent.push(item);
        if (urgent.length === this.maxBatch) break;
      } else if (other.length < this.maxBatch) other.push(item);
    }
    const batch = urgent.length ? urgent : other;
    if (!batch.length) return 'none';
    if (!urgent.length && this.decoder.idleAllowed && !this.decoder.idleAllowed()) return 'held';
    this.decoder.decode(batch);
    this.stats.batches++;
    this.stats.decoded += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    if (!urgent.length) this.stats.idleRounds++;
    for (const item of batch) {
      // To the back: beyond maxBatch, streams take turns.
      if (this.items.delete(item)) this.items.add(item);
      this.decoder.afterDecode(item);
    }
    return urgent.length ? 'urgent' : 'idle';
  }
}
