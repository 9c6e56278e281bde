// The pocketsphinx inference worker: owns the decoders (one per open stream, pooled) and does all native
// calls, resampling and endpointing off the main thread. The host side is ./engine.ts.
//
// Scheduling: writes only queue audio (as 100 ms blocks stamped with a deadline, ../../realtime-order.ts);
// a loop decodes one block at a time — due live audio first, earliest deadline first; bursts and batch
// streams in idle capacity — and yields to the message queue every few ms, so a stream that sent two
// minutes of audio at once cannot make another stream's words late. flush/close are queued behind the
// stream's own audio and answered when reached. The loop measures its real-time factor (busy time per audio
// time) and reports it with each stream's decoded position, for admission and backpressure on the host.
//
// Endpointing: an energy VAD (./energy-vad.ts) marks voiced frames; once the utterance has had speech and
// `endpointingMs` of trailing silence, it ends with a final and a new utterance starts. Every frame is decoded
// (-remove_silence no), so a word's frame number is exactly its stream time.
//
// Speech gate: the energy VAD cannot tell speech from room noise (a fan, traffic, a hiss), and pocketsphinx
// turns noise into words ("if", "thank"). When the Silero VAD model is installed, every stream also runs Silero
// (./speech-gate.ts) and an utterance counts as speech only once Silero has heard speech in it: until then no
// partial is shown, and an utterance that ends (or runs 10 s) without speech is dropped with no final. Speech
// utterances are decoded exactly as without the gate, so the words do not change.
import { StreamingResampler } from '../../../audio/index.js';
import { Rechunker } from '../../../audio/index.js';
import type { AsrFinal, AsrPartial } from '../../types.js';
import { serveRpc } from '../../worker-host.js';
import { pickNext, VirtualClock, type QueuedWork } from '../../realtime-order.js';
import { decoderArgs, loadAddon, POCKETSPHINX_RATE, type PsHandle } from './native.js';
import { EnergyVad } from './energy-vad.js';
import { createSpeechGate, type SpeechGate } from './speech-gate.js';
import { cleanHypothesis, segmentsToWords } from './words.js';
import { lowerThisThreadPriority, nameThisThread } from '../../thread-self.js';

/** Silence after which speech_end is reported (endpointing is separate, per stream). */
const SPEECH_END_MS = 300;
const SAMPLES_PER_MS = POCKETSPHINX_RATE / 1000;
/** Decode in blocks of this many samples (100 ms): the granularity of partials and endpoints. */
const BLOCK = 1600;
/** With no speech for this long, the silent utterance is dropped and a fresh one started (bounded memory). */
const SILENT_RESTART_SAMPLES = 10 * POCKETSPHINX_RATE;
/** No utterance runs longer than this; it ends with a final (bounded decoder memory and latency). */
const MAX_UTTERANCE_SAMPLES = 60 * POCKETSPHINX_RATE;
/** Idle decoders kept for the next stream (loading one takes ~0.5 s; each holds ~85 MB). */
const POOL_SIZE = 1;
/** The decode loop yields to the message queue after this much work (ms). */
const SLICE_MS = 8;
/** Calibration: seconds of speech-like audio decoded at start to measure this worker's real-time factor. */
const CALIBRATION_S = 3;

export interface InitArgs {
  /** Silero VAD model: gate every stream with it (no words for non-speech). Null: energy VAD only. */
  vadModel?: string | null;
  /** A replacement worker (engine/worker-recycler.ts) takes its predecessor's real-time factor instead of calibrating. */
  rtf?: number;
  /** The batch worker (file transcriptions only): lower this thread's CPU priority to this nice value; no calibration. */
  nice?: number;
}

export interface OpenArgs {
  id: string;
  sampleRate: number;
  endpointingMs: number | false;
  vad: boolean;
  /** Batch work (file transcription): decoded only in idle capacity. */
  batch?: boolean;
}

export type PocketsphinxWorkerEvents = {
  partial: { id: string; partial: AsrPartial };
  final: { id: string; final: AsrFinal };
  speechStart: { id: string; atMs: number };
  speechEnd: { id: string; atMs: number };
  streamError: { id: string; message: string };
  /** Audio decoded so far per stream (ms of stream time), and this worker's recent real-time factor. */
  progress: { decoded: [id: string, ms: number][]; rtf: number };
};

nameThisThread('asr-psphinx');
const addon = loadAddon();
const pool: PsHandle[] = [];
let batchPool: PsHandle | undefined;
/** The Silero model streams are gated with (set by init), or null. */
let gateModel: string | null = null;

