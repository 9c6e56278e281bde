// The sherpa streaming ASR worker: owns one OnlineRecognizer (one model) plus a few biased toward custom
// vocabularies (hotwords.ts), every stream on them, their VADs, and the batching scheduler. The main thread only posts audio and receives events (see asr.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';
import type { OnlineRecognizer, OnlineRecognizerResult, OnlineStream } from 'sherpa-onnx-node';
import { modelLoadError, serveStreamWorker, type StreamWorkerEvents } from '../../stream-worker.js';
import type { AsrFinal, AsrPartial } from '../../types.js';
import type { ResolvedModel } from '../../models/catalog.js';
import { onlineRecognizerConfig } from './asr-config.js';
import { BatchScheduler, type SchedulerStats } from './batch-scheduler.js';
import { DUE_SLACK_MS, VirtualClock } from '../../realtime-order.js';
import { biasedRecognizerConfig, MAX_BIASED_RECOGNIZERS } from './hotwords.js';
import { loadSherpa } from './native.js';
import { SileroVadTracker, vadPoolStats } from './vad.js';
import type { VadPoolStats } from './vad-pool.js';
import { tokensToWords } from './words.js';
import { lowerThisThreadPriority, nameThisThread } from '../../thread-self.js';

export interface AsrWorkerInit {
  model: ResolvedModel;
  threads: number;
  /** Silero model path; streams asking for VAD get none when absent. */
  vadModel: string | null;
  warmup: boolean;
  maxBatch: number;
  /** The batch worker (file transcriptions only): its thread lowers its CPU priority to this nice value. */
  nice?: number;
}

export interface CreateStreamArg {
  id: string;
  sampleRate: number;
  endpointingMs: number | false;
  vad: boolean;
  /** Batch work (a file transcription): decoded only when no live audio is due. */
  batch?: boolean;
  /** Hotwords file lines (the model's tokens, spelled by hotwords.ts): the stream decodes on a biased recognizer. */
  hotwords?: string[];
}

/** Calibrated cost of one decode round: fixedMs + perStreamMs × batch size, per chunk of chunkMs audio. */
export interface ChunkCost {
  fixedMs: number;
  perStreamMs: number;
  chunkMs: number;
}

/** Where the worker's time went since it started (see `timing` in asr-worker.ts). */
export interface WorkerTiming {
  /** Live chunks by how late (ms past their real time) their decode started: `<=50` … `later`. */
  liveLateMs: Record<string, number>;
  decodeMs: number;
  decodeMaxMs: number;
  /** Time in Silero (speech_started / speech_ended events). */
  vadMs: number;
  vadMaxMs: number;
  createStreamMaxMs: number;
  closeMaxMs: number;
  /** Silero VADs this worker made, reused from ended streams, and holds idle (./vad-pool.ts). */
  vads: VadPoolStats;
}

export type AsrWorkerEvents = {
  /** Stream time (ms) decoded so far, per stream decoded in the last round. */
  progress: { decoded: [id: string, ms: number][]; busyMs: number };
  partial: AsrPartial & { id: string };
  final: AsrFinal & { id: string };
  speechStart: { id: string; atMs: number };
  speechEnd: { id: string; atMs: number };
} & StreamWorkerEvents;

/** Silence appended on flush: sherpa decodes only whole windows (0.39 s here), so the tail needs padding. */
const FLUSH_PAD_S = 0.6;
/**
 * A closing stream with more audio than this (ms) left to decode waits for the scheduler to decode it, in turn with
 * the live streams; the rest (the usual partial chunk) is decoded by the close itself.
 */
const CLOSE_SYNC_BACKLOG_MS = 2000;
/** With no text, a stream is reset after this much silence, so its state stays bounded. */
const IDLE_RESET_MS = 10_000;
/** An utterance longer than this is ended (reason 'endpoint') even without a pause, unless endpointing is off. */
const MAX_UTTERANCE_MS = 30_000;
/** A live chunk decoded this late (ms past its real time) means live streams are behind… */
const LIVE_BEHIND_MS = 300;
/** …and bursts and batch streams then wait this long (ms), extended while it lasts. */
const IDLE_HOLD_MS = 2000;
let idleHeldUntil = 0;

/** Upper bounds (ms) of the buckets of `timing.liveLateMs`; the last bucket is everything later. */
const LATE_BUCKETS_MS = [0, 50, 100, 200, 500, 1000, 2000, 5000];
/**
 * Where this worker's time goes (reported by `stats`; `npm run soak` prints it): how late past its real time each
 * live chunk's decode started (histogram over LATE_BUCKETS_MS), and the time spent decoding and in Silero.
 */
