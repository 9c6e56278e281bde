// The order in which a worker decodes the audio its streams have queued, so that live streams stay real-time
// whatever else is queued: a burst (a client sending minutes of audio at once), a file transcription, or
// many streams at once.
//
// Each queued piece of audio gets a deadline from its stream's virtual clock (Zhang's "Virtual Clock"):
// a chunk of d ms arriving at time t is due at max(clock, t) + d, and the clock moves there. Audio sent at
// real-time pace is due about when it arrives; audio sent faster than real time is due in the future, one
// chunk duration after the previous one, so a 115 s burst is due over the next 115 s instead of all now.
// Work is then taken in two classes:
//   1. live audio that is due (deadline within `slackMs` of now), the stream served least recently first:
//      every due stream gets its turn, so even when the worker falls behind (more load than it can take, or
//      a burst whose early audio is due too) each live stream gets an equal share, none waits on another's
//      backlog;
//   2. everything else — audio ahead of real time, and batch streams (file transcriptions) — earliest
//      deadline first, only when no class-1 work is waiting (idle capacity).
// Admission (`capacity`) keeps class 1 within what the worker can do, so class 2 always gets the rest.

/** A stream's virtual clock: when its audio is due, in the worker's wall-clock ms. */
export class VirtualClock {
  private clock = Number.NEGATIVE_INFINITY;

  /** Audio of `durationMs` arrived at `arrivalMs`: returns when its start and end are due. */
  stamp(arrivalMs: number, durationMs: number): { startMs: number; endMs: number } {
    const startMs = Math.max(this.clock, arrivalMs);
    this.clock = startMs + durationMs;
    return { startMs, endMs: this.clock };
  }

  /** How far this stream's audio runs ahead of real time (ms; 0 when it is not ahead). */
  leadMs(nowMs: number): number {
    return Math.max(0, this.clock - nowMs);
  }
}

export interface QueuedWork {
  /** When this piece of audio is due (wall-clock ms, see VirtualClock). */
  deadlineMs: number;
  /** Batch work (file transcription): only ever decoded in idle capacity. */
  batch: boolean;
  /** When this stream's previous piece was decoded (wall-clock ms; -Infinity when never). */
  servedAtMs: number;
}

/** Live audio is "due" this long before its deadline: covers client chunk sizes and timer jitter. */
export const DUE_SLACK_MS = 500;

/**
 * The candidate to serve next, or null when none has work. `head` returns a candidate's next queued piece
 * (null when it has none).
 */
export function pickNext<T>(candidates: Iterable<T>, head: (c: T) => QueuedWork | null, nowMs: number, slackMs = DUE_SLACK_MS): T | null {
  let best: T | null = null;
  let bestClass = 3;
  let bestKey = Number.POSITIVE_INFINITY;
  let bestDeadline = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const w = head(c);
    if (!w) continue;
    const cls = !w.batch && w.deadlineMs <= nowMs + slackMs ? 1 : 2;
    // Class 1: least recently served (ties: earliest deadline); class 2: earliest deadline.
    const key = cls === 1 ? w.servedAtMs : w.deadlineMs;
    if (cls < bestClass || (cls === bestClass && (key < bestKey || (key === bestKey && w.deadlineMs < bestDeadline)))) {
      best = c;
      bestClass = cls;
      bestKey = key;
      bestDeadline = w.deadlineMs;
    }
  }
  return best;
}
