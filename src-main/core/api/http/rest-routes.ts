// The REST API of docs/PROTOCOL.md "REST", registered on both HTTP ports: health, readiness, the model and
// voice lists, and the OpenAI-compatible audio endpoints plus the TTS HTTP stream. Auth (token, Origin, Host)
// is the server's hook, applied before any route here; every error is the `{ error: { code, message } }`
// envelope of openai-errors.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.js';
import { errorBody, RestError, sendError } from './openai-errors.js';
import { OPENAI_ASR_MODELS, OPENAI_TTS_MODELS } from './openai-names.js';
import { registerSpeechRoute } from './openai-speech.js';
import { registerTranscriptionRoute } from './openai-transcriptions.js';
import { registerTtsStreamRoute } from './tts-stream.js';

export interface RestRoutesOptions {
  ctx: ApiContext;
}

/** Fastify plugin: `app.register(restRoutes, { ctx })`. */
export async function restRoutes(app: FastifyInstance, opts: RestRoutesOptions): Promise<void> {
  const { ctx } = opts;

  // Body errors raised by Fastify itself (malformed JSON, body too large, wrong content type) in the same
  // envelope as ours.
  app.setErrorHandler((err, _req, reply) => {
    if ((err as { statusCode?: number }).statusCode === undefined || (err as { statusCode: number }).statusCode >= 500) {
      ctx.logger.error({ err }, 'REST route failed');
    }
    return sendError(reply, err);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const r = ctx.engine.readiness();
    if (r.ready) return { ready: true, detail: r.detail };
    return reply.code(503).send({ ready: false, detail: r.detail, ...errorBody('not_ready', `engine not ready: ${r.detail}`) });
  });

  // OpenAI's list shape (`openai.models.list()` reads `data`), with Earshot's fields on each entry; OpenAI's
  // model names are listed too, as aliases of the default engine (apps check the list for the name they use).
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [
      ...ctx.engine.models().map((m) => ({
      id: m.id,
      object: 'model',
      created: 0,
      owned_by: 'earshot',
      kind: m.kind,
      language: m.language,
      backend: m.backend,
      installed: m.installed,
      fixture: m.fixture,
      ...(m.sizeBytes !== undefined ? { size_bytes: m.sizeBytes } : {}),
      })),
      ...openAiAliases(ctx),
    ],
  }));

  app.get('/v1/voices', async () => ({
    object: 'list',
    data: ctx.engine.voices().map((v) => ({
      id: v.id,
      name: v.name,
      language: v.language,
      backend: v.backend,
      sample_rate: v.sampleRate,
      fixture: v.fixture ?? false,
    })),
  }));

  await registerTranscriptionRoute(app, ctx);
  registerSpeechRoute(app, ctx);
  registerTtsStreamRoute(app, ctx);

  // OpenAI's translation endpoint: no on-device model translates speech, so an OpenAI-shaped 404 that says so
  // (not a generic route miss).
  app.post('/v1/audio/translations', async (_req, reply) =>
    sendError(reply, new RestError('model_unavailable', 'speech translation is not available on-device: no installed model translates; use POST /v1/audio/transcriptions')),
  );
  // Any other /v1 path: OpenAI's error envelope, so OpenAI clients report it instead of failing to parse.
  app.all('/v1/*', notFoundHandler);
}

/** A route miss in OpenAI's error envelope (also the servers' not-found handler for every other path). */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, new RestError('not_found', `no such endpoint: ${req.method} ${req.url.split('?')[0]}`));
}

/** `whisper-1`, `tts-1`… as model entries, each naming what it stands for here. */
function openAiAliases(ctx: ApiContext) {
  let asrDefault: string | null = null;
  let ttsDefault: string | null = null;
  try {
    asrDefault = ctx.engine.asr().modelId;
  } catch {
    /* no ASR engine: the aliases say so with null */
  }
  try {
    ttsDefault = ctx.engine.tts().backend;
  } catch {
    /* no TTS engine */
  }
  const entry = (id: string, kind: string, aliasOf: string | null) => ({ id, object: 'model', created: 0, owned_by: 'earshot', kind, alias_of: aliasOf, installed: aliasOf !== null, fixture: false });
  return [
    ...[...OPENAI_ASR_MODELS].map((id) => entry(id, 'asr-alias', asrDefault)),
    ...[...OPENAI_TTS_MODELS].map((id) => entry(id, 'tts-alias', ttsDefault)),
  ];
}
