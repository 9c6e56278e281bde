// Everything a graceful stop must finish or cut, on every transport: live ASR streams (WebSocket, gRPC), TTS
// streams, REST requests in progress (file transcriptions, TTS bodies) and gRPC unary work. Each registers here
// while it runs; RunningServer.close() asks all of them to finish, waits a bounded time, and cuts whatever is
// still running with a clear "server shutting down" error — all before the store and the engine close, so a
// final produced during the stop is delivered and stored.
import { CodedError } from '../errors.js';

/** One piece of work in progress, as a stop sees it. */
export interface StoppableWork {
  /**
   * Finish now, gracefully: a live ASR stream ends its utterance in progress (the final goes to the client and
   * the store) and ends the stream cleanly; a request keeps running to its natural end. Must not throw.
   */
  finish(): void | Promise<void>;
  /**
   * Out of time: stop at once, telling the client why (`message`). The work removes itself when done. Must
   * not throw, and must not wait for the engine.
   */
  cut(message: string): void;
}

export interface StopReport {
  /** Work that ended by itself or by finish() within the grace period. */
  finished: number;
  /** Work still running at the deadline, cut. */
  cut: number;
}

/** A stop-time error: code `unavailable` (HTTP 503, gRPC UNAVAILABLE, WS close 1001 with the message). */
export class ShuttingDownError extends CodedError {
  readonly code = 'unavailable';
  constructor(message: string) {
    super('unavailable', message);
    this.name = 'ShuttingDownError';
  }
}

export class WorkInProgress {
  private readonly items = new Set<StoppableWork>();
  private stopping = false;
  private onEmpty: (() => void) | null = null;
  /** Work the current stop has dealt with (present at its start or added since). */
  private stopTotal = 0;

  /** True once stop() has begun: new work is refused by the transports. */
  get isStopping(): boolean {
    return this.stopping;
  }

  get size(): number {
    return this.items.size;
  }

  /** Register running work; returns its removal (idempotent). Work added during a stop is finished at once. */
  add(item: StoppableWork): () => void {
    this.items.add(item);
    if (this.stopping) this.stopTotal++;
    // Asked after add() has returned, so the work holds its removal function when finish() runs.
    if (this.stopping) queueMicrotask(() => askToFinish(item));
    return () => {
      if (!this.items.delete(item)) return;
      if (this.items.size === 0) this.onEmpty?.();
    };
  }

  /**
   * Ask every piece of work to finish; whatever has not removed itself after `graceMs` is cut. Resolves once
   * everything has ended or been cut (cut work may still be unwinding; it no longer touches the store).
   */
  async stop(graceMs: number): Promise<StopReport> {
    this.stopping = true;
    this.stopTotal = this.items.size;
    for (const item of [...this.items]) askToFinish(item);
    if (this.items.size) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, graceMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.onEmpty = done;
      });
      this.onEmpty = null;
    }
    const late = [...this.items];
    for (const item of late) {
      this.items.delete(item);
      try {
        item.cut(`the server is shutting down and this work did not finish within ${graceMs} ms`);
      } catch {
        // cut() must not throw; a buggy one must not stop the others from being cut.
      }
    }
    return { finished: this.stopTotal - late.length, cut: late.length };
  }
}

/** finish() must not throw; a buggy one (sync or async) must not stop the stop. */
function askToFinish(item: StoppableWork): void {
  try {
    void Promise.resolve(item.finish()).catch(() => undefined);
  } catch {
    // The item stays registered and is cut at the deadline.
  }
}

/**
 * Streams that only know how to shut down (the cloud-protocol sockets, api/compat): each entry joins the stop
 * through its `shutdown()`, which both finishes and (at the deadline) cuts it. Set-like, for their add/delete.
 */
export class ShutdownSet {
  private readonly removals = new Map<{ shutdown(): Promise<void> | void }, () => void>();
  constructor(private readonly work: WorkInProgress) {}

  add(entry: { shutdown(): Promise<void> | void }): this {
    this.removals.set(
      entry,
      this.work.add({ finish: () => entry.shutdown(), cut: () => void Promise.resolve(entry.shutdown()).catch(() => undefined) }),
    );
    return this;
  }

  delete(entry: { shutdown(): Promise<void> | void }): boolean {
    const remove = this.removals.get(entry);
    this.removals.delete(entry);
    remove?.();
    return remove !== undefined;
  }
}
