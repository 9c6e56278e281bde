// The sherpa offline (non-streaming) ASR worker: owns one OfflineRecognizer and every stream on it. An offline
// model decodes a whole utterance at once, so this worker cuts each stream into speech segments and decodes:
//   - interims: the growing segment, re-decoded once enough new audio arrived — the interval grows with the
//     segment (INTERIM_GROWTH), so the audio decoded per second of input stays bounded however long it gets;
//   - endpoint probes: only the segment's last (endpointing + PROBE_CONTEXT_MS) of audio, every PROBE_MS, to
//     see whether the recognizer heard anything in the trailing `endpointing` ms (constant cost per probe);
//   - finals: the segment up to its cut, once — at an endpoint, at the maximum segment length (cut before the
//     last word so no word is split), or at a flush.
// A segment ends when both detectors agree there has been `endpointing` ms of silence: the Silero VAD (speech
// as people make it) and the recognizer's own token times (what Silero does not call speech — the synthetic
// tone fixtures — still ends where the model stops hearing tokens). Decodes run on the libuv thread pool
// (decodeAsync), at most `maxConcurrent` at once across streams, finals first: concurrent streams' segments are
// decoded side by side, and this thread stays free for audio messages. Same RPC and events as asr-worker.ts.
import { workerData } from 'node:worker_threads';
import type { LinearResampler, OfflineRecognizer, OfflineRecognizerResult } from 'sherpa-onnx-node';
import { modelLoadError, serveStreamWorker } from '../../stream-worker.js';
import { MAX_PENDING_SECONDS } from '../../worker-asr-stream.js';
import type { AsrFinal } from '../../types.js';
import type { ResolvedModel } from '../../models/catalog.js';
import type { AsrWorkerEvents, ChunkCost, CreateStreamArg } from './asr-worker.js';
import { offlineRecognizerConfig } from './offline-asr-config.js';
import { loadSherpa } from './native.js';
import { SileroVadTracker } from './vad.js';
import { tokensToWords } from './words.js';

export interface OfflineAsrWorkerInit {
  model: ResolvedModel;
  threads: number;
  vadModel: string | null;
  warmup: boolean;
  /** Decodes running at once (across streams). */
  maxConcurrent: number;
  /** A segment is cut (before its last word) once it is this long. */
  maxSegmentMs: number;
  /** ISO 639-1 for models that take a language (Whisper, SenseVoice); '' = the model detects it. */
  language: string;
}

/** Decode figures, for tests and the bench: what interims cost per second of audio. */
export interface OfflineDecodeStats {
  /** Decode calls, by purpose. */
  interims: number;
  probes: number;
  finals: number;
  /** Audio given to the recognizer in total (ms, all purposes). */
  decodedAudioMs: number;
  /** Audio written to every stream (ms). */
  writtenAudioMs: number;
  /** Most decodes that ran at once. */
  largestBatch: number;
  /** Longest audio given to one decode (ms). */
  longestDecodeMs: number;
  streams: number;
}

/** First interim after this much audio; later ones after max(this, INTERIM_GROWTH × segment length). */
const MIN_INTERIM_MS = 320;
const INTERIM_GROWTH = 0.25;
/** Endpoint probes: how often, and how much audio before the trailing window each one looks at. */
const PROBE_MS = 320;
const PROBE_CONTEXT_MS = 640;
/** With nothing heard, only this much audio is kept before the segment (a word starting right there). */
const IDLE_KEEP_MS = 1000;
/** The cut before the last word lands this far before its first token's time (tokens start within ±30 ms). */
const CUT_MARGIN_MS = 40;
const WORD_START = /^[▁ ]/;

type Purpose = 'final' | 'probe' | 'interim';
const PRIORITY: Record<Purpose, number> = { final: 0, probe: 1, interim: 2 };

class Segment {
  /** Samples at the model rate; `length` of them are used. */
  buf: Float32Array;
  length = 0;
  /** Stream time (ms) of buf[0]. */
  startMs = 0;
  /** Samples covered by the last whole-segment decode, and by the last probe. */
  decodedTo = 0;
  probedTo = 0;
  /** Latest interim text (partials are sent only when it changes). */
  text = '';

