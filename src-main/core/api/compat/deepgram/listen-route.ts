// Deepgram prerecorded transcription: `POST /v1/listen` with the audio as the body (what `@deepgram/sdk`'s
// `listen.v1.media.transcribeFile()` sends), through the same whole-buffer path as OpenAI's transcriptions.
// A JSON body `{"url": …}` (transcribeUrl) is refused: Earshot never fetches audio from the network.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../context.js';
import { transcribeBuffer } from '../../one-shot/transcribe-buffer.js';
import { RestError } from '../../http/rest-errors.js';
import { sendDeepgramError } from './errors.js';
import { deepgramListenOptions, earshotModelFor } from './listen-options.js';
import { prerecordedResponse } from './results.js';

export function registerDeepgramListenRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.addContentTypeParser(
    ['application/octet-stream', 'audio/*', 'video/*'],
    { parseAs: 'buffer', bodyLimit: ctx.limits.maxUploadBytes },
    (_req, body, done) => done(null, body),
  );
  app.post('/v1/listen', async (req, reply) => {
    try {
      if (!Buffer.isBuffer(req.body)) {
        throw new RestError(
          'bad_audio',
          'send the audio itself as the request body (Content-Type: audio/wav or application/octet-stream); Earshot does not fetch URLs',
        );
      }
      const query = new URLSearchParams(req.url.split('?')[1] ?? '');
      const opts = deepgramListenOptions(query, { live: false });
      const installed = ctx.engine
        .models()
        .filter((m) => m.installed)
        .map((m) => m.id);
      const model = earshotModelFor(opts.requestedModel, installed);
      const r = await transcribeBuffer(ctx, req.body, { ...opts.config, ...(model ? { model } : {}), source: 'deepgram' });
      return prerecordedResponse({
        segments: r.segments,
        text: r.text,
        durationMs: r.durationMs,
        model: opts.requestedModel ?? r.model,
        createdAt: new Date(),
      });
    } catch (err) {
      return sendDeepgramError(reply, err);
    }
  });
}
