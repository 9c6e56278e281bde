// The pocketsphinx inference worker: owns the decoders (one per live stream, pooled) and does all native
// calls, resampling and endpointing off the main thread. The host side is ./engine.ts.
//
// Endpointing: an energy VAD (./energy-vad.ts) marks voiced frames; once the utterance has had speech and
// `endpointingMs` of trailing silence, it ends with a final and a new utterance starts. Every frame is decoded
// (-remove_silence no), so a word's frame number is exactly its stream time.
import { StreamingResampler } from '../../../audio/resampler.js';
import { Rechunker } from '../../../audio/rechunker.js';
import type { AsrFinal, AsrPartial } from '../../types.js';
import { serveRpc } from '../../worker-host.js';
import { decoderArgs, loadAddon, POCKETSPHINX_RATE, type PsHandle } from './native.js';
import { EnergyVad } from './energy-vad.js';
import { cleanHypothesis, segmentsToWords } from './words.js';

/** Silence after which speech_end is reported (endpointing is separate, per stream). */
const SPEECH_END_MS = 300;
const SAMPLES_PER_MS = POCKETSPHINX_RATE / 1000;
/** Decode in blocks of this many samples (100 ms): the granularity of partials and endpoints. */
const BLOCK = 1600;
/** With no speech for this long, the silent utterance is dropped and a fresh one started (bounded memory). */
const SILENT_RESTART_SAMPLES = 10 * POCKETSPHINX_RATE;
/** No utterance runs longer than this; it ends with a final (bounded decoder memory and latency). */
const MAX_UTTERANCE_SAMPLES = 60 * POCKETSPHINX_RATE;
/** Idle decoders kept for the next stream (loading one takes ~0.5 s). */
const POOL_SIZE = 2;

export interface OpenArgs {
  id: string;
  sampleRate: number;
  endpointingMs: number | false;
  vad: boolean;
}

export type PocketsphinxWorkerEvents = {
  partial: { id: string; partial: AsrPartial };
  final: { id: string; final: AsrFinal };
  speechStart: { id: string; atMs: number };
  speechEnd: { id: string; atMs: number };
  streamError: { id: string; message: string };
};

const addon = loadAddon();
const pool: PsHandle[] = [];
let batchPool: PsHandle | undefined;

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
  /** Between a speech_start and its speech_end. */
  talking = false;
  lastPartial = '';
  failed = false;

  constructor(readonly args: OpenArgs) {
    addon.startStream(this.decoder); // segment frames are stream-wide: frame n = n * 10 ms of this stream
    this.resampler = new StreamingResampler(args.sampleRate, POCKETSPHINX_RATE);
  }
}

const streams = new Map<string, StreamState>();
const server = serveRpc<PocketsphinxWorkerEvents>({
  /** Load (and keep) one decoder and run a short silent utterance, so the first stream starts at once. */
  init: () => {
    const h = acquire();
    addon.startUtt(h);
    addon.processRaw(h, new Int16Array(POCKETSPHINX_RATE / 2), false);
    addon.endUtt(h, false);
    release(h);
    return { ok: true };
  },
  open: (a: OpenArgs) => {
    if (streams.has(a.id)) throw new Error(`stream ${a.id} already open`);
    streams.set(a.id, new StreamState(a));
  },
  write: (a: { id: string; samples: Float32Array }) => {
    const st = streams.get(a.id);
    if (!st || st.failed) return;
    guard(st, () => feed(st, st.resampler.process(a.samples)));
  },
  flush: (a: { id: string }): AsrFinal | null => {
    const st = streams.get(a.id);
    if (!st) throw new Error(`stream ${a.id} is not open`);
    if (st.failed) return null;
    return (
      guard(st, () => {
        drainBlocks(st);
        return st.inUtt ? finalize(st, 'flush') : null;
      }) ?? null
    );
  },
  close: (a: { id: string }): AsrFinal | null => {
    const st = streams.get(a.id);
    if (!st) return null;
    streams.delete(a.id);
    if (st.failed) return null;
    const last = guard(st, () => {
      feed(st, st.resampler.flush());
      drainBlocks(st);
      return st.inUtt ? finalize(st, 'flush') : null;
    });
    if (!st.failed) release(st.decoder);
    return last ?? null;
  },
  /** Writes are decoded as they arrive, in order: by the time this runs, everything written before it is decoded. */
  drain: (_a: { id: string }): null => null,
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
    server.emit('streamError', { id: st.args.id, message: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

const ms = (samples: number) => samples / SAMPLES_PER_MS;

function feed(st: StreamState, samples16k: Float32Array): void {
  for (const block of st.blocks.push(samples16k)) decodeBlock(st, block);
}

/** Decode the partial block held back (before a flush or close). */
function drainBlocks(st: StreamState): void {
  const rest = st.blocks.drain(false);
  if (rest) decodeBlock(st, rest);
}

function decodeBlock(st: StreamState, block: Float32Array): void {
  const { id, endpointingMs, vad } = st.args;
  if (!st.inUtt) {
    addon.startUtt(st.decoder);
    st.inUtt = true;
    st.uttStart = st.pos;
    st.lastPartial = '';
  }
  addon.processRaw(st.decoder, toInt16(block), false);
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
  const speechSeen = st.vad.lastVoicedEnd > st.uttStart;
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
  } else if (uttLength >= MAX_UTTERANCE_SAMPLES) {
    finalize(st, 'endpoint');
  } else if (endpointingMs !== false && speechSeen && silence >= endpointingMs * SAMPLES_PER_MS) {
    finalize(st, 'endpoint');
  }
}

/** End the utterance in progress; emit and return its final (null when nothing was recognized). */
function finalize(st: StreamState, reason: AsrFinal['reason']): AsrFinal | null {
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
