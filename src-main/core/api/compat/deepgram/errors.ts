// Deepgram's REST error body (`{"err_code","err_msg","request_id"}`) with the status Earshot's error model gives
// the same failure, so Deepgram SDKs raise their usual errors.
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { toRestError } from '../../http/rest-errors.js';

export function sendDeepgramError(reply: FastifyReply, err: unknown): FastifyReply {
  const e = toRestError(err);
  return reply.code(e.status).send({ err_code: e.code.toUpperCase(), err_msg: e.message, request_id: randomUUID() });
}