  constructor(capacity: number) {
    this.buf = new Float32Array(capacity);
  }

  append(x: Float32Array): void {
    if (this.length + x.length > this.buf.length) {
      const grown = new Float32Array(Math.max(this.buf.length * 2, this.length + x.length));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(x, this.length);
    this.length += x.length;
  }

  /** Drop the first `n` samples (they were finalized or were silence). */
  drop(n: number, rate: number): void {
    n = Math.min(n, this.length);
    this.buf.copyWithin(0, n, this.length);
    this.length -= n;
    this.startMs += (n * 1000) / rate;
    this.decodedTo = Math.max(0, this.decodedTo - n);
    this.probedTo = Math.max(0, this.probedTo - n);
  }
}

class StreamState {
  readonly seg: Segment;
  /** Input samples written in total (at the input rate). */
  written = 0;
  /** Stream time the worker has looked at (decoded or dropped as silence): what progress reports. */
  decodedMs = 0;
  busy = false;
  closed = false;
  vad: SileroVadTracker | null = null;
  /** Silero's view: in speech now, and where its last speech ended (stream ms). */
  vadInSpeech = false;
  vadSpeechEndMs = 0;
  resampler: LinearResampler | null;
  /** The decode step in flight (when busy). */
  current: Promise<unknown> = Promise.resolve();
  /** Flushes/closes waiting or running: no new step starts meanwhile; they run in order. */
  holds = 0;
  chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly inputRate: number,
    readonly endpointingMs: number | false,
    rate: number,
  ) {
    this.seg = new Segment(rate * 4);
    this.resampler = inputRate === rate ? null : new sherpa.LinearResampler(inputRate, rate);
  }

  get writtenMs(): number {
    return (this.written * 1000) / this.inputRate;
  }
}

const init = workerData as OfflineAsrWorkerInit;
const sherpa = loadSherpa();
const model = init.model;
const RATE = model.sampleRate;
const frameMs = model.frameMs ?? 40;

let recognizer: OfflineRecognizer | null = null;
const streams = new Map<string, StreamState>();
const stats: OfflineDecodeStats = {
  interims: 0,
  probes: 0,
  finals: 0,
  decodedAudioMs: 0,
  writtenAudioMs: 0,
  largestBatch: 0,
  longestDecodeMs: 0,
  streams: 0,
};

const { emit, fail } = serveStreamWorker<AsrWorkerEvents, StreamState, CreateStreamArg, AsrFinal>(
  {
    streams,
    open: createStream,
    write,
    flush: (s) => serial(s, () => finalize(s, 'flush')),
    close: async (s) => {
      const last = await serial(s, () => finalize(s, 'flush'));
      s.closed = true;
      s.vad?.flush();
      s.vad?.release();
      return last;
    },
    accepts: (s) => !s.closed,
    forget: (s) => {
      s.closed = true;
      s.vad?.release();
    },
  },
  {
    load: () => load(),
    decodeSegment: (arg: { samples: Float32Array; sampleRate: number }) => decodeSegment(arg.samples, arg.sampleRate),
    stats: (): OfflineDecodeStats & { batches: number; decoded: number } => ({
      ...stats,
      streams: streams.size,
      // The streaming scheduler's names, for callers that read either worker.
      batches: stats.interims + stats.probes + stats.finals,
      decoded: stats.interims + stats.probes + stats.finals,
    }),
  },
  {
    // Asked to stop: queued decodes are dropped and the running ones (on sherpa's threads) finish first.
    beforeStop: () => {
      for (const job of queue.splice(0)) job.reject(new Error('the recognizer is stopping'));
      if (running > 0) return new Promise<void>((resolve) => (onIdle = resolve));
    },
  },
);

