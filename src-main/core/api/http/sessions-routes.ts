// REST over the transcript store (docs/PROTOCOL.md "REST"): list/search, read, export, rename/tag, correct a
// segment, the recording, delete. Auth, Origin and Host checks are the server's global hook; this plugin only
// validates input (the schemas in proto/rest-sessions.ts, in each route's definition) and maps store errors to the
// `{ error: { code, message } }` envelope (404 unknown session, 400 bad input).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  SegmentJson,
  SegmentPatch,
  SessionDetailJson,
  SessionExportQuery,
  SessionIdParams,
  SessionJson,
  SessionList,
  SessionListQuery,
  SessionPatch,
  SessionSegmentParams,
  TokenOnlyQuery,
} from '../../../../proto/rest-sessions.js';
import { recordingPath } from '../../sessions/index.js';
import {
  attachmentHeader,
  exportFileName,
  segmentJson,
  EXPORT_CONTENT_TYPES,
  exportSession,
  searchHitJson,
  sessionDetailJson,
  sessionJson,
  StoreError,
  type SessionDetail,
  type Store,
} from '../../store/index.js';
import { RestError, sendError } from './rest-errors.js';
import { zodRoutes } from './zod-route-schemas.js';

export interface SessionsRoutesOptions {
  store: Store;
  /** Session recordings (`record=true`), served at /v1/sessions/:id/audio; null = none kept. */
  recordingsDir?: string | null;
}

/** Fastify plugin: `app.register(sessionsRoutes, { store, recordingsDir })`. */
export async function sessionsRoutes(plugin: FastifyInstance, opts: SessionsRoutesOptions): Promise<void> {
  const { store } = opts;
  const recordings = opts.recordingsDir ?? null;
  /** The session's recording file when one was kept, else null. */
  const recordingOf = (id: string): string | null => {
    if (!recordings) return null;
    try {
      const path = recordingPath(recordings, id);
      return existsSync(path) ? path : null;
    } catch {
      return null; // not a session id
    }
  };
  /** The session document (GET and export?format=json): `audio` says whether a recording is kept. */
  const detailJson = (s: SessionDetail) => ({ ...sessionDetailJson(s), audio: recordingOf(s.id) !== null });
  // sendFile (Range requests, ETag, Last-Modified) for the recordings; no route of its own.
  if (recordings) {
    mkdirSync(recordings, { recursive: true, mode: 0o700 });
    await plugin.register(fastifyStatic, { root: recordings, serve: false });
  }
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
    return detailJson(s);
  });

  // The answer is the exported file itself (text/vtt, …), not JSON: no response schema.
  app.get('/v1/sessions/:id/export', { schema: { params: SessionIdParams, querystring: SessionExportQuery } }, async (req, reply) => {
    const { id } = req.params;
    const { format } = req.query;
    const s = store.getSession(id);
    if (!s) throw new StoreError('not_found', `no session with id ${JSON.stringify(id)}`);
    const body = exportSession(s.segments, format, detailJson(s));
    return reply
      .type(EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', attachmentHeader(exportFileName(s.title, s.id, format)))
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

  // A correction of one segment's text; the search index follows (store.editSegment).
  app.patch(
    '/v1/sessions/:id/segments/:segment',
    { schema: { params: SessionSegmentParams, body: SegmentPatch, response: { 200: SegmentJson } } },
    async (req) => segmentJson(store.editSegment(req.params.id, req.params.segment, req.body.text)),
  );

  // The session's recording (MP3), with Range requests so a player can seek to a segment. `?token=` is accepted
  // here because an <audio> element cannot send an Authorization header.
  app.get(
    '/v1/sessions/:id/audio',
    { config: { tokenInQuery: true }, schema: { params: SessionIdParams, querystring: TokenOnlyQuery } },
    async (req, reply) => {
      const { id } = req.params;
      if (!store.getSession(id)) throw new StoreError('not_found', `no session with id ${JSON.stringify(id)}`);
      const path = recordingOf(id);
      if (!path) throw new StoreError('not_found', `session ${id} has no recording (record=true keeps one)`);
      return reply.header('cache-control', 'no-store').type('audio/mpeg').sendFile(`${id}.mp3`);
    },
  );

  app.delete('/v1/sessions/:id', { schema: { params: SessionIdParams } }, async (req, reply) => {
    const { id } = req.params;
    store.deleteSession(id);
    const rec = recordingOf(id);
    if (rec) for (const f of [rec, `${rec}.json`]) rmSync(f, { force: true });
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
