// `POST /v1/models/:id/pull` starts (or joins) the install of a catalog model; `GET /v1/models/:id/pull`
// says how it is going: `{ id, state: downloading|verifying|done|error, received, total, error? }`.
// The POST changes state, so it goes through the server's auth hook like every other route (Origin ⇒ token);
// the GET only reads.
import type { FastifyInstance } from 'fastify';
import { RestError, sendError } from './openai-errors.js';
import { TooManyPullsError, UnknownModelError, type ModelPulls } from '../model-pulls.js';

export interface ModelPullRoutesOptions {
  pulls: ModelPulls;
}

function routeError(err: unknown): unknown {
  if (err instanceof UnknownModelError) return new RestError('not_found', err.message);
  if (err instanceof TooManyPullsError) return new RestError('rate_limited', err.message);
  return err;
}

export async function modelPullRoutes(app: FastifyInstance, opts: ModelPullRoutesOptions): Promise<void> {
  const { pulls } = opts;

  app.post<{ Params: { id: string } }>('/v1/models/:id/pull', async (req, reply) => {
    try {
      return reply.code(202).send(pulls.start(req.params.id));
    } catch (err) {
      return sendError(reply, routeError(err));
    }
  });

  app.get<{ Params: { id: string } }>('/v1/models/:id/pull', async (req, reply) => {
    try {
      const p = pulls.get(req.params.id);
      if (!p) return sendError(reply, new RestError('not_found', `no download of model "${req.params.id}" was started on this server; POST /v1/models/${req.params.id}/pull starts one`));
      return p;
    } catch (err) {
      return sendError(reply, routeError(err));
    }
  });
}
