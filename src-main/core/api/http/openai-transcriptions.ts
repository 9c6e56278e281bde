// POST /v1/audio/transcriptions — OpenAI-compatible: multipart `file` (WAV of any supported rate, or raw
// 16 kHz s16le PCM), `model`, `language`, `response_format` = json | text | srt | vtt | verbose_json.
// OpenAI's `prompt`, `temperature`, `timestamp_granularities[]`, `include[]`, `chunking_strategy` and
// `stream` are accepted and ignored (the response is never streamed); the model names `whisper-1` and
// `gpt-4o*-transcribe` mean the default engine (openai-names.ts).
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FinalTranscript } from '../../../../proto/ws-messages.js';
import { toSrt, toVtt, type ExportSegment } from '../../store/export.js';
import type { ApiContext } from '../context.js';
import { describeZodError, RestError, sendError } from './openai-errors.js';
import { transcribeBuffer, type FileTranscription } from './openai-file-transcription.js';
import { resolveAsrModel } from './openai-names.js';

export const RESPONSE_FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;

export const TranscriptionFields = z.object({
  model: z.string().max(200).optional(),
  language: z.string().min(1).max(32).optional(),
  response_format: z.enum(RESPONSE_FORMATS).default('json'),
  /** Rate of a raw-PCM upload (ignored for WAV, whose header says it). */
  sample_rate: z.coerce.number().int().min(8000).max(48000).optional(),
});

/** Form fields we read or knowingly ignore; anything else is a 400 that names it (catches typos). */
const KNOWN_FIELDS = new Set([
  'model', 'language', 'response_format', 'sample_rate',
  'prompt', 'temperature', 'timestamp_granularities[]', 'timestamp_granularities', 'include[]', 'include',
  'chunking_strategy', 'stream', 'known_speaker_names[]', 'known_speaker_references[]',
]);
const MAX_FIELD_BYTES = 64 * 1024;

export async function registerTranscriptionRoute(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: ctx.limits.maxUploadBytes, files: 1, fields: 32, fieldSize: MAX_FIELD_BYTES, parts: 40 },
    throwFileSizeLimit: true,
  });

  app.post('/v1/audio/transcriptions', async (req, reply) => {
    try {
      if (!req.isMultipart()) {
        throw new RestError('bad_config', 'send multipart/form-data with a `file` part (the audio) and optional `model`, `language`, `response_format`');
      }
      const fields: Record<string, string> = {};
      let audio: Buffer | null = null;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file') throw new RestError('bad_config', `unexpected file part "${part.fieldname}"; the audio goes in "file"`);
          audio = await part.toBuffer();
        } else {
          if (!KNOWN_FIELDS.has(part.fieldname)) throw new RestError('bad_config', `unknown form field "${part.fieldname}"`);
          fields[part.fieldname] = String(part.value);
        }
      }
      if (!audio) throw new RestError('bad_audio', 'the `file` part (the audio to transcribe) is missing');
      const parsed = TranscriptionFields.safeParse(fields);
      if (!parsed.success) throw new RestError('bad_config', describeZodError(parsed.error));
      const f = parsed.data;
      const model = resolveAsrModel(f.model, ctx.engine.models());
      const isWav = audio.byteLength >= 4 && audio.toString('latin1', 0, 4) === 'RIFF';
      // A client that hangs up cancels its transcription at once (nothing is left decoding for nobody).
      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) gone.abort();
      });
      const result = await transcribeBuffer(ctx, audio, {
        encoding: isWav ? 'wav' : 'pcm_s16le',
        ...(f.sample_rate && !isWav ? { sample_rate: f.sample_rate } : {}),
        ...(f.language ? { language: f.language } : {}),
        ...(model ? { model } : {}),
      }, gone.signal);
      return renderTranscription(reply, f.response_format, result, f.language);
    } catch (err) {
      // Multipart limit errors come as Fastify errors (413 / 400); the rest map by type.
      return sendError(reply, err);
    }
  });
}

function exportSegments(segments: readonly FinalTranscript[]): ExportSegment[] {
  return segments.map((s) => ({ startMs: s.start_ms, endMs: s.end_ms, text: s.text }));
}

function renderTranscription(
  reply: import('fastify').FastifyReply,
  format: (typeof RESPONSE_FORMATS)[number],
  r: FileTranscription,
  language: string | undefined,
) {
  switch (format) {
    case 'text':
      return reply.type('text/plain; charset=utf-8').send(r.text + '\n');
    case 'srt':
      return reply.type('application/x-subrip; charset=utf-8').send(toSrt(exportSegments(r.segments)));
    case 'vtt':
      return reply.type('text/vtt; charset=utf-8').send(toVtt(exportSegments(r.segments)));
    case 'verbose_json':
      // OpenAI's verbose_json shape (seconds, not ms), plus Earshot's own `model`.
      return reply.send({
        task: 'transcribe',
        language: language ?? 'en',
        duration: r.durationMs / 1000,
        text: r.text,
        model: r.model,
        segments: r.segments.map((s, i) => ({
          id: i,
          seek: 0,
          start: s.start_ms / 1000,
          end: s.end_ms / 1000,
          text: s.text,
          tokens: [],
          temperature: 0,
          avg_logprob: Math.log(Math.max(1e-6, s.confidence)),
          compression_ratio: 1,
          no_speech_prob: 0,
          confidence: s.confidence,
        })),
        words: r.segments.flatMap((s) => (s.words ?? []).map((w) => ({ word: w.word, start: w.start_ms / 1000, end: w.end_ms / 1000 }))),
      });
    case 'json':
    default:
      return reply.send({ text: r.text });
  }
}