// ---- decoding: a bounded number at once, finals first ----------------------------------------------------
interface Job {
  purpose: Purpose;
  samples: Float32Array;
  resolve: (r: OfflineRecognizerResult) => void;
  reject: (e: unknown) => void;
}
const queue: Job[] = [];
let running = 0;
/** Resolves the wait in beforeStop once no decode is running (see worker-host.ts: a thread must not be ended mid-decode). */
let onIdle: (() => void) | null = null;

function decode(purpose: Purpose, samples: Float32Array): Promise<OfflineRecognizerResult> {
  return new Promise((resolve, reject) => {
    queue.push({ purpose, samples, resolve, reject });
    queue.sort((a, b) => PRIORITY[a.purpose] - PRIORITY[b.purpose]); // stable: FIFO within a purpose
    startJobs();
  });
}

function startJobs(): void {
  while (running < init.maxConcurrent && queue.length) {
    const job = queue.shift()!;
    running++;
    stats.largestBatch = Math.max(stats.largestBatch, running);
    stats[job.purpose === 'final' ? 'finals' : job.purpose === 'probe' ? 'probes' : 'interims']++;
    const ms = (job.samples.length * 1000) / RATE;
    stats.decodedAudioMs += ms;
    stats.longestDecodeMs = Math.max(stats.longestDecodeMs, ms);
    const t0 = performance.now();
    const st = recognizer!.createStream();
    st.acceptWaveform({ samples: job.samples, sampleRate: RATE });
    recognizer!
      .decodeAsync(st)
      .then(job.resolve, job.reject)
      .finally(() => {
        running--;
        emit('progress', { decoded: [], busyMs: performance.now() - t0 });
        startJobs();
        if (running === 0) onIdle?.();
      });
  }
}

// ---- load ------------------------------------------------------------------------------------------------
async function load(): Promise<{ loadMs: number; warmMs: number; cost: ChunkCost }> {
  const t0 = performance.now();
  if (RATE !== 16000) throw new Error(`offline model "${model.id}" runs at ${RATE} Hz; the VAD-segmented path needs 16000 Hz models`);
  const config = offlineRecognizerConfig(model, init.threads, init.language);
  try {
    recognizer = new sherpa.OfflineRecognizer(config);
  } catch (err) {
    throw modelLoadError('sherpa', model, err);
  }
  const t1 = performance.now();
  const noise = new Float32Array(RATE * 2).map((_, i) => 0.05 * Math.sin(i / 5) + 0.02 * Math.sin(i / 17));
  if (init.warmup) for (let i = 0; i < 2; i++) syncDecode(noise.subarray(0, RATE));
  const warmMs = performance.now() - t1;
  // Calibration: one 2 s decode. Per second of live audio the path decodes about DECODE_FACTOR seconds
  // (interims + probes + the final), so that is the cost admission plans with.
  const t2 = performance.now();
  syncDecode(noise);
  const decodeMs = performance.now() - t2;
  // A model whose every decode costs much whatever the length (Whisper pads its input to 30 s) probes and starts
  // interims less often, so that one stream's decodes stay within about a quarter of real time.
  cadenceMs = Math.max(PROBE_MS, Math.ceil((4 * decodeMs) / PROBE_MS) * PROBE_MS);
  const perSecondMs = decodeMs / 2;
  const factor = 1 / INTERIM_GROWTH + 1 + (PROBE_CONTEXT_MS + 600) / cadenceMs + 1;
  const perStreamMs = Math.max(perSecondMs * factor, (1000 / cadenceMs + 1.5) * decodeMs);
  return { loadMs: t1 - t0, warmMs, cost: { fixedMs: 0, perStreamMs, chunkMs: 1000 } };
}

/** Probe spacing and the shortest interim step (ms of audio): PROBE_MS, more for a costly model (set at load). */
let cadenceMs = PROBE_MS;

function syncDecode(samples: Float32Array): OfflineRecognizerResult {
  const st = recognizer!.createStream();
  st.acceptWaveform({ samples, sampleRate: RATE });
  recognizer!.decode(st);
  return recognizer!.getResult(st);
}