let eluMark = performance.eventLoopUtilization();
const timing = {
  liveLateMs: new Array<number>(LATE_BUCKETS_MS.length + 1).fill(0),
  decodeMs: 0,
  decodeMaxMs: 0,
  vadMs: 0,
  vadMaxMs: 0,
  /** Longest stream creation (a Silero session is loaded per stream). */
  createStreamMaxMs: 0,
  /** Longest close (its flush decodes what is left). */
  closeMaxMs: 0,
};

class StreamState {
  sherpa: OnlineStream;
  /** Stream time (ms) at which the current sherpa stream started (a flush starts a fresh one). */
  baseMs = 0;
  /** Input samples written in total (at the input rate). */
  written = 0;
  /** Decodes since the sherpa stream started or was last reset: decodedEnd = segment start + n × chunk. */
  decodes = 0;
  /** Stream time decoded so far (ms), never reset: what progress reports to the host. */
  decodedMs = 0;
  lastText = '';
  vad: SileroVadTracker | null = null;
  /** When each write's audio is due (its virtual clock), until decoded: decides live-first order. */
  private readonly clock = new VirtualClock();
  private readonly dueMarks: { endMs: number; dueAt: number }[] = [];
  /** When the next chunk was due, as isDue last computed it (for timing.liveLateMs). */
  nextDueAt = Number.POSITIVE_INFINITY;
  /** Closing: no more audio comes; the close is answered once the backlog is decoded. */
  closing = false;
  /** The close in progress: a second close of the same stream waits for it (the table forgets the stream after). */
  closed: Promise<AsrFinal | null> | null = null;
  /** Set while a close waits for the scheduler to decode this stream's backlog. */
  caughtUp: (() => void) | null = null;

  constructor(
    readonly id: string,
    readonly inputRate: number,
    readonly endpointingMs: number | false,
    /** The recognizer this stream decodes on: the model's own, or the one biased toward its vocabulary. */
    readonly rec: OnlineRecognizer,
    readonly batch: boolean,
    /** Key of its biased recognizer (null: the plain one). */
    readonly vocabulary: string | null = null,
  ) {
    this.sherpa = rec.createStream();
  }

  get writtenMs(): number {
    return (this.written * 1000) / this.inputRate;
  }

  /** Input samples given to sherpa (and Silero) so far; the rest of `written` waits in `queued`. */
  fed = 0;
  /** Audio received but not given to sherpa yet: fed as its real time comes (see feed). */
  private readonly queued: Float32Array[] = [];

  get fedMs(): number {
    return (this.fed * 1000) / this.inputRate;
  }

  /** `samples` arrived now: queued, stamped with when it is due. */
  noteWrite(samples: Float32Array, now: number): void {
    this.written += samples.length;
    this.queued.push(samples);
    this.dueMarks.push({ endMs: this.writtenMs, dueAt: this.clock.stamp(now, (samples.length * 1000) / this.inputRate).endMs });
  }

  /** Stream time (ms) up to which the audio received is due by `now` (within DUE_SLACK_MS). */
  private dueUpToMs(now: number): number {
    let due = this.fedMs;
    for (const m of this.dueMarks) {
      const late = m.dueAt - (now + DUE_SLACK_MS);
      if (late > 0) return Math.max(due, m.endMs - late);
      due = Math.max(due, m.endMs);
    }
    return due;
  }

  /**
   * Give sherpa (its features are computed as audio is accepted) and Silero the queued audio that is due, and
   * while sherpa is not ready to decode, one chunk more at a time: a burst of two minutes is fed chunk by chunk as
   * the scheduler decodes it, not all in the write — in the soak, Silero and feature extraction of a 115 s burst
   * in one go held every live stream ~2 s. `all`: everything (flush, close).
   */
  feed(now: number, all = false): void {
    const dueMs = all ? Number.POSITIVE_INFINITY : this.dueUpToMs(now);
    const piece = Math.round((this.inputRate * chunkMs) / 1000);
    while (this.queued.length && (all || this.fedMs < dueMs || !this.rec.isReady(this.sherpa))) {
      let samples = this.queued[0]!;
      if (!all && samples.length > piece) {
        this.queued[0] = samples.subarray(piece);
        samples = samples.slice(0, piece);
      } else this.queued.shift();
      this.sherpa.acceptWaveform({ samples, sampleRate: this.inputRate });
      this.fed += samples.length;
      if (this.vad) {
        const t0 = performance.now();
        this.vad.accept(samples);
        const vadMs = performance.now() - t0;
        timing.vadMs += vadMs;
        timing.vadMaxMs = Math.max(timing.vadMaxMs, vadMs);
      }
    }
  }