function acquire(): PsHandle {
  return pool.pop() ?? addon.create(decoderArgs(), true);
}

/** The batch reference decoder: the model's own (batch) cepstral mean normalisation. */
function batchDecoder(): PsHandle {
  return (batchPool ??= addon.create(decoderArgs(), false));
}

function release(h: PsHandle): void {
  if (pool.length < POOL_SIZE) pool.push(h);
  else addon.free(h);
}

function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = Math.round(v < 0 ? v * 32768 : v * 32767);
  }
  return out;
}

class StreamState {
  readonly decoder = acquire();
  readonly resampler: StreamingResampler;
  /**
   * Fixed 100 ms blocks whatever the client's write sizes: the live CMN and the endpointer step per block, so
   * the same audio gives the same words however it was chunked (a file, a WebSocket, a sound-server capture).
   */
  readonly blocks = new Rechunker(BLOCK);
  /** Samples (16 kHz) given to the decoder so far: the stream clock. */
  pos = 0;
  inUtt = false;
  uttStart = 0;
  readonly vad = new EnergyVad();
  /** Silero, when installed: whether the current utterance holds speech (null: no gate). */
  readonly gate: SpeechGate | null = gateModel ? createSpeechGate(gateModel, POCKETSPHINX_RATE) : null;
  /** Between a speech_start and its speech_end. */
  talking = false;
  lastPartial = '';
  failed = false;
  closing = false;
  /** Work queued for the decode loop, in order. */
  readonly queue: Work[] = [];
  readonly clock = new VirtualClock();
  /** When the decode loop last served this stream (fair share among due live streams). */
  servedAtMs = Number.NEGATIVE_INFINITY;

  constructor(readonly args: OpenArgs) {
    addon.startStream(this.decoder); // segment frames are stream-wide: frame n = n * 10 ms of this stream
    this.resampler = new StreamingResampler(args.sampleRate, POCKETSPHINX_RATE);
  }
}

/** A 100 ms block to decode, or a flush/close to answer once the audio before it is decoded. */
type Work =
  | { kind: 'block'; samples: Float32Array; deadlineMs: number }
  | { kind: 'flush' | 'close'; rest: Float32Array | null; deadlineMs: number; done: (final: AsrFinal | null) => void };

const streams = new Map<string, StreamState>();
const server = serveRpc<PocketsphinxWorkerEvents>({
  /**
   * Load (and keep) one decoder and measure this worker's real-time factor on speech-like audio; load the
   * speech gate's model once (a model that fails to load is an error, not a silently ungated engine).
   */
  init: (a: InitArgs | undefined) => {
    if (a?.nice) {
      lowerThisThreadPriority(a.nice);
      nameThisThread('asr-psphinx-bat');
    }
    if (a?.vadModel) {
      createSpeechGate(a.vadModel, POCKETSPHINX_RATE).release(); // loads now; ready for the first stream
      gateModel = a.vadModel;
    }
    const h = acquire();
    addon.startUtt(h);
    addon.processRaw(h, new Int16Array(POCKETSPHINX_RATE / 2), false);
    addon.endUtt(h, false);
    // The batch worker's speed does not bound live capacity: no calibration (a file would wait for it). A
    // replacement worker (worker-recycler.ts) takes its predecessor's real-time factor instead of calibrating.
    const rtf = a?.nice ? 0 : a?.rtf ? seedLoad(a.rtf) : calibrate(h);
    release(h);
    return { ok: true, rtf };
  },
  open: (a: OpenArgs) => {
    if (streams.has(a.id)) throw new Error(`stream ${a.id} already open`);
    streams.set(a.id, new StreamState(a));
  },
  write: (a: { id: string; samples: Float32Array }) => {
    const st = streams.get(a.id);
    if (!st || st.failed) return;
    guard(st, () => enqueueAudio(st, st.resampler.process(a.samples)));
    schedule();
  },
  flush: (a: { id: string }): Promise<AsrFinal | null> => {
    const st = streams.get(a.id);
    if (!st) throw new Error(`stream ${a.id} is not open`);
    return new Promise((done) => {
      st.queue.push({ kind: 'flush', rest: st.blocks.drain(false), deadlineMs: st.clock.stamp(performance.now(), 0).endMs, done });
      schedule();
    });
  },
  close: (a: { id: string }): Promise<AsrFinal | null> | null => {
    const st = streams.get(a.id);
    if (!st || st.closing) return null;
    st.closing = true;
    return new Promise((done) => {
      guard(st, () => enqueueAudio(st, st.resampler.flush()));
      if (st.failed) return done(null);
      st.queue.push({ kind: 'close', rest: st.blocks.drain(false), deadlineMs: st.clock.stamp(performance.now(), 0).endMs, done });
      schedule();
    });
  },
  /** The whole file in one ps_process_raw(full_utt=TRUE) call: the library's batch result, for comparison. */
  decodeWhole: (a: { samples: Float32Array }): string => {
    const h = batchDecoder();
    addon.startStream(h);
    addon.startUtt(h);
    addon.processRaw(h, toInt16(a.samples), true);
    return cleanHypothesis(addon.endUtt(h, false).text);
  },
});