/**
 * Two-pass: one utterance another recognizer found, decoded whole (as a final: ahead of interims and probes).
 * Times in the result are ms from the start of `samples`.
 */
async function decodeSegment(samples: Float32Array, sampleRate: number): Promise<AsrFinal | null> {
  if (!recognizer) throw new Error('recognizer is not loaded');
  if (!(samples instanceof Float32Array) || samples.length > (sampleRate * init.maxSegmentMs * 2) / 1000) {
    throw new RangeError(`decodeSegment takes at most ${(init.maxSegmentMs * 2) / 1000} s of audio`);
  }
  const x = sampleRate === RATE ? samples : new sherpa.LinearResampler(sampleRate, RATE).resample(samples);
  const r = await decode('final', x);
  const endMs = samplesToMs(x.length);
  return r.text.trim() ? finalOf(r, 0, endMs, 'endpoint') : null;
}

function createStream(arg: CreateStreamArg): void {
  if (!recognizer) throw new Error('recognizer is not loaded');
  if (streams.has(arg.id)) throw new Error(`stream id "${arg.id}" is already in use`);
  const s = new StreamState(arg.id, arg.sampleRate, arg.endpointingMs, RATE);
  if (init.vadModel) {
    // Silero runs for every stream (it helps decide where segments end); events only for streams that asked.
    s.vad = new SileroVadTracker(sherpa, init.vadModel, arg.sampleRate, {
      speechStart: (atMs) => {
        s.vadInSpeech = true;
        if (arg.vad) emit('speechStart', { id: s.id, atMs });
      },
      speechEnd: (atMs) => {
        s.vadInSpeech = false;
        s.vadSpeechEndMs = atMs;
        if (arg.vad) emit('speechEnd', { id: s.id, atMs });
      },
    });
  }
  streams.set(s.id, s);
  stats.streams = streams.size;
}

// ---- per stream ------------------------------------------------------------------------------------------
function write(s: StreamState, samples: Float32Array): void {
  s.written += samples.length;
  stats.writtenAudioMs += (samples.length * 1000) / s.inputRate;
  s.vad?.accept(samples);
  const x = s.resampler ? s.resampler.resample(samples) : samples;
  // Undecoded audio waits here (the host refuses writes beyond MAX_PENDING_SECONDS; this is the worker's own bound).
  const cap = (init.maxSegmentMs / 1000 + MAX_PENDING_SECONDS) * RATE;
  if (s.seg.length + x.length > cap) {
    throw new Error(`stream ${s.id}: more than ${Math.round(cap / RATE)} s of audio is waiting to be decoded`);
  }
  s.seg.append(x);
  pump(s);
}

/** Run `fn` once the step in flight is done, with no other step starting meanwhile (flush, close). */
function serial<T>(s: StreamState, fn: () => Promise<T>): Promise<T> {
  s.holds++;
  const next = s.chain
    .then(async () => {
      while (s.busy) await s.current;
      return fn();
    })
    .finally(() => {
      s.holds--;
      pump(s);
    });
  s.chain = next.catch(() => {});
  return next;
}

const samplesToMs = (n: number) => (n * 1000) / RATE;
const msToSamples = (ms: number) => Math.round((ms * RATE) / 1000);

/**
 * Start the next decode this stream needs, if any (one at a time per stream). Endpoint probes run at fixed
 * positions (every PROBE_MS of audio from the segment start), so where an utterance ends never depends on how
 * fast the audio arrives or how long decodes take: a file sent at full speed splits exactly like live audio.
 */
function pump(s: StreamState): void {
  if (s.busy || s.closed || s.holds) return;
  const step = nextStep(s);
  if (step) run(s, step);
}

