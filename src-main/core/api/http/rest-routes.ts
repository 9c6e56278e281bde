// The REST API of docs/PROTOCOL.md "REST", registered on both HTTP ports: health, readiness, the model and
// voice lists, and the OpenAI-compatible audio endpoints plus the TTS HTTP stream. Auth (token, Origin, Host)
// is the server's hook, applied before any route here; every error is the `{ error: { code, message } }`
// envelope of rest-errors.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EngineList, ModelList, VoiceList } from '../../../../proto/rest-models.js';
import { Health, Readiness } from '../../../../proto/rest-service.js';
import { listable } from '../../engine/index.js';
import { listedVoices } from '../voice-list.js';
import type { ApiContext } from '../context.js';
import { elevenLabsVoices } from '../compat/elevenlabs/routes.js';
import { errorBody, RestError, sendError } from './rest-errors.js';
import { OPENAI_ASR_MODELS, OPENAI_TTS_MODELS } from './openai-names.js';
import { registerSpeechRoute } from './openai-speech.js';
import { registerTranscriptionRoute } from './openai-transcriptions.js';
import { registerTtsStreamRoute } from './tts-stream.js';
import { zodRoutes } from './zod-route-schemas.js';

export interface RestRoutesOptions {
  ctx: ApiContext;
}

/** Fastify plugin: `app.register(restRoutes, { ctx })`. */
export async function restRoutes(plugin: FastifyInstance, opts: RestRoutesOptions): Promise<void> {
  const { ctx } = opts;
  const app = zodRoutes(plugin);

  // Body errors raised by Fastify itself (malformed JSON, body too large, wrong content type) in the same
  // envelope as ours.
  app.setErrorHandler((err, _req, reply) => {
    if ((err as { statusCode?: number }).statusCode === undefined || (err as { statusCode: number }).statusCode >= 500) {
      ctx.logger.error({ err }, 'REST route failed');
    }
    return sendError(reply, err);
  });

  // The only 'public' route (route-access.ts): liveness probes carry no token and may send any Host.
  app.get('/healthz', { config: { access: 'public' }, schema: { response: { 200: Health } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { schema: { response: { 200: Readiness, 503: Readiness } } }, async (_req, reply) => {
    const r = ctx.engine.readiness();
    // `store`: whether finals can be saved (false under `earshot serve --no-store`); the UI says so before Start.
    const store = ctx.store !== null;
    if (r.ready) return { ready: true, detail: r.detail, store };
    return reply.code(503).send({ ready: false, detail: r.detail, store, ...errorBody('not_ready', `engine not ready: ${r.detail}`) });
  });

  // OpenAI's list shape (`openai.models.list()` reads `data`), with Earshot's fields on each entry; OpenAI's
  // model names are listed too, as aliases of the default engine (apps check the list for the name they use).
  app.get('/v1/models', { schema: { response: { 200: ModelList } } }, async () => ({
    object: 'list' as const,
    data: [
      ...listable(ctx.engine.models(), ctx.listFixtures).map((m) => ({
        id: m.id,
        object: 'model' as const,
        created: 0,
        owned_by: 'earshot',
        kind: m.kind,
        language: m.language,
        languages: m.languages,
        backend: m.backend,
        installed: m.installed,
        fixture: m.fixture,
        name: m.name,
        ...(m.sizeBytes !== undefined ? { size_bytes: m.sizeBytes } : {}),
        ...(m.speed ? { speed: m.speed } : {}),
        ...(m.accuracy ? { accuracy: m.accuracy } : {}),
        ...(m.note ? { note: m.note } : {}),
        ...(m.detectsLanguage ? { detects_language: true } : {}),
        ...(m.upstream ? { download_url: m.upstream } : {}),
      })),
      ...openAiAliases(ctx),
    ],
    // The punctuation model finals get when a client asks for `punctuate` (null: none, the option does nothing).
    punctuation: ((p) => (p ? { model: p.modelId } : null))(ctx.engine.punctuation()),
  }));

  // Which speech backends are in use and why others are not (first-run onboarding, Settings).
  app.get('/v1/engines', { schema: { response: { 200: EngineList } } }, async () => ({
    object: 'list' as const,
    data: ctx.engine.backends().map((b) => ({
      id: b.id,
      kind: b.kind,
      available: b.available,
      detail: b.detail,
      ...(b.languages ? { languages: b.languages } : {}),
    })),
  }));

  app.get('/v1/voices', { schema: { response: { 200: VoiceList } } }, async () => ({
    object: 'list' as const,
    data: listedVoices(ctx),
    // ElevenLabs' shape of the same list (`voices.getAll()` reads `voices`), so its SDK works on this path too.
    voices: elevenLabsVoices(ctx.engine.voices()),
  }));

  await registerTranscriptionRoute(app, ctx);
  registerSpeechRoute(app, ctx);
  registerTtsStreamRoute(app, ctx);

  // OpenAI's translation endpoint: no on-device model translates speech, so an OpenAI-shaped 404 that says so
  // (not a generic route miss).
  app.post('/v1/audio/translations', async (_req, reply) =>
    sendError(
      reply,
      new RestError(
        'model_unavailable',
        'speech translation is not available on-device: no installed model translates; use POST /v1/audio/transcriptions',
      ),
    ),
  );
  // Any other /v1 path: OpenAI's error envelope, so OpenAI clients report it instead of failing to parse.
  // (Not OPTIONS: a CORS preflight is answered by the server's hook, and carries no credentials to check.)
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/*', handler: notFoundHandler });
}

/** A route miss in OpenAI's error envelope (also the servers' not-found handler for every other path). */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, new RestError('not_found', `no such endpoint: ${req.method} ${req.url.split('?')[0]}`));
}

/** `whisper-1`, `tts-1`… as model entries, each naming what it stands for here. */
function openAiAliases(ctx: ApiContext) {
  let asrDefault: string | null = null;
  let ttsDefault: string | null = null;
  let asrLanguage = '';
  let asrBackend = '';
  let ttsBackend = '';
  try {
    const asr = ctx.engine.asr();
    asrDefault = asr.modelId;
    asrLanguage = asr.language;
    asrBackend = asr.backend;
  } catch {
    /* no ASR engine: the aliases say so with null */
  }
  try {
    ttsDefault = ctx.engine.tts().backend;
    ttsBackend = ttsDefault;
  } catch {
    /* no TTS engine */
  }
  const entry = (id: string, kind: string, aliasOf: string | null, language: string, backend: string) => ({
    id,
    object: 'model' as const,
    created: 0,
    owned_by: 'earshot',
    kind,
    language,
    backend,
    alias_of: aliasOf,
    installed: aliasOf !== null,
    fixture: false,
  });
  return [
    ...[...OPENAI_ASR_MODELS].map((id) => entry(id, 'asr-alias', asrDefault, asrLanguage, asrBackend)),
    ...[...OPENAI_TTS_MODELS].map((id) => entry(id, 'tts-alias', ttsDefault, '', ttsBackend)),
  ];
}
