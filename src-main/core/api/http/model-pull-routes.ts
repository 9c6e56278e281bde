// `POST /v1/models/:id/pull` starts (or joins) the install of a catalog model; `GET /v1/models/:id/pull`
// says how it is going: `{ id, state: downloading|verifying|done|error, received, total, error? }`.
// The POST changes state, so it goes through the server's auth hook like every other route (Origin ⇒ token);
// the GET only reads.
import type { FastifyInstance } from 'fastify';
import { RestError, sendError } from './rest-errors.js';
import type { ModelPulls } from '../model-pulls.js';
import { ModelImportResult, PullProgress } from '../../../../proto/rest-models.js';
import { zodRoutes } from './zod-route-schemas.js';

export interface ModelPullRoutesOptions {
  pulls: ModelPulls;
}

export async function modelPullRoutes(plugin: FastifyInstance, opts: ModelPullRoutesOptions): Promise<void> {
  const { pulls } = opts;
  const app = zodRoutes(plugin);

  app.post<{ Params: { id: string } }>('/v1/models/:id/pull', { schema: { response: { 202: PullProgress } } }, async (req, reply) => {
    try {
      return reply.code(202).send(pulls.start(req.params.id));
    } catch (err) {
      return sendError(reply, err);
    }
  });

  // A model archive downloaded elsewhere, uploaded as the raw request body (the app's "Install from a file").
  // The stream goes straight to disk with its own cap: Fastify's bodyLimit is for parsed bodies.
  app.addContentTypeParser(
    ['application/octet-stream', 'application/x-bzip2', 'application/x-tar', 'application/gzip', 'application/x-gzip'],
    (_req, payload, done) => done(null, payload),
  );
  app.post<{ Querystring: { filename?: string; id?: string } }>(
    '/v1/models/import',
    { schema: { response: { 201: ModelImportResult } } },
    async (req, reply) => {
      try {
        const filename = req.query.filename;
        if (!filename)
          throw new RestError(
            'bad_config',
            'filename is required (?filename=<archive name>.tar.bz2): it says what kind of archive the body is',
          );
        if (!req.body || typeof (req.body as NodeJS.ReadableStream).pipe !== 'function') {
          throw new RestError('bad_config', 'send the archive as the request body with Content-Type: application/octet-stream');
        }
        const r = await pulls.importUpload(req.body as import('node:stream').Readable, filename, req.query.id || undefined);
        const body: ModelImportResult = { id: r.model.id, name: r.model.name, files: r.files };
        return reply.code(201).send(body);
      } catch (err) {
        return sendError(reply, err);
      }
    },
  );

  app.get<{ Params: { id: string } }>('/v1/models/:id/pull', { schema: { response: { 200: PullProgress } } }, async (req, reply) => {
    try {
      const p = pulls.get(req.params.id);
      if (!p)
        return sendError(
          reply,
          new RestError(
            'not_found',
            `no download of model "${req.params.id}" was started on this server; POST /v1/models/${req.params.id}/pull starts one`,
          ),
        );
      return p;
    } catch (err) {
      return sendError(reply, err);
    }
  });
}