  /** Live audio whose next chunk's real time has come (within DUE_SLACK_MS): decoded before anything else. */
  isDue(now: number): boolean {
    if (this.batch) return false;
    while (this.dueMarks.length && this.dueMarks[0]!.endMs <= this.decodedMs) this.dueMarks.shift();
    const mark = this.dueMarks[0];
    if (!mark) return true;
    const nextEndMs = Math.min(mark.endMs, this.decodedMs + chunkMs);
    const dueAt = mark.dueAt - (mark.endMs - nextEndMs);
    this.nextDueAt = dueAt;
    // Due long ago: live streams are behind real time, so work that is not due waits a while.
    if (now - dueAt > LIVE_BEHIND_MS) idleHeldUntil = Math.max(idleHeldUntil, now + IDLE_HOLD_MS);
    return dueAt <= now + DUE_SLACK_MS;
  }
}

const init = workerData as AsrWorkerInit;
if (init.nice) lowerThisThreadPriority(init.nice);
nameThisThread(init.nice ? 'asr-sherpa-bat' : 'asr-sherpa');
const sherpa = loadSherpa();
const model = init.model;
const frameMs = model.frameMs ?? 40;
const chunkMs = model.chunkMs ?? 320;

let recognizer: OnlineRecognizer | null = null;
const streams = new Map<string, StreamState>();
/** Recognizers biased toward a vocabulary (key: its hotwords lines), most recently used last. */
const biased = new Map<string, OnlineRecognizer>();

const { emit, fail } = serveStreamWorker<AsrWorkerEvents, StreamState, CreateStreamArg, AsrFinal>(
  {
    streams,
    open: (arg) => {
      const t0 = performance.now();
      createStream(arg);
      timing.createStreamMaxMs = Math.max(timing.createStreamMaxMs, performance.now() - t0);
    },
    write: (s, samples) => {
      // Only queued here; the scheduler feeds it to sherpa and Silero as it is due (StreamState.feed).
      s.noteWrite(samples, performance.now());
      scheduler.kick();
    },
    accepts: (s) => !s.closing,
    flush,
    close: (s) => (s.closed ??= closeStream(s)),
    forget: (s) => {
      s.caughtUp?.();
      s.vad?.release();
      scheduler.delete(s);
    },
  },
  {
    load: () => load(),
    stats: (): SchedulerStats & { streams: number; timing: WorkerTiming } => ({
      ...scheduler.stats,
      streams: streams.size,
      timing: {
        liveLateMs: Object.fromEntries(
          timing.liveLateMs.map((n, i) => [i < LATE_BUCKETS_MS.length ? `<=${LATE_BUCKETS_MS[i]}` : 'later', n]),
        ),
        decodeMs: Math.round(timing.decodeMs),
        decodeMaxMs: Math.round(timing.decodeMaxMs),
        vadMs: Math.round(timing.vadMs),
        vadMaxMs: Math.round(timing.vadMaxMs),
        createStreamMaxMs: Math.round(timing.createStreamMaxMs),
        closeMaxMs: Math.round(timing.closeMaxMs),
        vads: vadPoolStats(),
      },
    }),
  },
);

