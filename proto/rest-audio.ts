// REST bodies of the audio endpoints (docs/PROTOCOL.md "REST"): `POST /v1/tts/stream`, OpenAI's
// `POST /v1/audio/speech` and the form fields of `POST /v1/audio/transcriptions`. The routes parse their bodies with
// these; clients and tests build them from the same types. Limits come from the TTS contract (TTS_LIMITS).
import { z } from 'zod';
import { TtsSpeakMessage, TtsFormat, TtsSpeed } from './ws-messages.js';

/** `POST /v1/tts/stream`: the WebSocket's one-shot `speak` message as a JSON body (no `type`; pcm by default). */
export const TtsStreamBody = TtsSpeakMessage.omit({ type: true }).extend({
  text: z.string({ error: 'text is required' }).min(1, 'text is empty; nothing to synthesize'),
  format: TtsFormat.default('pcm'),
  request_id: z.string().min(1).max(200).optional(),
});
export type TtsStreamBody = z.input<typeof TtsStreamBody>;

export const SPEECH_FORMATS = ['mp3', 'wav', 'pcm', 'opus', 'aac', 'flac'] as const;
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];

/** OpenAI's `POST /v1/audio/speech` body, with Earshot's optional `language` and `sample_rate`. */
export const SpeechBody = z.object({
  model: z.string().max(200).optional(),
  input: z.string({ error: 'input (the text to speak) is required' }).min(1, 'input is empty; nothing to synthesize'),
  voice: z.string().max(200).optional(),
  response_format: z
    .string()
    .default('mp3')
    .refine((f) => (SPEECH_FORMATS as readonly string[]).includes(f), {
      error: `response_format must be one of ${SPEECH_FORMATS.join(', ')}`,
    }),
  speed: TtsSpeed.optional(),
  language: z.string().min(1).max(32).optional(),
  sample_rate: z.number().int().min(8000).max(48000).optional(),
  instructions: z.string().max(4096).optional(),
  stream_format: z.enum(['audio', 'sse']).optional(),
});
export type SpeechBody = z.input<typeof SpeechBody>;

export const TRANSCRIPTION_RESPONSE_FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;

/** The form fields of `POST /v1/audio/transcriptions` (multipart; every value arrives as text). */
export const TranscriptionFields = z.object({
  model: z.string().max(200).optional(),
  language: z.string().min(1).max(32).optional(),
  response_format: z.enum(TRANSCRIPTION_RESPONSE_FORMATS).default('json'),
  /** Rate of a raw-PCM upload (ignored for audio files, whose header says it). */
  sample_rate: z.coerce.number().int().min(8000).max(48000).optional(),
  stream: z.enum(['true', 'false']).optional(),
  /** Declares the upload raw PCM (Earshot's own field; OpenAI has none). */
  encoding: z.enum(['pcm_s16le', 'pcm_f32le']).optional(),
  /** Custom words, `,` or new-line separated (Earshot's own field: the session's `vocabulary`). */
  vocabulary: z.string().max(6_000).optional(),
  /** `wrong=>right` rules, `;` or new-line separated (Earshot's own field: the session's `replacements`). */
  replacements: z.string().max(25_000).optional(),
});
export type TranscriptionFields = z.input<typeof TranscriptionFields>;
