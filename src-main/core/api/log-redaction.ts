// Request logs never carry credentials. Browsers can only pass the API token in a WebSocket URL (`?token=`),
// and some clients put it in REST URLs too, so the URL Fastify logs for every request is redacted first. The
// Authorization header is never logged at all (the serializer below lists what is).
import type { FastifyRequest } from 'fastify';

/** Query parameters whose values are secrets. */
const SECRET_PARAM = /([?&;](?:access_)?token=)[^&#;]*/gi;

/** `url` with the value of every `token=` / `access_token=` query parameter replaced by `[redacted]`. */
export function redactTokens(url: string): string {
  return url.replace(SECRET_PARAM, '$1[redacted]');
}

/** Fastify's default request serializer, with the URL redacted. */
export function redactedRequestSerializer(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactTokens(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
