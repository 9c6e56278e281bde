// The engine's public contract: what sessions, the CLI and the API may rely on. Backends implement it;
// nothing above the engine layer reaches into a backend directly.
//
// Time: every *Ms field is milliseconds of audio from the start of the stream (sample-accurate, not wall clock).
// Audio: float32 mono samples in [-1, 1]. Streams resample from their declared input rate to the model's rate.
import { CodedError } from '../errors.js';
import type { SynthesisCacheStats } from './synthesis-cache.js';

export type AsrBackendId = 'sherpa' | 'pocketsphinx';
export type TtsBackendId = 'sherpa' | 'espeak';
export type BackendId = AsrBackendId | TtsBackendId;

export interface WordTiming {
  word: string;
  startMs: number;
  endMs: number;
}

/** Interim hypothesis for the utterance in progress. */
export interface AsrPartial {
  text: string;
  startMs: number;
  endMs: number;
}

/** A finished utterance. */
export interface AsrFinal {
  text: string;
  startMs: number;
  endMs: number;
  words: WordTiming[];
  /** 0..1; backends without a calibrated score report their best estimate. */
  confidence: number;
  /** What ended the utterance. */
  reason: 'endpoint' | 'flush';
  /**
   * `text` with punctuation and casing, when the engine has a punctuation model (finals only: interims stay
   * raw). Callers choose per stream which one to show; `words` always keep the recognizer's raw tokens.
   */
  punctuatedText?: string;
  /** The language the model heard (ISO 639-1), where it detects one (Whisper, SenseVoice). */
  language?: string;
}

/** Adds punctuation and casing to recognized text (runs off the main thread). */
export interface Punctuator {
  readonly modelId: string;
  /** Rejects (the caller keeps the raw text) when the text is too long or too many texts are waiting. */
  punctuate(text: string): Promise<string>;
  /** Frees its worker; the engine calls it once, at its own close. */
  close?(): Promise<void>;
}

/** Custom vocabulary bounds (AsrStreamOptions.hotwords; the session's `vocabulary`): words, and characters each. */
export const MAX_VOCABULARY_WORDS = 100;
export const MAX_VOCABULARY_WORD_CHARS = 50;

export interface AsrStreamOptions {
  /** Rate of the samples given to write(); 8000..48000. */
  sampleRate: number;
  /** Trailing silence (ms) that ends an utterance; false = only flush() ends one. Default 600. */
  endpointingMs?: number | false;
  /** Emit speech_start / speech_end from the Silero VAD (default true when the VAD model is present). */
  vad?: boolean;
  /**
   * Batch work (a file transcription): decoded only in capacity that live streams leave idle, and not
   * counted against `capacity().liveStreams`. Default false (a live stream).
   */
  batch?: boolean;
  /**
   * Custom words or phrases to bias recognition toward (issue 14's custom vocabulary). Only for an engine with
   * checkVocabulary(); others throw.
   */
  hotwords?: readonly string[];
}

export interface AsrStreamEvents {
  partial: (p: AsrPartial) => void;
  final: (f: AsrFinal) => void;
  speechStart: (atMs: number) => void;
  speechEnd: (atMs: number) => void;
  /** A backend failure. The stream is unusable afterwards. */
  error: (err: Error) => void;
}

/** One live recognition stream (one audio source). Not thread-bound: decoding happens in a worker. */
export interface AsrStream {
  readonly id: string;
  /** Audio written so far, in ms at the input rate. */
  readonly writtenMs: number;
  /** Audio written but not decoded yet (ms): what this stream has queued in the worker. */
  readonly pendingMs: number;
  /** Resolves once at most `maxPendingMs` of this stream's audio is waiting to be decoded (or it closed). */
  drained(maxPendingMs: number): Promise<void>;
  write(samples: Float32Array): void;
  /** End the current utterance now. Resolves with its final, or null when nothing was recognized. */
  flush(): Promise<AsrFinal | null>;
  /** Flush, then release the stream. Resolves with the last final (or null). Idempotent. */
  close(): Promise<AsrFinal | null>;
  on<E extends keyof AsrStreamEvents>(event: E, listener: AsrStreamEvents[E]): this;
  off<E extends keyof AsrStreamEvents>(event: E, listener: AsrStreamEvents[E]): this;
}

/** A loaded recognizer (one model), able to serve many concurrent streams. */
export interface AsrEngine {
  readonly backend: AsrBackendId;
  readonly modelId: string;
  /** Two-pass: the offline model that re-decodes each final (interims come from `modelId`). */
  readonly finalModelId?: string;
  /** Main language ("mul" for a multilingual model). */
  readonly language: string;
  /** Every language it recognizes (ISO 639-1), when more than `language` (multilingual models). */
  readonly languages?: readonly string[];
  /** The model's own rate; input is resampled to it. */
  readonly sampleRate: number;
  createStream(opts: AsrStreamOptions): AsrStream;
  /**
   * Present when the model can be biased toward custom words (sherpa transducers with hotwords): throws an Error
   * naming a word it cannot take. Absent: custom words are not supported by this model.
   */
  checkVocabulary?(words: readonly string[]): void;
  /** Live streams right now. */
  readonly activeStreams: number;
  /** What this engine can serve in real time, as measured (see AsrCapacity). */
  capacity(): AsrCapacity;
  /** Lets open streams finish, then frees the workers; the engine calls it once, at its own close. */
  close?(): Promise<void>;
}

/**
 * Measured capacity of one ASR engine: measured at load by a calibration decode, then continuously from
 * the workers' real-time factor where the backend reports it.
 */
