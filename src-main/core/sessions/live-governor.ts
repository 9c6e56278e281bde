// The live-stream governor: admission that follows the MEASURED lag of the streams it admitted, not only the
// engine's capacity estimate. The estimate (a calibration decode, the worker's busy share) sees the worker
// alone; on a small machine the main thread, TTS workers and other processes take cores from it, and nothing
// but the lag itself shows that. So, per engine, every tick:
//   - lag = how far the most delayed admitted live stream is behind real time (AsrEngine.capacity().lagMs), or
//     the main thread's event-loop delay when that is larger (audio and finals wait there too, unseen by the
//     engine's clocks);
//   - lag over LAG_BOUND_MS: a `falling_behind` warning to every live stream on that engine (at most one per
//     WARN_EVERY_MS each), and the engine's ceiling — the live streams it may hold — drops to one below the
//     streams it holds now (at most once per LOWER_EVERY_MS, so one slow decode is not a collapse);
//   - lag over SHED_LAG_MS and not shrinking, with more streams than the ceiling: the most recently admitted
//     stream is shed (ended with its final, then refused with a reason): last in, first out, so the streams
//     that were real-time before stay real-time — never everyone late;
//   - no lag over the bound for RAISE_AFTER_MS while the ceiling binds: the ceiling rises by one (probing back
//     up as the machine frees), never above the engine's own estimate.
// Streams admitted under the floor (minLiveStreams) are never shed.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { AsrEngine } from '../engine/index.js';

/** Lag (ms) past which an admitted stream is "behind": no admission, a warning, the ceiling lowered. */
export const LAG_BOUND_MS = 300;
/** Lag (ms) past which, while it does not shrink, the newest streams over the ceiling are shed. */
export const SHED_LAG_MS = 1000;
/** The ceiling drops at most once this often (ms), and a stream is shed at most this often. */
export const LOWER_EVERY_MS = 1000;
/** Lag must stay under the bound this long (ms) before the ceiling rises by one. */
export const RAISE_AFTER_MS = 15_000;
/** A stream is warned at most this often (ms). */
export const WARN_EVERY_MS = 10_000;
/** How often the governor looks (ms). */
export const TICK_MS = 250;

/** What the governor may do to one admitted live stream. */
export interface GovernedStream {
  /** The engine is behind real time: finals may be late (the stream goes on). */
  warn(message: string): void;
  /** This stream is shed: it should end (delivering its last final) and tell its client why. */
  shed(message: string): void;
}

interface Entry {
  stream: GovernedStream;
  /** Admitted under the floor: never shed. */
  protected: boolean;
  warnedAt: number;
}

interface EngineState {
  /** Live streams on this engine, oldest admission first. */
  entries: Entry[];
  /** Most live streams this engine may hold, as lag has shown (Infinity: not lowered yet). */
  ceiling: number;
  lastLagAt: number;
  lastLowerAt: number;
  lastShedAt: number;
  /** Lag at the last shed: shedding continues only while lag does not shrink. */
  lagAtShed: number;
  /** The lag the last tick saw (ms). */
  lagMs: number;
}

export interface GovernorOptions {
  /** Wall clock (ms); tests drive it. */
  now?: () => number;
  /** The main thread's event-loop delay since the last call (ms); default: measured (monitorEventLoopDelay). */
  mainThreadLagMs?: () => number;
  /** Run ticks on a timer while live streams exist (default true; tests call tick() themselves). */
  timer?: boolean;
}

export class LiveGovernor {
  private readonly engines = new Map<AsrEngine, EngineState>();
  private readonly now: () => number;
  private readonly mainLag: () => number;
  private readonly useTimer: boolean;
  private interval: NodeJS.Timeout | null = null;

  constructor(opts: GovernorOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.mainLag = opts.mainThreadLagMs ?? eventLoopDelaySampler();
    this.useTimer = opts.timer ?? true;
  }

  /** The ceiling lag has set on `asr` (Infinity while lag never showed). */
  ceilingOf(asr: AsrEngine): number {
    return this.engines.get(asr)?.ceiling ?? Number.POSITIVE_INFINITY;
  }