/** The decode due next on this stream (by audio position), or null while it waits for more audio. */
function nextStep(s: StreamState): (() => Promise<unknown>) | null {
  const seg = s.seg;
  const maxSamples = msToSamples(init.maxSegmentMs);
  const probing = seg.text !== '' && s.endpointingMs !== false;
  const nextProbe = seg.probedTo + msToSamples(cadenceMs);
  const probeDue = probing && nextProbe <= seg.length && nextProbe <= maxSamples;
  // Interims at fixed positions too, each after max(MIN_INTERIM_MS, INTERIM_GROWTH × what the last one saw).
  const nextInterim = seg.decodedTo + msToSamples(Math.max(cadenceMs, MIN_INTERIM_MS, INTERIM_GROWTH * samplesToMs(seg.decodedTo)));
  const interimDue = nextInterim <= seg.length && nextInterim <= maxSamples;
  if (probeDue && (!interimDue || nextProbe <= nextInterim)) return () => probe(s, nextProbe, s.endpointingMs as number);
  if (interimDue) return () => interim(s, nextInterim);
  if (seg.length >= maxSamples) return () => cutAtMaxLength(s, maxSamples);
  return null;
}

/** Everything due on the audio written so far (partials, endpoints, maximum-length cuts), in order. */
async function catchUp(s: StreamState): Promise<void> {
  for (let step = nextStep(s); step; step = nextStep(s)) await step();
}

function run(s: StreamState, step: () => Promise<unknown>): void {
  s.busy = true;
  const p = step().then(
    () => {
      s.busy = false;
      pump(s);
    },
    (err) => {
      s.busy = false;
      fail(s, err);
    },
  );
  s.current = p;
}

function report(s: StreamState, ms: number): void {
  if (ms > s.decodedMs) s.decodedMs = ms;
  emit('progress', { decoded: [[s.id, s.decodedMs]], busyMs: 0 });
}

/** Re-decode the segment up to `upTo`: a partial when its text changed; silence before any text is dropped. */
async function interim(s: StreamState, upTo: number): Promise<void> {
  const seg = s.seg;
  const startMs = seg.startMs;
  const r = await decode('interim', seg.buf.slice(0, upTo));
  if (s.closed || seg.startMs !== startMs) return; // finalized meanwhile (a flush)
  seg.decodedTo = Math.max(seg.decodedTo, upTo);
  const text = r.text.trim();
  report(s, startMs + samplesToMs(upTo));
  if (!text) {
    // Nothing heard yet: keep only the last IDLE_KEEP_MS (a word may be starting there).
    if (!s.vadInSpeech) seg.drop(Math.max(0, upTo - msToSamples(IDLE_KEEP_MS)), RATE);
    return;
  }
  if (text !== seg.text) {
    const first = tokenTimes(r, startMs)[0] ?? startMs;
    if (!seg.text) seg.probedTo = Math.max(seg.probedTo, msToSamples(Math.max(0, first - startMs)));
    seg.text = text;
    emit('partial', { id: s.id, text, startMs: Math.round(first), endMs: Math.round(startMs + samplesToMs(upTo)) });
  }
}

/**
 * Decode the window ending at `at` (endpointing + PROBE_CONTEXT_MS long): when neither the recognizer nor
 * Silero heard anything in its last `endpointingMs`, the utterance ended; it is cut in the middle of that
 * silence (clear of a sound just starting at `at`) and finalized.
 */
async function probe(s: StreamState, at: number, endpointingMs: number): Promise<void> {
  const seg = s.seg;
  const startMs = seg.startMs;
  const from = Math.max(0, at - msToSamples(endpointingMs + PROBE_CONTEXT_MS));
  const r = await decode('probe', seg.buf.slice(from, at));
  if (s.closed || seg.startMs !== startMs) return;
  seg.probedTo = at;
  const atMs = startMs + samplesToMs(at);
  report(s, atMs);
  const times = tokenTimes(r, startMs + samplesToMs(from));
  if (silentFor(s, times, atMs, endpointingMs)) await finalizeAt(s, at - msToSamples(endpointingMs / 2), 'endpoint');
}

/** Both detectors agree on `ms` of trailing silence before `endMs`. */
function silentFor(s: StreamState, tokenMs: number[], endMs: number, ms: number): boolean {
  const lastToken = tokenMs.length ? tokenMs[tokenMs.length - 1]! + frameMs : -Infinity;
  if (endMs - lastToken < ms) return false;
  if (!s.vad) return true;
  return !s.vadInSpeech && endMs - s.vadSpeechEndMs >= ms;
}