export interface AsrCapacity {
  /** Live streams the engine can keep real-time together (with headroom for batch work and spikes); >= 1. */
  liveStreams: number;
  /** Live (non-batch) streams open now. */
  liveActive: number;
  /** Busy time per audio time of one stream on one worker, as last measured. */
  rtf: number;
  /** Inference workers decoding in parallel. */
  workers: number;
  /** How far behind real time the most delayed live stream is now (ms; 0 when every one keeps up). */
  lagMs: number;
}

/** Share of a worker's time admission plans to fill with live streams; the rest absorbs spikes and batch work. */
export const LIVE_HEADROOM = 0.7;

/** Live streams one worker keeps real-time at the measured real-time factor `rtf` (at least 1). */
export function liveStreamsPerWorker(rtf: number): number {
  if (!(rtf > 0) || !Number.isFinite(rtf)) return 1;
  return Math.max(1, Math.floor(LIVE_HEADROOM / rtf));
}

export interface TtsVoice {
  id: string;
  name: string;
  language: string;
  backend: TtsBackendId;
  sampleRate: number;
  /** True for test fixtures (never picked automatically). */
  fixture?: boolean;
}

export interface SynthesisRequest {
  /**
   * The text, already cut into the pieces to speak, in order: by requestSentences (text/tts-request.ts) for a whole
   * text, or by the incremental SentenceBuffer. A synthesizer speaks each piece as it is and never cuts it again.
   */
  pieces: readonly string[];
  /** Voice id or name; default: the best installed voice for `language` (or English). */
  voice?: string;
  language?: string;
  /** 0.25..4, 1 = normal. */
  speed?: number;
}

export interface SynthesisChunk {
  samples: Float32Array;
  sampleRate: number;
  /** Index of the piece (SynthesisRequest.pieces) this chunk belongs to. */
  sentence: number;
}

export interface Synthesizer {
  readonly backend: TtsBackendId;
  voices(): TtsVoice[];
  /**
   * Stream audio for the request's pieces as it is produced (piece by piece or finer). Aborting the signal stops
   * generation promptly and ends the iterator without an error.
   */
  synthesize(req: SynthesisRequest, signal?: AbortSignal): AsyncIterable<SynthesisChunk>;
  /** Stops its processes or workers; the engine calls it once, at its own close. */
  close?(): Promise<void>;
}

export interface BackendStatus {
  id: BackendId;
  kind: 'asr' | 'tts';
  available: boolean;
  /** Why not, when unavailable; what it uses, when available. */
  detail: string;
  /** ASR, when available: the languages its loaded (non-fixture) models caption. */
  languages?: string[];
}

export interface ModelInfo {
  id: string;
  kind: string;
  language: string;
  /** Every language it covers (ISO 639-1; `*` for language-independent models such as the VAD). */
  languages: string[];
  backend: BackendId;
  /** The catalog's human name. */
  name: string;
  installed: boolean;
  fixture: boolean;
  /** Speed class: fastest | fast | moderate | slow (the catalog says how they are judged). */
  speed?: string;
  /** Accuracy class: basic | fair | good | best. */
  accuracy?: string;
  /** One sentence on what the model is good for. */
  note?: string;
  /** It finds the spoken language itself (Whisper, SenseVoice). */
  detectsLanguage?: boolean;
  /** Download size: the sum of the files' sizes, when the catalog knows every one. */
  sizeBytes?: number;
  /** The upstream archive, for installing by hand (`earshot models import`). */
  upstream?: string;
}

export interface EngineReadiness {
  ready: boolean;
  /** Human-readable state, e.g. "warming sherpa tone-alphabet". */
  detail: string;
}

/** Selection of an ASR engine; anything left out is chosen by the engine. */
export interface AsrSelection {
  backend?: AsrBackendId;
  model?: string;
  language?: string;
  /**
   * Two-pass captions (a streaming model's interims, each final re-decoded by an offline model for the language).
   * Default: on where both are loaded (fixtures: only when asked); true: required; false: single pass.
   */
  twoPass?: boolean;
}

export interface TtsSelection {
  backend?: TtsBackendId;
  voice?: string;
  language?: string;
}

/** The whole speech engine: every loaded backend, their workers, and model bookkeeping. */
export interface Engine {
  /** Resolves when every configured model is loaded and warmed. */
  readonly ready: Promise<void>;
  readiness(): EngineReadiness;
  /** Throws EngineUnavailableError (code 'model_unavailable') when nothing fits. */
  asr(sel?: AsrSelection): AsrEngine;
  tts(sel?: TtsSelection): Synthesizer;
  backends(): BackendStatus[];
  models(): ModelInfo[];
  /** The recognizers loaded now (fixtures only when they were named), in preference order. */
  recognizers(): LoadedRecognizer[];
  voices(): TtsVoice[];
  /** The loaded punctuation model, or null (none installed or configured, or still loading). */
  punctuation(): Punctuator | null;
  /** Hits, misses and size of the synthesis cache shared by every voice. */
  ttsCacheStats(): SynthesisCacheStats;
  close(): Promise<void>;
}

export interface LoadedRecognizer {
  backend: AsrBackendId;
  modelId: string;
  language: string;
  fixture: boolean;
}

export class EngineUnavailableError extends CodedError {
  readonly code = 'model_unavailable' as const;
  constructor(message: string) {
    super('model_unavailable', message);
    this.name = 'EngineUnavailableError';
  }
}
