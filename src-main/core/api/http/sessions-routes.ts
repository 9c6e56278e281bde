// REST over the transcript store (docs/PROTOCOL.md "REST"): list/search, read, export, rename/tag, delete.
// Auth, Origin and Host checks are the server's global hook; this plugin only validates input and maps
// store errors to the `{ error: { code, message } }` envelope (404 unknown session, 400 bad input).
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  SessionDetailJson,
  SessionExportQuery,
  SessionIdParams,
  SessionJson,
  SessionList,
  SessionListQuery,
  SessionPatch,
} from '../../../../proto/rest-sessions.js';
import {
  EXPORT_CONTENT_TYPES,
  exportSession,
  searchHitJson,
  sessionDetailJson,
  sessionJson,
  StoreError,
  type Store,
} from '../../store/index.js';
import { RestError, sendError } from './rest-errors.js';
import { zodRoutes } from './zod-route-schemas.js';

export interface SessionsRoutesOptions {
  store: Store;
}

/** A file name for Content-Disposition: the title reduced to safe characters, else the id. */
function fileName(title: string, id: string, ext: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[^\w\- ]+/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 80);
  return `${base || id}.${ext}`;
}

/** Fastify plugin: `app.register(sessionsRoutes, { store })`. */
export async function sessionsRoutes(plugin: FastifyInstance, opts: SessionsRoutesOptions): Promise<void> {
  const { store } = opts;
  const app = zodRoutes(plugin);

  // StoreErrors carry their code (404 unknown session, 400 bad input, 503 store closed): core/errors.ts.
  app.setErrorHandler((err, _req, reply) => sendError(reply, err));

  // Listing; with `q`, the sessions that match plus the matching segments (`hits`, best first).
  app.get('/v1/sessions', { schema: { querystring: SessionListQuery, response: { 200: SessionList } } }, async (req) => {
    const q = req.query;
    const text = q.q?.trim() ? q.q : undefined;
    const page = store.listSessions({ limit: q.limit, offset: q.offset, q: text, tag: q.tag, from: q.from, to: q.to });
    return {
      object: 'list' as const,
      total: page.total,
      limit: q.limit,
      offset: q.offset,
      data: page.sessions.map(sessionJson),
      ...(text !== undefined ? { hits: store.search(text, { limit: q.limit, order: q.order }).map(searchHitJson) } : {}),
    };
  });

  app.get('/v1/sessions/:id', { schema: { params: SessionIdParams, response: { 200: SessionDetailJson } } }, async (req) => {
    const { id } = req.params;
    const s = store.getSession(id);
    if (!s) throw new StoreError('not_found', `no session with id ${JSON.stringify(id)}`);
    return sessionDetailJson(s);
  });

  // The answer is the exported file itself (text/vtt, …), not JSON: no response schema.
  app.get('/v1/sessions/:id/export', { schema: { params: SessionIdParams, querystring: SessionExportQuery } }, async (req, reply) => {
    const { id } = req.params;
    const { format } = req.query;
    const s = store.getSession(id);
    if (!s) throw new StoreError('not_found', `no session with id ${JSON.stringify(id)}`);
    const body = exportSession(s.segments, format, sessionDetailJson(s));
    return reply
      .type(EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="${fileName(s.title, s.id, format)}"`)
      .send(body);
  });

  app.patch(
    '/v1/sessions/:id',
    { schema: { params: SessionIdParams, body: SessionPatch, response: { 200: SessionJson } } },
    async (req) => {
      const { id } = req.params;
      const body = req.body;
      if (!store.getSession(id)) throw new StoreError('not_found', `no session with id ${JSON.stringify(id)}`);
      if (body.title !== undefined) store.rename(id, body.title);
      if (body.tags !== undefined) store.setTags(id, body.tags);
      return sessionJson(store.getSession(id)!);
    },
  );

  app.delete('/v1/sessions/:id', { schema: { params: SessionIdParams } }, async (req, reply) => {
    const { id } = req.params;
    store.deleteSession(id);
    return reply.code(204).send();
  });
}

/**
 * The sessions routes of a server running without a transcript store (`earshot serve --no-store`): every
 * `/v1/sessions` path answers 503 `store_disabled` with what to do, instead of a bare "route not found".
 */
export async function sessionsDisabledRoutes(app: FastifyInstance): Promise<void> {
  const message =
    'this server runs without a transcript store (earshot serve --no-store): nothing is saved, so there are no sessions; ' +
    'restart it without --no-store (or with --db <file>) to save transcripts';
  const reply503 = async (_req: unknown, reply: FastifyReply) => sendError(reply, new RestError('store_disabled', message));
  app.all('/v1/sessions', reply503);
  app.all('/v1/sessions/*', reply503);
}