const scheduler = new BatchScheduler<StreamState>(
  {
    isReady: (s) => {
      try {
        s.feed(performance.now());
      } catch (err) {
        fail(s, err);
        return false;
      }
      return s.rec.isReady(s.sherpa);
    },
    isUrgent: (s) => s.isDue(performance.now()),
    idleAllowed: () => performance.now() >= idleHeldUntil,
    decode: (batch) => {
      const t0 = performance.now();
      for (const s of batch) {
        if (s.batch) continue;
        const late = t0 - s.nextDueAt;
        const i = LATE_BUCKETS_MS.findIndex((b) => late <= b);
        timing.liveLateMs[i < 0 ? LATE_BUCKETS_MS.length : i]!++;
      }
      // One batched decode per recognizer: streams with a custom vocabulary decode on their biased one.
      for (const group of groupByRecognizer(batch)) {
        if (group.length === 1) group[0]!.rec.decode(group[0]!.sherpa);
        else group[0]!.rec.decodeStreams(group.map((s) => s.sherpa));
      }
      for (const s of batch) {
        s.decodes++;
        s.decodedMs = Math.min(s.fedMs, s.decodedMs + chunkMs);
      }
      const decodeMs = performance.now() - t0;
      timing.decodeMs += decodeMs;
      timing.decodeMaxMs = Math.max(timing.decodeMaxMs, decodeMs);
      // Busy time is the worker's whole active time since the last report — decodes, Silero on every write,
      // results, messages — not the decode alone: what a live stream really costs this thread (measured: Silero
      // is about a third of it).
      const busy = performance.eventLoopUtilization(eluMark);
      eluMark = performance.eventLoopUtilization();
      emit('progress', { decoded: batch.map((s) => [s.id, s.decodedMs]), busyMs: busy.active });
    },
    afterDecode: (s) => {
      try {
        afterDecode(s);
      } catch (err) {
        fail(s, err);
      }
      if (s.caughtUp && s.writtenMs - s.decodedMs <= CLOSE_SYNC_BACKLOG_MS) s.caughtUp();
    },
  },
  init.maxBatch,
);

function load(): { loadMs: number; warmMs: number; cost: ChunkCost } {
  const t0 = performance.now();
  const config = onlineRecognizerConfig(model, init.threads);
  try {
    recognizer = new sherpa.OnlineRecognizer(config);
  } catch (err) {
    throw modelLoadError('sherpa', model, err);
  }
  const t1 = performance.now();
  if (init.warmup) {
    // A few dummy decodes (batched too) so ONNX Runtime has allocated and planned before the first user.
    const warm = [recognizer.createStream(), recognizer.createStream()];
    const noise = new Float32Array(model.sampleRate * 1.5).map((_, i) => 0.01 * Math.sin(i / 3));
    for (const w of warm) w.acceptWaveform({ samples: noise, sampleRate: model.sampleRate });
    while (warm.every((w) => recognizer!.isReady(w))) recognizer.decodeStreams(warm);
    for (const w of warm) while (recognizer.isReady(w)) recognizer.decode(w);
  }
  const warmMs = performance.now() - t1;
  return { loadMs: t1 - t0, warmMs, cost: calibrate(recognizer) };
}

/**
 * Time batched decodes of 1 and of 8 streams (a few chunks each, after one untimed round) and fit
 * cost(n) = fixed + perStream·n: what admission needs to know how many live streams stay real-time.
 */
function calibrate(rec: OnlineRecognizer): ChunkCost {
  const timeRound = (n: number, maxRounds = Number.POSITIVE_INFINITY): number => {
    const streams = Array.from({ length: n }, () => rec.createStream());
    const audio = new Float32Array(Math.round(model.sampleRate * (chunkMs / 1000) * 4)).map(
      (_, i) => 0.05 * Math.sin(i / 5) + 0.02 * Math.sin(i / 17),
    );
    for (const st of streams) st.acceptWaveform({ samples: audio, sampleRate: model.sampleRate });
    const round = () => (n === 1 ? rec.decode(streams[0]!) : rec.decodeStreams(streams));
    round();
    let rounds = 0;
    const t0 = performance.now();
    while (rounds < maxRounds && streams.every((st) => rec.isReady(st))) {
      round();
      rounds++;
    }
    return rounds ? (performance.now() - t0) / rounds : 0;
  };
  const one = timeRound(1);
  const eight = timeRound(8);
  // One round at the largest batch, untimed: ONNX Runtime sizes its buffers for the largest shape it has seen,
  // and a first batch of 27 streams took 330 ms (a 20 ms round) — in the soak, every live stream ~2 s late
  // the first time the streams lined up into one batch.
  if (init.maxBatch > 8) timeRound(init.maxBatch, 1);
  const perStreamMs = Math.max(1e-3, (eight - one) / 7) + vadChunkMs();
  return { fixedMs: Math.max(0, one - perStreamMs), perStreamMs, chunkMs };
}

/**
 * What Silero costs one live stream per chunk (every stream runs it on its audio by default): part of a live
 * stream's price, measured on a few chunks of speech-like audio. 0 without a VAD model.
 */
