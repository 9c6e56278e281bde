// POST /v1/audio/speech — OpenAI-compatible text to speech. JSON body: `model`, `input`, `voice`,
// `response_format` = wav | pcm (OpenAI's mp3/opus/aac/flac are refused with a 400 that says so), `speed`
// (0.25..4), plus Earshot's optional `language` and `sample_rate`. The body STREAMS as it is synthesized:
// `wav` is a WAV whose header declares an unknown length (0xFFFFFFFF), `pcm` is raw s16le mono; the rate is in
// the `X-Sample-Rate` header (the voice's native rate unless `sample_rate` asks for another).
//
// Voices: OpenAI's names (alloy, nova, …) mean Earshot's default voice; an Earshot voice id or name picks it;
// anything else is a 400 (openai-names.ts). `model` (tts-1, …) is accepted and ignored: the voice decides.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { describeZodError, RestError, sendError } from './openai-errors.js';
import { resolveVoice } from './openai-names.js';
import { streamAudioResponse } from './tts-stream.js';
import { jsonBodyLimit } from './tts-stream-request.js';

const OPENAI_ONLY_FORMATS = ['mp3', 'opus', 'aac', 'flac'];

export const SpeechBody = z.object({
  model: z.string().max(200).optional(),
  input: z.string({ error: 'input (the text to speak) is required' }).min(1, 'input is empty; nothing to synthesize'),
  voice: z.string().max(200).optional(),
  response_format: z
    .string()
    .default('wav')
    .refine((f) => f === 'wav' || f === 'pcm', {
      error: (iss) =>
        OPENAI_ONLY_FORMATS.includes(String(iss.input))
          ? `response_format "${String(iss.input)}" is not produced on-device; use "wav" or "pcm"`
          : 'response_format must be "wav" or "pcm"',
    }),
  speed: z.number().min(0.25).max(4).optional(),
  language: z.string().min(1).max(32).optional(),
  sample_rate: z.number().int().min(8000).max(48000).optional(),
  instructions: z.string().max(4096).optional(),
  stream_format: z.enum(['audio']).optional(),
});

export function registerSpeechRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/audio/speech', { bodyLimit: jsonBodyLimit(ctx) }, async (req, reply) => {
    try {
      if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
        throw new RestError('bad_json', 'send a JSON object: {"input": "text", "voice": "…", "response_format": "wav"}');
      }
      const parsed = SpeechBody.safeParse(req.body);
      if (!parsed.success) throw new RestError('bad_config', describeZodError(parsed.error));
      const b = parsed.data;
      if (b.input.length > ctx.limits.maxTtsTextChars) {
        throw new RestError('too_large', `input has ${b.input.length} characters; the limit is ${ctx.limits.maxTtsTextChars}`);
      }
      const voice = resolveVoice(b.voice, ctx.engine.voices());
      return await streamAudioResponse(ctx, req, reply, {
        text: b.input,
        voice,
        language: b.language,
        format: b.response_format as 'wav' | 'pcm',
        sample_rate: b.sample_rate,
        speed: b.speed,
      });
    } catch (err) {
      return sendError(reply, err);
    }
  });
}