/** The segment reached the maximum length: finalize it up to just before its last word, keep the rest. */
async function cutAtMaxLength(s: StreamState, maxSamples: number): Promise<void> {
  const seg = s.seg;
  const upTo = Math.min(seg.length, maxSamples);
  const startMs = seg.startMs;
  const r = await decode('interim', seg.buf.slice(0, upTo));
  if (s.closed || seg.startMs !== startMs) return;
  const times = tokenTimes(r, startMs);
  let cut = upTo;
  // The last token that starts a word (not the first): cut just before it, so that word goes whole to the next segment.
  for (let i = r.tokens.length - 1; i > 0; i--) {
    if (WORD_START.test(r.tokens[i]!)) {
      cut = msToSamples(times[i]! - CUT_MARGIN_MS - startMs);
      break;
    }
  }
  if (cut <= 0 || cut > upTo) cut = upTo;
  await finalizeAt(s, cut, 'endpoint');
}

/** Final of the segment's first `upTo` samples (emitted when it has text); the segment then starts there. */
async function finalizeAt(s: StreamState, upTo: number, reason: AsrFinal['reason']): Promise<AsrFinal | null> {
  const seg = s.seg;
  const startMs = seg.startMs;
  const endMs = startMs + samplesToMs(upTo);
  const r = upTo > 0 ? await decode('final', seg.buf.slice(0, upTo)) : null;
  // Everything up to the cut is done; audio after it (it kept arriving meanwhile) starts the next segment.
  seg.drop(upTo, RATE);
  seg.text = '';
  report(s, endMs);
  const text = r?.text.trim() ?? '';
  if (!r || !text) return null;
  const final = finalOf(r, startMs, endMs, reason);
  emit('final', { id: s.id, ...final });
  return final;
}

/** Flush: the whole segment so far (after any decode in flight); no other decode of this stream starts meanwhile. */
async function finalize(s: StreamState, reason: AsrFinal['reason']): Promise<AsrFinal | null> {
  s.busy = true;
  try {
    // Utterances that ended inside audio not decoded yet get their own finals first, as they would live.
    await catchUp(s);
    const final = await finalizeAt(s, s.seg.length, reason);
    report(s, s.writtenMs);
    return final;
  } finally {
    s.busy = false;
    pump(s);
  }
}

/** Absolute start time (stream ms) of each token. */
function tokenTimes(r: OfflineRecognizerResult, offsetMs: number): number[] {
  const ts = r.timestamps ?? [];
  return r.tokens.map((_, i) => offsetMs + (ts[i] ?? ts[ts.length - 1] ?? 0) * 1000);
}

function finalOf(r: OfflineRecognizerResult, startMs: number, segEndMs: number, reason: AsrFinal['reason']): AsrFinal {
  const times = tokenTimes(r, startMs);
  const last = times[times.length - 1];
  // A token's time is where it starts; the utterance ends one output frame after the last one (or at the cut).
  const endMs = last === undefined ? segEndMs : Math.min(segEndMs, last + frameMs);
  const words = tokensToWords(r.tokens, times, endMs).map((w) => ({
    word: w.word,
    startMs: Math.round(w.startMs),
    endMs: Math.round(w.endMs),
  }));
  const language = normalizeLanguage(r.lang);
  return {
    text: r.text.trim(),
    startMs: Math.round(times[0] ?? startMs),
    endMs: Math.round(endMs),
    words,
    confidence: 1,
    reason,
    ...(language ? { language } : {}),
  };
}

/** Whisper reports "<|de|>", SenseVoice "<|de|>" or "de": the ISO code, or '' when the model names none. */
function normalizeLanguage(lang: string | undefined): string {
  const m = /^<?\|?([a-z]{2,3})\|?>?$/.exec((lang ?? '').trim().toLowerCase());
  return m ? m[1]! : '';
}
