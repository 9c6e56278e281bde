// REST over the transcript store (docs/PROTOCOL.md "REST"): list/search, read, export, rename/tag, delete.
// Auth, Origin and Host checks are the server's global hook; this plugin only validates input and maps
// store errors to the `{ error: { code, message } }` envelope (404 unknown session, 400 bad input).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { recordingPath } from '../../sessions/session-recording.js';
import { z } from 'zod';
import {
  attachmentHeader,
  exportFileName,
  segmentJson,
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  exportSession,
  searchHitJson,
  sessionDetailJson,
  sessionJson,
  STORE_LIMITS,
  StoreError,
  type SessionDetail,
  type Store,
} from '../../store/index.js';
import { describeZodError, RestError, sendError } from './openai-errors.js';

export interface SessionsRoutesOptions {
  store: Store;
  /** Session recordings (`record=true`), served at /v1/sessions/:id/audio; null = none kept. */
  recordingsDir?: string | null;
}

// Query strings arrive as strings: coerce, then bound like the store does.
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const epochMs = z.union([z.coerce.number().int().min(0), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);

const ListQuery = z.strictObject({
  q: z.string().max(STORE_LIMITS.queryChars).optional(),
  limit: int(1, STORE_LIMITS.maxPage).default(50),
  offset: int(0, 1_000_000_000).default(0),
  tag: z.string().min(1).max(STORE_LIMITS.tagChars).optional(),
  /** Order of `hits`: newest first (default) or best match first. */
  order: z.enum(['recent', 'relevance']).default('recent'),
  /** epoch ms or ISO-8601 */
  from: epochMs.optional(),
  to: epochMs.optional(),
  // Accepted so a browser client can pass the token in the URL like on WebSockets; the server hook reads it.
  token: z.string().optional(),
});

const IdParams = z.strictObject({ id: z.string().min(1).max(100) });
const TokenOnly = z.strictObject({ token: z.string().optional() });

const ExportQuery = z.strictObject({
  format: z.enum(EXPORT_FORMATS as [string, ...string[]]).default('txt'),
  token: z.string().optional(),
});

const SegmentParams = z.strictObject({
  id: z.string().min(1).max(100),
  segment: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
const SegmentBody = z.strictObject({ text: z.string().max(STORE_LIMITS.segmentTextChars) });

const PatchBody = z
  .strictObject({
    title: z.string().max(STORE_LIMITS.titleChars).optional(),
    tags: z.array(z.string().trim().min(1).max(STORE_LIMITS.tagChars)).max(STORE_LIMITS.tags).optional(),
  })
  .refine((b) => b.title !== undefined || b.tags !== undefined, { message: 'give title and/or tags' });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new RestError('bad_config', `${what}: ${describeZodError(r.error)}`);
  return r.data;
}

function sendStoreError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof StoreError) {
    if (err.code === 'not_found') return sendError(reply, new RestError('not_found', err.message));
    if (err.code === 'bad_input') return sendError(reply, new RestError('bad_config', err.message));
    return sendError(reply, new RestError('internal', err.message, 503));
  }
  return sendError(reply, err);
}

/** Fastify plugin: `app.register(sessionsRoutes, { store })`. */
export async function sessionsRoutes(app: FastifyInstance, opts: SessionsRoutesOptions): Promise<void> {
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
    await app.register(fastifyStatic, { root: recordings, serve: false });
  }

  app.setErrorHandler((err, _req, reply) => sendStoreError(reply, err));

  // Listing; with `q`, the sessions that match plus the matching segments (`hits`, best first).
  app.get('/v1/sessions', async (req) => {
    const q = parse(ListQuery, req.query, 'query');
    const text = q.q?.trim() ? q.q : undefined;
    const page = store.listSessions({ limit: q.limit, offset: q.offset, q: text, tag: q.tag, from: q.from, to: q.to });
    return {
      object: 'list',
      total: page.total,
      limit: q.limit,
      offset: q.offset,
      data: page.sessions.map(sessionJson),
      ...(text !== undefined ? { hits: store.search(text, { limit: q.limit, order: q.order }).map(searchHitJson) } : {}),
    };
  });

  app.get('/v1/sessions/:id', async (req) => {
    const { id } = parse(IdParams, req.params, 'path');
    const s = store.getSession(id);
    if (!s) throw new StoreError('not_found', `no session with id ${JSON.stringify(id)}`);
    return detailJson(s);
  });

  app.get('/v1/sessions/:id/export', async (req, reply) => {
    const { id } = parse(IdParams, req.params, 'path');
    const { format } = parse(ExportQuery, req.query, 'query') as { format: keyof typeof EXPORT_CONTENT_TYPES };
    const s = store.getSession(id);
    if (!s) throw new StoreError('not_found', `no session with id ${JSON.stringify(id)}`);
    const body = exportSession(s.segments, format, detailJson(s));
    return reply
      .type(EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', attachmentHeader(exportFileName(s.title, s.id, format)))
      .send(body);
  });

  app.patch('/v1/sessions/:id', async (req) => {
    const { id } = parse(IdParams, req.params, 'path');
    const body = parse(PatchBody, req.body, 'body');
    if (!store.getSession(id)) throw new StoreError('not_found', `no session with id ${JSON.stringify(id)}`);
    if (body.title !== undefined) store.rename(id, body.title);
    if (body.tags !== undefined) store.setTags(id, body.tags);
    return sessionJson(store.getSession(id)!);
  });

  // A correction of one segment's text; the search index follows (store.editSegment).
  app.patch('/v1/sessions/:id/segments/:segment', async (req) => {
    const { id, segment } = parse(SegmentParams, req.params, 'path');
    const { text } = parse(SegmentBody, req.body, 'body');
    return segmentJson(store.editSegment(id, segment, text));
  });

  // The session's recording (MP3), with Range requests so a player can seek to a segment. `?token=` is accepted
  // here because an <audio> element cannot send an Authorization header.
  app.get('/v1/sessions/:id/audio', { config: { tokenInQuery: true } }, async (req, reply) => {
    const { id } = parse(IdParams, req.params, 'path');
    parse(TokenOnly, req.query, 'query');
    if (!store.getSession(id)) throw new StoreError('not_found', `no session with id ${JSON.stringify(id)}`);
    const path = recordingOf(id);
    if (!path) throw new StoreError('not_found', `session ${id} has no recording (record=true keeps one)`);
    return reply.header('cache-control', 'no-store').type('audio/mpeg').sendFile(`${id}.mp3`);
  });

  app.delete('/v1/sessions/:id', async (req, reply) => {
    const { id } = parse(IdParams, req.params, 'path');
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
