// Deepgram text to speech over REST: `POST /v1/speak?model=…&encoding=linear16[&sample_rate][&container]` with
// `{"text": "…"}`, as `@deepgram/sdk`'s `speak.v1.audio.generate()` sends it. The audio streams as it is
// synthesized: MP3 (Deepgram's default), Ogg Opus, FLAC, AAC, or for linear16 a WAV (container=wav, Deepgram's
// default) or raw s16le (container=none).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../../context.js';
import { describeZodError, RestError } from '../../http/rest-errors.js';
import { streamAudioResponse } from '../../http/tts-stream.js';
import { jsonBodyLimit } from '../../http/json-body-limit.js';
import { sendDeepgramError } from './errors.js';
import { deepgramSpeakOptions } from './speak-options.js';

const SpeakBody = z.object({ text: z.string({ error: 'text is required' }).min(1, 'text is empty; nothing to synthesize') });

export function registerDeepgramSpeakRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/speak', { bodyLimit: jsonBodyLimit(ctx) }, async (req, reply) => {
    try {
      const parsed = SpeakBody.safeParse(req.body);
      if (!parsed.success) throw new RestError('bad_json', describeZodError(parsed.error));
      if (parsed.data.text.length > ctx.limits.maxTtsTextChars) {
        throw new RestError('too_large', `text has ${parsed.data.text.length} characters; the limit is ${ctx.limits.maxTtsTextChars}`);
      }
      const o = deepgramSpeakOptions(new URLSearchParams(req.url.split('?')[1] ?? ''), ctx.engine.voices(), { live: false });
      reply.header('dg-model-name', o.model).header('dg-char-count', String(parsed.data.text.length));
      return await streamAudioResponse(
        ctx,
        req,
        reply,
        { text: parsed.data.text, voice: o.voice, format: o.container === 'wav' ? 'wav' : 'pcm', sample_rate: o.sampleRate },
        o.encode,
      );
    } catch (err) {
      return sendDeepgramError(reply, err);
    }
  });
}