  /** The lag (ms) the last tick saw on `asr`, including the main thread's delay. */
  lagOf(asr: AsrEngine): number {
    return this.engines.get(asr)?.lagMs ?? 0;
  }

  /** Govern one newly admitted live stream; returns its removal (idempotent). */
  add(asr: AsrEngine, stream: GovernedStream, isProtected: boolean): () => void {
    let st = this.engines.get(asr);
    if (!st) {
      const t = this.now();
      st = {
        entries: [],
        ceiling: Number.POSITIVE_INFINITY,
        lastLagAt: t,
        lastLowerAt: -Infinity,
        lastShedAt: -Infinity,
        lagAtShed: 0,
        lagMs: 0,
      };
      this.engines.set(asr, st);
    }
    const entry: Entry = { stream, protected: isProtected, warnedAt: -Infinity };
    st.entries.push(entry);
    this.startTimer();
    const state = st;
    return () => {
      const i = state.entries.indexOf(entry);
      if (i >= 0) state.entries.splice(i, 1);
      if (![...this.engines.values()].some((s) => s.entries.length)) this.stopTimer();
    };
  }

  /** Look at every engine's lag once (the timer calls this every TICK_MS). */
  tick(): void {
    const now = this.now();
    const mainLag = this.mainLag();
    for (const [asr, st] of this.engines) {
      const cap = asr.capacity();
      const lag = Math.max(cap.lagMs, mainLag);
      st.lagMs = lag;
      const live = st.entries.length;
      if (lag <= LAG_BOUND_MS) {
        // Quiet: probe back up, one stream at a time, while the ceiling is what limits admission.
        if (now - st.lastLagAt >= RAISE_AFTER_MS && st.ceiling !== Number.POSITIVE_INFINITY && live >= st.ceiling) {
          st.ceiling = st.ceiling + 1 >= cap.liveStreams ? Number.POSITIVE_INFINITY : st.ceiling + 1;
          st.lastLagAt = now;
        }
        continue;
      }
      st.lastLagAt = now;
      const behind = `the server is ${Math.round(lag)} ms behind real time on ${asr.modelId}`;
      for (const e of st.entries) {
        if (now - e.warnedAt < WARN_EVERY_MS) continue;
        e.warnedAt = now;
        e.stream.warn(`${behind}; finals may be late`);
      }
      if (now - st.lastLowerAt >= LOWER_EVERY_MS && live > 0) {
        st.ceiling = Math.max(1, Math.min(st.ceiling, live - 1));
        st.lastLowerAt = now;
      }
      const sheddable = st.entries.filter((e) => !e.protected);
      const shrinking = now - st.lastShedAt < 4 * LOWER_EVERY_MS && lag < st.lagAtShed - 100;
      if (lag > SHED_LAG_MS && live > st.ceiling && sheddable.length && now - st.lastShedAt >= LOWER_EVERY_MS && !shrinking) {
        const victim = sheddable[sheddable.length - 1]!;
        st.entries.splice(st.entries.indexOf(victim), 1);
        st.lastShedAt = now;
        st.lagAtShed = lag;
        victim.stream.shed(
          `stream shed: ${behind} with ${live} live streams; it keeps ${st.ceiling} real-time — the newest stream ends first; try again in 5 s`,
        );
      }
    }
  }

  private startTimer(): void {
    if (!this.useTimer || this.interval) return;
    this.interval = setInterval(() => this.tick(), TICK_MS);
    this.interval.unref();
  }

  private stopTimer(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
  }
}

/** The main thread's largest event-loop delay since the previous call (ms), from Node's own histogram. */
function eventLoopDelaySampler(): () => number {
  let histogram: IntervalHistogram | null = null;
  return () => {
    if (!histogram) {
      histogram = monitorEventLoopDelay({ resolution: 20 });
      histogram.enable();
      return 0;
    }
    // The histogram counts the timer's own resolution in every sample.
    const ms = Math.max(0, histogram.max / 1e6 - 20);
    histogram.reset();
    return ms;
  };
}
