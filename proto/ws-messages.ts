// WebSocket JSON messages of docs/PROTOCOL.md: one zod schema per message, with inferred types.
// Shared by the server, client helpers, tests and the Svelte renderer, so this file imports nothing but zod
// (no Node built-ins). Client→server schemas are lenient about extra keys here (the ASR session refuses unknown
// `config` keys by name, with the key list of AsrConfigFields);
// server→client schemas describe exactly what the server sends.
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------
// Shared

export const ERROR_CODES = [
  'bad_audio',
  'bad_json',
  'bad_config',
  'too_large',
  'rate_limited',
  'model_unavailable',
  'internal',
  // The server is shutting down and could not finish this work in time (sent just before a 1001 close).
  'unavailable',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** `{"type":"error","code":…,"message":…}`: a bad message; the connection stays open unless closed right after. */
export const ErrorMessage = z.object({
  type: z.literal('error'),
  code: ErrorCode,
  message: z.string(),
  /** TTS: the request the error belongs to, when there is one. */
  request_id: z.string().optional(),
  /** ASR multichannel streams: the channel the error belongs to, when it is one channel's. */
  channel: z.number().int().min(0).optional(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** WebSocket close codes used by the server (besides 1000 normal, 1001 going away). */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  tooLarge: 1009,
  internal: 1011,
  tryAgainLater: 1013,
  unauthorized: 4401,
  forbidden: 4403,
  idle: 4408,
} as const;

/** Query-string and JSON booleans: true/false, "true"/"false", "1"/"0". */
const boolish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1')]);
/** A number given as JSON number or query-string text. */
const numberish = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

// ---------------------------------------------------------------------------------------------------------
// ASR: client → server

/**
 * Raw PCM, a WAV stream, or a compressed container stream decoded as it arrives (a browser's MediaRecorder
 * sends `webm_opus` or `ogg_opus`); a container's own rate replaces `sample_rate`.
 */
export const AsrEncoding = z.enum(['pcm_s16le', 'pcm_f32le', 'wav', 'ogg_opus', 'ogg_vorbis', 'webm_opus', 'mp3', 'flac']);
export type AsrEncoding = z.infer<typeof AsrEncoding>;

/** Stream options: query parameters or a `config` message (same keys). Every key optional. */
export const AsrConfigFields = z.object({
  sample_rate: numberish.pipe(z.number().int().min(8000).max(48000)).optional(),
  encoding: AsrEncoding.optional(),
  language: z.string().min(1).max(32).optional(),
  model: z.string().min(1).max(200).optional(),
  interim_results: boolish.optional(),
  /** Trailing-silence ms that ends an utterance; false = only flush ends one. */
  endpointing: z
    .union([z.literal(false), z.literal('false'), numberish.pipe(z.number().int().min(0).max(60_000))])
    .transform((v) => (v === 'false' ? false : v))
    .optional(),
  punctuate: boolish.optional(),
  words: boolish.optional(),
  /** `new` | an existing session id | `none`. */
  session: z.string().min(1).max(100).optional(),
  source: z.string().min(1).max(100).optional(),
  /** Two-pass: interims from the streaming model, finals re-decoded by an offline model for the language. */
  two_pass: boolish.optional(),
  /** Keep the audio with the stored session (compressed), for playback; opt-in. Needs a stored session. */
  record: boolish.optional(),
  channels: numberish.pipe(z.number().int().min(1).max(8)).optional(),
  multichannel: boolish.optional(),
  /**
   * The user's replacement list, applied to every final (whole words and phrases, any case): an array of
   * {from, to}, or one string of `wrong=>right` rules separated by `;` (the query form). At most 200 rules.
   */
  /**
   * Custom words and phrases to bias recognition toward (sherpa hotwords, where the model supports them; otherwise
   * a `vocabulary_unsupported` warning): an array of strings, or one string separated by `,` or new lines.
   * At most 100, each at most 50 characters. Fixed once audio has started.
   */
  vocabulary: z.union([z.string().max(6_000), z.array(z.string().min(1).max(50)).max(100)]).optional(),
  replacements: z
    .union([z.string().max(25_000), z.array(z.object({ from: z.string().max(100), to: z.string().max(100) })).max(200)])
    .optional(),
});
export type AsrConfigFields = z.infer<typeof AsrConfigFields>;
export type AsrConfigInput = z.input<typeof AsrConfigFields>;

export const AsrConfigMessage = AsrConfigFields.extend({ type: z.literal('config') });
export type AsrConfigMessage = z.infer<typeof AsrConfigMessage>;

/**
 * Audio in JSON: a base64 or hex string of bytes in the stream's encoding, or an array of float samples in
 * [-1, 1] at the stream's rate (how the server tells them apart: src-main/core/api/ws/json-audio.ts).
 */
export const AsrAudioMessage = z.object({ type: z.literal('audio'), audio: z.union([z.string(), z.array(z.number())]) });
export type AsrAudioMessage = z.infer<typeof AsrAudioMessage>;

export const AsrFlushMessage = z.object({ type: z.literal('flush') });
export type AsrFlushMessage = z.infer<typeof AsrFlushMessage>;

/** `end`, or its alias `eof`: flush, then `session_complete`, then close 1000. */
export const AsrEndMessage = z.object({ type: z.enum(['end', 'eof']) });
export type AsrEndMessage = z.infer<typeof AsrEndMessage>;

export const AsrClientMessage = z.discriminatedUnion('type', [AsrConfigMessage, AsrAudioMessage, AsrFlushMessage, AsrEndMessage]);
export type AsrClientMessage = z.infer<typeof AsrClientMessage>;
export const ASR_CLIENT_TYPES = ['config', 'audio', 'flush', 'end', 'eof'] as const;

// ---------------------------------------------------------------------------------------------------------
// ASR: server → client

/**
 * The input channel a message belongs to (0-based), present only on streams opened with `channels=N` and
 * `multichannel=true`: each channel is recognized as its own stream, with its own segment numbers.
 */
const channel = z.number().int().min(0).optional();

export const ReadyMessage = z.object({
  type: z.literal('ready'),
  /** Stored session id when `session` is `new`/<id>; otherwise the stream's own id. */
  session_id: z.string(),
  model: z.string(),
  sample_rate: z.number(),
  /** Whether finals are saved in the transcript store (false: `session=none`, or a server run with --no-store). */
  stored: z.boolean().optional(),
  /**
   * Where this connection's clock starts (ms): 0 for a new stream; for `session=<existing id>` the end of the
   * session's last stored segment, so a resumed session keeps one timeline (its times never go back).
   */
  time_offset_ms: z.number().optional(),
  /** The language the stream is recognized in: the `language` asked for, else the model's (ISO 639-1; `*` = any). */
  language: z.string().optional(),
  /**
   * Two-pass captions: interims from a streaming model, each final re-decoded by the offline model named here
   * (`two_pass`); absent when the stream is single-pass.
   */
  final_model: z.string().optional(),
  /** Multichannel streams: how many channels are recognized (each message then carries its `channel`). */
  channels: z.number().int().optional(),
});
export type ReadyMessage = z.infer<typeof ReadyMessage>;

/**
 * Not an error: the stream or request goes on, but not quite as asked.
 * - ASR `store_disabled`: session=new/<id> on a `--no-store` server; the stream runs unsaved.
 * - TTS `voice_fallback`: the voice named is not installed and `voice` (the best installed one for the text's
 *   language) speaks instead; sent before `synthesis_started`, with the request's id and the voice asked for.
 * - ASR `falling_behind`: the server is behind real time on this stream's model; finals may be late (at most one
 *   every 10 s). If it stays behind, the newest streams are shed (`rate_limited`, then close 1013).
 */
export const WarningMessage = z.object({
  type: z.literal('warning'),
  code: z.enum(['store_disabled', 'voice_fallback', 'falling_behind', 'vocabulary_unsupported']),
  message: z.string(),
  request_id: z.string().optional(),
  /** The voice asked for, and the voice used (voice_fallback). */
  requested_voice: z.string().optional(),
  voice: z.string().optional(),
});
export type WarningMessage = z.infer<typeof WarningMessage>;

export const WireWord = z.object({ word: z.string(), start_ms: z.number(), end_ms: z.number() });
export type WireWord = z.infer<typeof WireWord>;

export const InterimTranscript = z.object({
  type: z.literal('transcript'),
  is_final: z.literal(false),
  segment: z.number().int(),
  text: z.string(),
  start_ms: z.number(),
  end_ms: z.number(),
  channel,
});
export type InterimTranscript = z.infer<typeof InterimTranscript>;

export const FinalTranscript = z.object({
  type: z.literal('transcript'),
  is_final: z.literal(true),
  segment: z.number().int(),
  text: z.string(),
  start_ms: z.number(),
  end_ms: z.number(),
  confidence: z.number(),
  /** Present when word timings were asked for (default). */
  words: z.array(WireWord).optional(),
  latency_ms: z.number(),
  /** The language of this final: what the model detected where it detects one (Whisper, SenseVoice), else the stream's. */
  language: z.string().optional(),
  channel,
});
export type FinalTranscript = z.infer<typeof FinalTranscript>;

export const TranscriptMessage = z.union([InterimTranscript, FinalTranscript]);
export type TranscriptMessage = z.infer<typeof TranscriptMessage>;

export const SpeechStartedMessage = z.object({ type: z.literal('speech_started'), at_ms: z.number(), channel });
export type SpeechStartedMessage = z.infer<typeof SpeechStartedMessage>;
export const SpeechEndedMessage = z.object({ type: z.literal('speech_ended'), at_ms: z.number(), channel });
export type SpeechEndedMessage = z.infer<typeof SpeechEndedMessage>;

/**
 * The answer to every `flush`, after its final (if any): `segment` is the number of the final the flush produced,
 * or null when there was nothing to finalize (no audio, or silence). So a flush is never left unanswered.
 */
export const FlushedMessage = z.object({
  type: z.literal('flushed'),
  segment: z.number().int().nullable(),
  at_ms: z.number(),
  channel,
});
export type FlushedMessage = z.infer<typeof FlushedMessage>;

export const SessionCompleteMessage = z.object({
  type: z.literal('session_complete'),
  session_id: z.string(),
  duration_ms: z.number(),
  segments: z.number().int(),
});
export type SessionCompleteMessage = z.infer<typeof SessionCompleteMessage>;

/**
 * `/v1/system-audio/stream` only, right after `ready`: the server is recording its own system audio from
 * `device` (the default sink's monitor) with `tool`.
 */
export const CaptureMessage = z.object({
  type: z.literal('capture'),
  device: z.string(),
  tool: z.enum(['parec', 'pw-record']),
  sample_rate: z.number().int(),
});
export type CaptureMessage = z.infer<typeof CaptureMessage>;

export const AsrServerMessage = z.union([
  ReadyMessage,
  CaptureMessage,
  InterimTranscript,
  FinalTranscript,
  SpeechStartedMessage,
  SpeechEndedMessage,
  FlushedMessage,
  SessionCompleteMessage,
  WarningMessage,
  ErrorMessage,
]);
export type AsrServerMessage = z.infer<typeof AsrServerMessage>;

// ---------------------------------------------------------------------------------------------------------
// TTS: client → server

/** The limits of every TTS request on every transport (PROTOCOL.md), declared once: text length and speed range. */
export const TTS_LIMITS = { maxTextChars: 100_000, minSpeed: 0.25, maxSpeed: 4 } as const;
/** A speed factor: 1 is the voice's own pace. */
export const TtsSpeed = z.number().min(TTS_LIMITS.minSpeed).max(TTS_LIMITS.maxSpeed);

export const TtsFormat = z.enum(['pcm', 'wav', 'f32']);
export type TtsFormat = z.infer<typeof TtsFormat>;

/** Per-request voice and output options; also what `config` sets for the requests that follow. */
export const TtsOptionFields = z.object({
  voice: z.string().min(1).max(200).optional(),
  language: z.string().min(1).max(32).optional(),
  format: TtsFormat.optional(),
  sample_rate: numberish.pipe(z.number().int().min(8000).max(48000)).optional(),
  speed: numberish.pipe(TtsSpeed).optional(),
});
export type TtsOptionFields = z.infer<typeof TtsOptionFields>;

/** One-shot request: `{"text":…, voice?, format?, sample_rate?, speed?, request_id?}`; `type` may be omitted. */
export const TtsSpeakMessage = TtsOptionFields.extend({
  type: z.literal('speak').optional(),
  text: z.string(),
  request_id: z.string().max(200).optional(),
});
export type TtsSpeakMessage = z.infer<typeof TtsSpeakMessage>;

/** Incremental text (`appendText` is an alias). Options on the first append of a request apply to it. */
export const TtsAppendMessage = TtsOptionFields.extend({
  type: z.enum(['append', 'appendText']),
  text: z.string(),
  request_id: z.string().max(200).optional(),
});
export type TtsAppendMessage = z.infer<typeof TtsAppendMessage>;

export const TtsFlushMessage = z.object({ type: z.literal('flush') });
export type TtsFlushMessage = z.infer<typeof TtsFlushMessage>;
export const TtsFinishMessage = z.object({ type: z.literal('finish') });
export type TtsFinishMessage = z.infer<typeof TtsFinishMessage>;
export const TtsCancelMessage = z.object({ type: z.literal('cancel') });
export type TtsCancelMessage = z.infer<typeof TtsCancelMessage>;
export const TtsConfigMessage = TtsOptionFields.extend({ type: z.literal('config') });
export type TtsConfigMessage = z.infer<typeof TtsConfigMessage>;

export const TtsClientMessage = z.union([
  TtsSpeakMessage,
  TtsAppendMessage,
  TtsFlushMessage,
  TtsFinishMessage,
  TtsCancelMessage,
  TtsConfigMessage,
]);
export type TtsClientMessage = z.infer<typeof TtsClientMessage>;
export const TTS_CLIENT_TYPES = ['speak', 'append', 'appendText', 'flush', 'finish', 'cancel', 'config'] as const;

// ---------------------------------------------------------------------------------------------------------
// TTS: server → client (audio itself travels as binary frames)

export const SynthesisStartedMessage = z.object({
  type: z.literal('synthesis_started'),
  request_id: z.string(),
  sample_rate: z.number(),
  format: TtsFormat,
  voice: z.string(),
});
export type SynthesisStartedMessage = z.infer<typeof SynthesisStartedMessage>;

export const SynthesisCompleteMessage = z.object({
  type: z.literal('synthesis_complete'),
  request_id: z.string(),
  /** Audio duration produced. */
  duration_ms: z.number(),
  /** Server time from the request being ready to speak (text complete, or sentence complete) to its first audio. */
  ttfa_ms: z.number(),
  samples: z.number().int(),
  sample_rate: z.number(),
});
export type SynthesisCompleteMessage = z.infer<typeof SynthesisCompleteMessage>;

export const CancelledMessage = z.object({ type: z.literal('cancelled'), request_id: z.string().optional() });
export type CancelledMessage = z.infer<typeof CancelledMessage>;

export const TtsServerMessage = z.union([
  SynthesisStartedMessage,
  SynthesisCompleteMessage,
  CancelledMessage,
  WarningMessage,
  ErrorMessage,
]);
export type TtsServerMessage = z.infer<typeof TtsServerMessage>;