function vadChunkMs(): number {
  if (!init.vadModel) return 0;
  const noop = () => {};
  const vad = new SileroVadTracker(sherpa, init.vadModel, model.sampleRate, { speechStart: noop, speechEnd: noop });
  const chunk = Math.round(model.sampleRate * (chunkMs / 1000));
  const audio = new Float32Array(chunk * 8).map((_, i) => 0.05 * Math.sin(i / 5) * Math.max(0, Math.sin(i / 3000)));
  vad.accept(audio.subarray(0, chunk));
  const t0 = performance.now();
  for (let o = chunk; o < audio.length; o += chunk) vad.accept(audio.subarray(o, o + chunk));
  const ms = (performance.now() - t0) / 7;
  vad.release(); // ready for the first stream
  return ms;
}

function groupByRecognizer(batch: StreamState[]): StreamState[][] {
  const groups = new Map<OnlineRecognizer, StreamState[]>();
  for (const s of batch) {
    const g = groups.get(s.rec);
    if (g) g.push(s);
    else groups.set(s.rec, [s]);
  }
  return [...groups.values()];
}

/**
 * The recognizer biased toward `lines` (created on first use; sherpa reads the hotwords file at construction).
 * At most MAX_BIASED_RECOGNIZERS: the least recently used one no stream decodes on makes room, else the stream
 * is refused with the reason.
 */
