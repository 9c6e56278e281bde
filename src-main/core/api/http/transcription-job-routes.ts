// File transcription jobs over REST (docs/PROTOCOL.md "File transcription jobs"; shapes in
// proto/transcription-jobs.ts): POST the file as the body → 202 and the job; GET it (or its `events` stream of
// Server-Sent Events) for progress and time left; DELETE cancels it. Auth, Origin and Host are the server's global
// hook; the body limit is `limits.maxUploadBytes`, the queue limit is TranscriptionJobs'.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { TranscriptionJob } from '../../../../proto/transcription-jobs.js';
import type { ApiContext } from '../context.js';
import { JobQueueFullError, type TranscriptionJobs } from '../transcription-jobs.js';
import { describeZodError, RestError, sendError } from './rest-errors.js';
import { resolveAsrModel } from './openai-names.js';

export interface TranscriptionJobRoutesOptions {
  ctx: ApiContext;
  jobs: TranscriptionJobs;
}

const CreateQuery = z.strictObject({
  filename: z.string().trim().min(1).max(1000),
  language: z.string().min(1).max(32).optional(),
  model: z.string().min(1).max(200).optional(),
  token: z.string().optional(),
});
const IdParams = z.strictObject({ id: z.string().min(1).max(100) });
const TokenQuery = z.strictObject({ token: z.string().optional() });

/** How often the events stream looks at a running job (ms). */
const EVENT_INTERVAL_MS = 250;

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new RestError('bad_config', `${what}: ${describeZodError(r.error)}`);
  return r.data;
}

function notFound(id: string): RestError {
  return new RestError('not_found', `no transcription job with id ${JSON.stringify(id)} (finished jobs are kept for 10 minutes)`);
}

export async function transcriptionJobRoutes(app: FastifyInstance, opts: TranscriptionJobRoutesOptions): Promise<void> {
  const { ctx, jobs } = opts;

  // The file is the whole body, any type: its format is found from its bytes (never from the name or type).
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.limits.maxUploadBytes }, (_req, body, done) => done(null, body));

  app.post('/v1/transcription-jobs', { bodyLimit: ctx.limits.maxUploadBytes }, async (req, reply) => {
    try {
      const q = parse(CreateQuery, req.query, 'query');
      const audio = req.body;
      if (!Buffer.isBuffer(audio) || audio.byteLength === 0)
        throw new RestError('bad_audio', 'send the audio file as the request body (Content-Type: application/octet-stream)');
      const model = resolveAsrModel(q.model, ctx.engine.models());
      const job = jobs.create({ filename: q.filename, audio, language: q.language, model });
      return reply.code(202).header('location', `/v1/transcription-jobs/${job.id}`).send(job);
    } catch (err) {
      if (err instanceof JobQueueFullError) return sendError(reply, new RestError('rate_limited', err.message));
      return sendError(reply, err);
    }
  });

  app.get('/v1/transcription-jobs', async (req, reply) => {
    try {
      parse(TokenQuery, req.query, 'query');
      return { object: 'list', data: jobs.list() };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get('/v1/transcription-jobs/:id', async (req, reply) => {
    try {
      const { id } = parse(IdParams, req.params, 'path');
      parse(TokenQuery, req.query, 'query');
      const job = jobs.get(id);
      if (!job) throw notFound(id);
      return job;
    } catch (err) {
      return sendError(reply, err);
    }
  });

  // Server-Sent Events: `data: <job>` whenever it changed, ending with the finished job (EventSource-friendly;
  // `?token=` is accepted because EventSource cannot set headers).
  app.get('/v1/transcription-jobs/:id/events', async (req, reply) => {
    let id: string;
    try {
      id = parse(IdParams, req.params, 'path').id;
      parse(TokenQuery, req.query, 'query');
      if (!jobs.get(id)) throw notFound(id);
    } catch (err) {
      return sendError(reply, err);
    }
    return streamEvents(reply, () => jobs.get(id));
  });

  app.delete('/v1/transcription-jobs/:id', async (req, reply) => {
    try {
      const { id } = parse(IdParams, req.params, 'path');
      const job = jobs.cancel(id);
      if (!job) throw notFound(id);
      return job;
    } catch (err) {
      return sendError(reply, err);
    }
  });
}

function streamEvents(reply: FastifyReply, read: () => TranscriptionJob | null): FastifyReply {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    ...((reply.getHeaders() as Record<string, string>) ?? {}),
  });
  let last = '';
  const tick = () => {
    const job = read();
    const text = JSON.stringify(job);
    if (text !== last) {
      last = text;
      res.write(`data: ${text}\n\n`);
    }
    if (!job || job.state === 'done' || job.state === 'error' || job.state === 'cancelled') stop();
  };
  const timer = setInterval(tick, EVENT_INTERVAL_MS);
  const stop = () => {
    clearInterval(timer);
    res.end();
  };
  res.once('close', () => clearInterval(timer));
  tick();
  return reply;
}