/** Run `fn`; a native failure marks the stream failed (its decoder is dropped) and reports it. */
function guard<T>(st: StreamState, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    st.failed = true;
    try {
      addon.free(st.decoder);
    } catch {
      /* already unusable */
    }
    for (const w of st.queue.splice(0)) if (w.kind !== 'block') w.done(null);
    // The host never closes a failed stream in the worker (its close() ends on the host side): forget it now.
    streams.delete(st.args.id);
    st.gate?.release();
    server.emit('streamError', { id: st.args.id, message: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

const ms = (samples: number) => samples / SAMPLES_PER_MS;

/** Cut new audio into blocks, each due when its stream's virtual clock says (see realtime-order.ts). */
function enqueueAudio(st: StreamState, samples16k: Float32Array): void {
  if (!samples16k.length) return;
  const held = st.blocks.buffered;
  const { startMs } = st.clock.stamp(performance.now(), ms(samples16k.length));
  let end = -held;
  for (const block of st.blocks.push(samples16k)) {
    end += block.length;
    st.queue.push({ kind: 'block', samples: block, deadlineMs: startMs + ms(end) });
  }
}

let scheduled = false;
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(runSlice);
}

/** Recent load: busy time and audio decoded, decayed so the figure follows the last ~10 s of work. */
const load = { busyMs: 0, audioMs: 0, rtf: 0 };
const touched = new Set<StreamState>();

/** Decode queued work for up to SLICE_MS, most urgent first; then report progress and yield. */
function runSlice(): void {
  scheduled = false;
  const started = performance.now();
  let now = started;
  while (now - started < SLICE_MS) {
    const st = pickNext(streams.values(), headOf, now);
    if (!st) break;
    const w = st.queue.shift()!;
    const t0 = now;
    st.servedAtMs = t0;
    if (w.kind === 'block') {
      guard(st, () => decodeBlock(st, w.samples));
      noteLoad(performance.now() - t0, ms(w.samples.length));
    } else {
      finishWork(st, w);
    }
    touched.add(st);
    now = performance.now();
  }
  if (touched.size) {
    server.emit('progress', { decoded: [...touched].map((st) => [st.args.id, ms(st.pos)]), rtf: load.rtf });
    touched.clear();
  }
  for (const st of streams.values()) {
    if (st.queue.length) return schedule();
  }
}

function headOf(st: StreamState): QueuedWork | null {
  const w = st.queue[0];
  return w ? { deadlineMs: w.deadlineMs, batch: !!st.args.batch, servedAtMs: st.servedAtMs } : null;
}

/** A flush or close reached the front of its stream's queue: every block before it is decoded. */
function finishWork(st: StreamState, w: Extract<Work, { kind: 'flush' | 'close' }>): void {
  const final = st.failed
    ? null
    : guard(st, () => {
        if (w.rest) decodeBlock(st, w.rest);
        return st.inUtt ? finalize(st, 'flush') : null;
      });
  if (w.kind === 'close') {
    streams.delete(st.args.id);
    st.gate?.release();
    if (!st.failed) release(st.decoder);
  }
  w.done(final ?? null);
}

function noteLoad(busyMs: number, audioMs: number): void {
  const DECAY_AUDIO_MS = 10_000;
  const keep = Math.max(0, 1 - audioMs / DECAY_AUDIO_MS);
  load.busyMs = load.busyMs * keep + busyMs;
  load.audioMs = load.audioMs * keep + audioMs;
  load.rtf = load.busyMs / load.audioMs;
}

/**
 * Decode CALIBRATION_S of speech-like audio (noise shaped into syllables and pauses, which keeps many
 * hypotheses active, as speech does) in 100 ms blocks, as a live stream would; returns busy time / audio time.
 */
function calibrate(h: PsHandle): number {
  const n = CALIBRATION_S * POCKETSPHINX_RATE;
  const audio = new Float32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const syllable = Math.max(0, Math.sin((Math.PI * i) / (POCKETSPHINX_RATE * 0.2)));
    const pause = i % POCKETSPHINX_RATE < POCKETSPHINX_RATE * 0.8 ? 1 : 0.02;
    audio[i] = ((seed / 0x7fffffff) * 2 - 1) * 0.3 * syllable * pause + 0.2 * Math.sin(i * 0.07) * syllable * pause;
  }
  addon.startStream(h);
  addon.startUtt(h);
  const t0 = performance.now();
  for (let o = 0; o < n; o += BLOCK) {
    addon.processRaw(h, toInt16(audio.subarray(o, o + BLOCK)), false);
    addon.getHyp(h);
  }
  addon.endUtt(h, true);
  return seedLoad((performance.now() - t0) / (n / SAMPLES_PER_MS));
}

/** Start the load figure at `rtf`, as if 2 s of audio had been decoded at it. */
function seedLoad(rtf: number): number {
  load.busyMs = rtf * 2000;
  load.audioMs = 2000;
  load.rtf = rtf;
  return rtf;
}

function decodeBlock(st: StreamState, block: Float32Array): void {
  const { id, endpointingMs, vad } = st.args;
  if (!st.inUtt) {
    addon.startUtt(st.decoder);
    st.inUtt = true;
    st.uttStart = st.pos;
    st.lastPartial = '';
    st.gate?.newUtterance();
  }
  addon.processRaw(st.decoder, toInt16(block), false);
  st.gate?.push(block);
  const onset = st.vad.push(block);
  st.pos += block.length;
  const silence = st.vad.silenceAt(st.pos);
  if (onset >= 0 && !st.talking) {
    st.talking = true;
    if (vad) server.emit('speechStart', { id, atMs: ms(onset) });
  } else if (st.talking && silence >= SPEECH_END_MS * SAMPLES_PER_MS) {
    st.talking = false;
    if (vad) server.emit('speechEnd', { id, atMs: ms(st.vad.lastVoicedEnd) });
  }
  const voiced = st.vad.lastVoicedEnd > st.uttStart;
  const speechSeen = voiced && (st.gate?.heard ?? true);
  if (speechSeen) {
    const text = cleanHypothesis(addon.getHyp(st.decoder));
    if (text && text !== st.lastPartial) {
      st.lastPartial = text;
      server.emit('partial', { id, partial: { text, startMs: ms(st.uttStart), endMs: ms(st.pos) } });
    }
  }
  const uttLength = st.pos - st.uttStart;
  if (!speechSeen && uttLength >= SILENT_RESTART_SAMPLES) {
    addon.endUtt(st.decoder, false); // nothing said: drop it
    st.inUtt = false;
  } else if (endpointingMs !== false && voiced && !speechSeen && silence >= endpointingMs * SAMPLES_PER_MS) {
    addon.endUtt(st.decoder, false); // a noise burst ended, with no speech in it: drop it
    st.inUtt = false;
  } else if (uttLength >= MAX_UTTERANCE_SAMPLES) {
    finalize(st, 'endpoint');
  } else if (endpointingMs !== false && speechSeen && silence >= endpointingMs * SAMPLES_PER_MS) {
    finalize(st, 'endpoint');
  }
}

/** End the utterance in progress; emit and return its final (null when nothing was recognized). */
function finalize(st: StreamState, reason: AsrFinal['reason']): AsrFinal | null {
  if (st.gate && !st.gate.heard) {
    addon.endUtt(st.decoder, false); // the gate heard no speech in it: noise gives no words
    st.inUtt = false;
    st.lastPartial = '';
    return null;
  }
  const r = addon.endUtt(st.decoder, true);
  st.inUtt = false;
  st.lastPartial = '';
  const { words, confidence } = segmentsToWords(r.words, 0);
  const text = words.length ? words.map((w) => w.word).join(' ') : cleanHypothesis(r.text);
  if (!text) return null;
  const final: AsrFinal = {
    text,
    startMs: words[0]?.startMs ?? ms(st.uttStart),
    endMs: words.at(-1)?.endMs ?? ms(st.pos),
    words,
    confidence,
    reason,
  };
  server.emit('final', { id: st.args.id, final });
  return final;
}
