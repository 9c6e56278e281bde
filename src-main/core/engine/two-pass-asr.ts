// Two-pass captions: a light streaming model gives the interims (instant, as the words are spoken) and cuts the
// utterances; each final is then re-decoded, whole, by a stronger offline model for the language. The stream
// keeps the audio of the utterance in progress (a bounded ring), and refined-asr.ts keeps events in order while
// the second pass runs. Where the offline model hears nothing (or fails), the streaming final stands.
import { RefinedAsrEngine, type FinalRefiner } from './refined-asr.js';
import type { AsrEngine, AsrFinal, AsrStreamOptions } from './types.js';

/** The offline side: decodes one utterance (times in ms from the start of `samples`). */
export interface SegmentDecoder {
  readonly modelId: string;
  decodeSegment(samples: Float32Array, sampleRate: number): Promise<AsrFinal | null>;
}

/** Audio kept per stream for the second pass: the longest streaming utterance (30 s) plus slack. */
const KEEP_SECONDS = 40;
/** Audio before the first token and after the final's end that the offline model also gets (onsets, tails). */
const LEAD_MS = 250;
const TAIL_MS = 400;

export class TwoPassAsrEngine extends RefinedAsrEngine {
  constructor(
    streaming: AsrEngine,
    private readonly offline: SegmentDecoder,
  ) {
    super(streaming, (opts) => new SecondPass(opts, offline));
  }

  override get finalModelId(): string {
    return this.offline.modelId;
  }
}

/** One stream's second pass: the recent audio, and the re-decode of each final's span of it. */
class SecondPass implements FinalRefiner {
  private readonly rate: number;
  private readonly ring: Float32Array;
  /** Samples written in total (the ring holds the last ring.length of them). */
  private written = 0;
  /** Stream time (ms) of the latest flush: a flush final ends there, not TAIL_MS later. */
  private flushAtMs: number | null = null;

  constructor(
    opts: AsrStreamOptions,
    private readonly offline: SegmentDecoder,
  ) {
    this.rate = opts.sampleRate;
    this.ring = new Float32Array(KEEP_SECONDS * this.rate);
  }

  write(samples: Float32Array): void {
    const n = this.ring.length;
    // Only the last n samples of a write matter.
    const src = samples.length > n ? samples.subarray(samples.length - n) : samples;
    const at = (this.written + samples.length - src.length) % n;
    const first = Math.min(src.length, n - at);
    this.ring.set(src.subarray(0, first), at);
    this.ring.set(src.subarray(first), 0);
    this.written += samples.length;
  }

  flushing(): void {
    this.flushAtMs = (this.written * 1000) / this.rate;
  }

  async refine(f: AsrFinal): Promise<AsrFinal> {
    const writtenMs = (this.written * 1000) / this.rate;
    const endLimit = f.reason === 'flush' && this.flushAtMs !== null ? this.flushAtMs : writtenMs;
    const fromMs = Math.max(0, f.startMs - LEAD_MS, writtenMs - KEEP_SECONDS * 1000);
    const toMs = Math.min(endLimit, f.endMs + TAIL_MS);
    const samples = this.slice(fromMs, toMs);
    if (!samples.length) return f;
    const second = await this.offline.decodeSegment(samples, this.rate);
    if (!second?.text) return f;
    const shift = (ms: number) => Math.round(ms + fromMs);
    return {
      ...f,
      text: second.text,
      startMs: shift(second.startMs),
      endMs: Math.max(shift(second.endMs), f.endMs),
      words: second.words.map((w) => ({ word: w.word, startMs: shift(w.startMs), endMs: shift(w.endMs) })),
      confidence: second.confidence,
      ...(second.language ? { language: second.language } : {}),
    };
  }

  /** A copy of the audio between two stream times (clipped to what the ring still holds). */
  private slice(fromMs: number, toMs: number): Float32Array {
    const n = this.ring.length;
    const from = Math.max(Math.round((fromMs * this.rate) / 1000), this.written - n, 0);
    const to = Math.min(Math.round((toMs * this.rate) / 1000), this.written);
    const out = new Float32Array(Math.max(0, to - from));
    for (let i = 0; i < out.length; i++) out[i] = this.ring[(from + i) % n]!;
    return out;
  }
}
