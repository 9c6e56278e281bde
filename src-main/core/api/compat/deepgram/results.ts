// Deepgram's listen result shapes (live `Results`/`Metadata`/`UtteranceEnd`/`SpeechStarted` messages and the
// prerecorded response) built from Earshot's transcript messages. Times are seconds, as Deepgram sends them.
import { randomUUID } from 'node:crypto';
import type { FinalTranscript, InterimTranscript } from '../../../../../proto/ws-messages.js';

const s = (ms: number): number => Math.round(ms) / 1000;

/** Deepgram words: `word` is the bare lower-case form, `punctuated_word` the text as shown. */
export function deepgramWords(t: FinalTranscript | InterimTranscript) {
  const words = 'words' in t && t.words ? t.words : [];
  const confidence = 'confidence' in t ? t.confidence : 0;
  return words.map((w) => ({
    word: w.word.toLowerCase().replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, ''),
    start: s(w.start_ms),
    end: s(w.end_ms),
    confidence,
    punctuated_word: w.word,
  }));
}

export interface ModelInfo {
  name: string;
  version: string;
  arch: string;
}

export function modelInfo(model: string): ModelInfo {
  return { name: model, version: 'earshot', arch: 'on-device' };
}

/** One live `Results` message. */
export function resultsMessage(
  t: FinalTranscript | InterimTranscript,
  ctx: { requestId: string; model: string; speechFinal: boolean; fromFinalize: boolean; channels?: number },
) {
  return {
    type: 'Results' as const,
    // [this channel, channels transcribed]: one transcript per channel with multichannel=true, as Deepgram.
    channel_index: [t.channel ?? 0, ctx.channels ?? 1],
    duration: s(t.end_ms - t.start_ms),
    start: s(t.start_ms),
    is_final: t.is_final,
    speech_final: t.is_final && ctx.speechFinal,
    from_finalize: t.is_final && ctx.fromFinalize,
    channel: {
      alternatives: [{ transcript: t.text, confidence: t.is_final ? t.confidence : 0, words: deepgramWords(t) }],
    },
    metadata: { request_id: ctx.requestId, model_info: modelInfo(ctx.model), model_uuid: ctx.model },
  };
}

/** The `Metadata` message a live stream ends with (also the prerecorded response's `metadata`). */
export function metadataMessage(ctx: { requestId: string; model: string; durationMs: number; createdAt: Date; channels?: number }) {
  return {
    type: 'Metadata' as const,
    transaction_key: 'deprecated',
    request_id: ctx.requestId,
    sha256: '',
    created: ctx.createdAt.toISOString(),
    duration: s(ctx.durationMs),
    channels: ctx.channels ?? 1,
    models: [ctx.model],
    model_info: { [ctx.model]: modelInfo(ctx.model) },
  };
}

/** The prerecorded `POST /v1/listen` response: one channel, one alternative, and the utterances. */
export function prerecordedResponse(r: { segments: FinalTranscript[]; text: string; durationMs: number; model: string; createdAt: Date }) {
  const requestId = randomUUID();
  const words = r.segments.flatMap((seg) => deepgramWords(seg));
  const confidence = r.segments.length ? r.segments.reduce((a, seg) => a + seg.confidence, 0) / r.segments.length : 0;
  const { type: _t, ...metadata } = metadataMessage({ requestId, model: r.model, durationMs: r.durationMs, createdAt: r.createdAt });
  return {
    metadata,
    results: {
      channels: [{ alternatives: [{ transcript: r.text, confidence, words }] }],
      utterances: r.segments.map((seg) => ({
        id: randomUUID(),
        start: s(seg.start_ms),
        end: s(seg.end_ms),
        confidence: seg.confidence,
        channel: 0,
        transcript: seg.text,
        words: deepgramWords(seg),
      })),
    },
  };
}
