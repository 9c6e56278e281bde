// The REST API of docs/PROTOCOL.md "REST", registered on both HTTP ports: health, readiness, the model and
// voice lists, and the OpenAI-compatible audio endpoints plus the TTS HTTP stream. Auth (token, Origin, Host)
// is the server's hook, applied before any route here; every error is the `{ error: { code, message } }`
// envelope of openai-errors.ts.
import type { FastifyInstance } from 'fastify';
import type { EngineList, ModelList } from '../../../../proto/rest-models.js';
import type { ApiContext } from '../context.js';
import { elevenLabsVoices } from '../compat/elevenlabs/routes.js';
import { errorBody, sendError } from './openai-errors.js';
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

  // The only 'public' route (route-access.ts): liveness probes carry no token and may send any Host.
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const r = ctx.engine.readiness();
    if (r.ready) return { ready: true, detail: r.detail };
    return reply.code(503).send({ ready: false, detail: r.detail, ...errorBody('not_ready', `engine not ready: ${r.detail}`) });
  });

  // OpenAI's list shape (`openai.models.list()` reads `data`), with Earshot's fields on each entry.
  app.get('/v1/models', async (): Promise<ModelList> => ({
    object: 'list',
    data: ctx.engine.models().map((m) => ({
      id: m.id,
      object: 'model',
      created: 0,
      owned_by: 'earshot',
      kind: m.kind,
      language: m.language,
      backend: m.backend,
      installed: m.installed,
      fixture: m.fixture,
      name: m.name,
      ...(m.sizeBytes !== undefined ? { size_bytes: m.sizeBytes } : {}),
      ...(m.upstream ? { download_url: m.upstream } : {}),
    })),
    // The punctuation model finals get when a client asks for `punctuate` (null: none, the option does nothing).
    punctuation: ((p) => (p ? { model: p.modelId } : null))(ctx.engine.punctuation()),
  }));

  // Which speech backends are in use and why others are not (first-run onboarding, Settings).
  app.get('/v1/engines', async (): Promise<EngineList> => ({
    object: 'list',
    data: ctx.engine.backends().map((b) => ({ id: b.id, kind: b.kind, available: b.available, detail: b.detail, ...(b.languages ? { languages: b.languages } : {}) })),
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
    // ElevenLabs' shape of the same list (`voices.getAll()` reads `voices`), so its SDK works on this path too.
    voices: elevenLabsVoices(ctx.engine.voices()),
  }));

  await registerTranscriptionRoute(app, ctx);
  registerSpeechRoute(app, ctx);
  registerTtsStreamRoute(app, ctx);
}