function biasedRecognizer(lines: string[]): { key: string; rec: OnlineRecognizer } {
  const key = lines.join('\n');
  const hit = biased.get(key);
  if (hit) {
    biased.delete(key);
    biased.set(key, hit);
    return { key, rec: hit };
  }
  if (!model.modelingUnit) throw new Error(`model "${model.id}" cannot be biased toward custom words`);
  if (biased.size >= MAX_BIASED_RECOGNIZERS) {
    const inUse = new Set([...streams.values()].map((s) => s.vocabulary));
    const idle = [...biased.keys()].find((k) => !inUse.has(k));
    if (idle === undefined)
      throw new Error(`${MAX_BIASED_RECOGNIZERS} different custom vocabularies are in use on model "${model.id}"; try again when one ends`);
    biased.delete(idle);
  }
  const dir = mkdtempSync(join(tmpdir(), 'earshot-hotwords-'));
  try {
    const file = join(dir, 'hotwords.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    const rec = new sherpa.OnlineRecognizer(biasedRecognizerConfig(onlineRecognizerConfig(model, init.threads), file, model.modelingUnit));
    biased.set(key, rec);
    return { key, rec };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function createStream(arg: CreateStreamArg): void {
  if (!recognizer) throw new Error('recognizer is not loaded');
  if (streams.has(arg.id)) throw new Error(`stream id "${arg.id}" is already in use`);
  const bias = arg.hotwords?.length ? biasedRecognizer(arg.hotwords) : null;
  const s = new StreamState(arg.id, arg.sampleRate, arg.endpointingMs, bias?.rec ?? recognizer, arg.batch ?? false, bias?.key ?? null);
  if (arg.vad && init.vadModel) {
    // Silero only reports speech events here (decoding never waits on it), so a VAD that must be made is made in
    // a later turn: streams that start together do not hold the live streams for one model load each.
    s.vad = new SileroVadTracker(
      sherpa,
      init.vadModel,
      arg.sampleRate,
      {
        speechStart: (atMs) => emit('speechStart', { id: s.id, atMs }),
        speechEnd: (atMs) => emit('speechEnd', { id: s.id, atMs }),
      },
      { makeLater: true },
    );
  }
  streams.set(s.id, s);
  scheduler.add(s);
}

/** Times of the current sherpa segment, in ms of stream time. */
function segmentTimes(s: StreamState, r: OnlineRecognizerResult) {
  const segStartMs = s.baseMs + r.start_time * 1000;
  const decodedEndMs = segStartMs + s.decodes * chunkMs;
  const tokenMs = r.tokens.map((_, i) => segStartMs + (r.timestamps[i] ?? r.timestamps[r.timestamps.length - 1] ?? 0) * 1000);
  return { segStartMs, decodedEndMs, tokenMs };
}

function afterDecode(s: StreamState): void {
  const r = s.rec.getResult(s.sherpa);
  const text = r.text.trim();
  const { segStartMs, decodedEndMs, tokenMs } = segmentTimes(s, r);
  if (text && text !== s.lastText) {
    s.lastText = text;
    emit('partial', { id: s.id, text, startMs: round(tokenMs[0] ?? segStartMs), endMs: round(decodedEndMs) });
  }
  const trailingMs = r.num_trailing_blanks * frameMs;
  if (s.endpointingMs !== false && text && (trailingMs >= s.endpointingMs || decodedEndMs - segStartMs >= MAX_UTTERANCE_MS)) {
    emit('final', { id: s.id, ...finalOf(s, r, 'endpoint') });
    resetSegment(s);
  } else if (!text && s.decodes * chunkMs >= IDLE_RESET_MS) {
    resetSegment(s);
  }
}

function resetSegment(s: StreamState): void {
  s.rec.reset(s.sherpa);
  s.decodes = 0;
  s.lastText = '';
}

function finalOf(s: StreamState, r: OnlineRecognizerResult, reason: AsrFinal['reason']): AsrFinal {
  const { segStartMs, decodedEndMs, tokenMs } = segmentTimes(s, r);
  const lastTokenMs = tokenMs[tokenMs.length - 1] ?? segStartMs;
  // The last token ends where the trailing blanks begin (at least one output frame after it starts).
  const endMs = Math.min(
    Math.max(lastTokenMs + frameMs, decodedEndMs - r.num_trailing_blanks * frameMs),
    Math.max(s.fedMs, lastTokenMs + frameMs),
  );
  const words = tokensToWords(r.tokens, tokenMs, endMs).map((w) => ({ word: w.word, startMs: round(w.startMs), endMs: round(w.endMs) }));
  const probs = r.ys_probs ?? [];
  const confidence = probs.length ? Math.min(1, Math.max(0, Math.exp(probs.reduce((a, b) => a + b, 0) / probs.length))) : 1;
  return { text: r.text.trim(), startMs: round(tokenMs[0] ?? segStartMs), endMs: round(endMs), words, confidence, reason };
}

/** Decode every whole window of `s` the scheduler has not decoded yet (partials and endpoints as usual). */
function catchUp(s: StreamState): void {
  const rec = s.rec;
  while (rec.isReady(s.sherpa)) {
    rec.decode(s.sherpa);
    s.decodes++;
    afterDecode(s);
  }
}

/** End the utterance now: pad, finish input, decode the rest, then continue on a fresh sherpa stream. */
function flush(s: StreamState): AsrFinal | null {
  const rec = s.rec;
  // First catch up on audio the scheduler has not decoded yet, with endpoint checks, so utterances that
  // ended inside that audio still get their own finals.
  s.feed(performance.now(), true);
  catchUp(s);
  s.sherpa.acceptWaveform({ samples: new Float32Array(Math.round(FLUSH_PAD_S * s.inputRate)), sampleRate: s.inputRate });
  s.sherpa.inputFinished();
  while (rec.isReady(s.sherpa)) {
    rec.decode(s.sherpa);
    s.decodes++;
  }
  const r = rec.getResult(s.sherpa);
  const final = r.text.trim() ? finalOf(s, r, 'flush') : null;
  if (final) emit('final', { id: s.id, ...final });
  // A finished sherpa stream takes no more audio: start a fresh one at the current stream time.
  s.sherpa = rec.createStream();
  s.baseMs = s.writtenMs;
  s.decodedMs = s.writtenMs;
  s.decodes = 0;
  s.lastText = '';
  return final;
}

/** The last flush of a stream, once the scheduler has decoded its backlog. */
async function closeStream(s: StreamState): Promise<AsrFinal | null> {
  s.closing = true;
  // A backlog (a burst client that left) is decoded by the scheduler, in turn with live audio, before the
  // close is answered: decoding a minute of it here at once held every live stream ~2 s (measured in the soak).
  await caughtUp(s);
  if (!streams.has(s.id)) return null; // failed meanwhile (reported)
  const t0 = performance.now();
  const last = flush(s);
  timing.closeMaxMs = Math.max(timing.closeMaxMs, performance.now() - t0);
  s.vad?.flush();
  s.vad?.release();
  scheduler.delete(s);
  return last;
}

/** Resolves once `s` has at most CLOSE_SYNC_BACKLOG_MS of audio left to decode (or has failed). */
function caughtUp(s: StreamState): Promise<void> {
  if (s.writtenMs - s.decodedMs <= CLOSE_SYNC_BACKLOG_MS) return Promise.resolve();
  return new Promise((resolve) => {
    s.caughtUp = () => {
      s.caughtUp = null;
      resolve();
    };
    scheduler.kick();
  });
}

function round(ms: number): number {
  return Math.round(ms);
}
