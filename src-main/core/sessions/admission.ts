// Admission: a live ASR stream is admitted only while every admitted stream can stay real-time, as the
// engine measures it (AsrEngine.capacity(): a calibration decode at load, then the workers' own real-time
// factor). Over capacity the client is refused at once with the reason and when to retry — never admitted
// into a queue that makes everyone late. Batch work (file transcriptions) has its own small number of slots:
// it runs in the capacity live streams leave idle (the workers decode it last), so only a few at a time.
//
// Transport-agnostic: the WebSocket path closes 1013, gRPC answers RESOURCE_EXHAUSTED, REST 503 + Retry-After,
// each with OverloadedError's message.
import type { AsrEngine } from '../engine/index.js';
import { SessionError } from './session-error.js';
import { LAG_BOUND_MS, LiveGovernor, type GovernedStream, type GovernorOptions } from './live-governor.js';

/** Refused for lack of capacity; the client should retry after `retryAfterS`. */
export class OverloadedError extends SessionError {
  declare readonly retryAfterS: number;
  constructor(message: string, retryAfterS: number) {
    super('rate_limited', message, { retryAfterS });
    this.name = 'OverloadedError';
  }
}

export interface AdmissionOptions {
  /** Upper bound on live streams whatever the measurement says (limits.maxConcurrentStreams). */
  maxLiveStreams: number;
  /** Live streams admitted whatever the measurement says (limits.minLiveStreams; default 1). */
  minLiveStreams?: number;
  /** File transcriptions decoding at once (limits.maxBatchJobs). */
  maxBatchJobs: number;
  /** The lag-following governor's clock and probes (tests). */
  governor?: GovernorOptions;
}

/** Seconds a refused client is told to wait: about one utterance, long enough for a stream to end. */
const RETRY_AFTER_S = 5;
/**
 * An admitted live stream this far behind real time means the measurement was optimistic (other work on the
 * machine, a costlier mix of audio): no new stream is admitted until the engine catches up (live-governor.ts).
 */
export const MAX_LAG_MS = LAG_BOUND_MS;

export class Admission {
  private readonly live = new Map<AsrEngine, number>();
  private batch = 0;
  /** Follows the measured lag of admitted streams: lowers the ceiling, warns, sheds the newest. */
  readonly governor: LiveGovernor;

  constructor(private readonly opts: AdmissionOptions) {
    this.governor = new LiveGovernor(opts.governor);
  }

  /** Live streams admitted now on `asr` (a stream counts from admission, before its first audio). */
  liveOn(asr: AsrEngine): number {
    return this.live.get(asr) ?? 0;
  }

  /** File transcriptions running now. */
  get batchActive(): number {
    return this.batch;
  }

  /**
   * How many live streams `asr` admits: its measured capacity, lowered to what lag has shown it keeps real-time
   * (the governor's ceiling), within the configured floor and limit.
   */
  liveCapacity(asr: AsrEngine): number {
    return Math.max(this.floor(), Math.min(this.opts.maxLiveStreams, asr.capacity().liveStreams, this.governor.ceilingOf(asr)));
  }

  /** Live streams admitted whatever the measurements say. */
  private floor(): number {
    return Math.min(this.opts.maxLiveStreams, this.opts.minLiveStreams ?? 1);
  }

  /**
   * Admit one live stream on `asr`; returns its release (idempotent). Throws OverloadedError when full. With
   * `governed`, the stream is warned when the engine falls behind and may be shed (newest first) while it stays
   * behind; a shed stream's slot is given back by its release, as any other.
   */
  admitLive(asr: AsrEngine, governed?: GovernedStream): () => void {
    const used = this.liveOn(asr);
    const cap = this.liveCapacity(asr);
    if (used >= cap) {
      const measured = asr.capacity();
      throw new OverloadedError(
        // Most important first: a WebSocket close reason keeps only the first 123 bytes.
        `server at capacity: ${used} of ${cap} live streams on ${asr.modelId}; try again in ${RETRY_AFTER_S} s ` +
          (cap === this.governor.ceilingOf(asr) && cap < measured.liveStreams
            ? `(it keeps ${cap} real-time: lowered from ${measured.liveStreams} when admitted streams fell behind real time)`
            : `(it keeps ${cap} real-time: measured real-time factor ${measured.rtf.toFixed(3)} on ${measured.workers} worker${measured.workers === 1 ? '' : 's'})`),
        RETRY_AFTER_S,
      );
    }
    const lag = Math.max(asr.capacity().lagMs, this.governor.lagOf(asr));
    if (used >= this.floor() && lag > MAX_LAG_MS) {
      throw new OverloadedError(
        `server at capacity: ${used} live streams on ${asr.modelId} and the engine is ${Math.round(lag)} ms behind real time; try again in ${RETRY_AFTER_S} s`,
        RETRY_AFTER_S,
      );
    }
    this.live.set(asr, used + 1);
    const ungovern = governed ? this.governor.add(asr, governed, used < this.floor()) : () => undefined;
    return once(() => {
      ungovern();
      this.live.set(asr, Math.max(0, this.liveOn(asr) - 1));
    });
  }

  /** Admit one batch job (file transcription); returns its release. Throws OverloadedError when full. */
  admitBatch(): () => void {
    if (this.batch >= this.opts.maxBatchJobs) {
      throw new OverloadedError(
        `${this.batch} file transcriptions are already running (limit ${this.opts.maxBatchJobs}; they use the capacity live streams leave idle); try again in ${RETRY_AFTER_S} s`,
        RETRY_AFTER_S,
      );
    }
    this.batch++;
    return once(() => this.batch--);
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
