// The error envelope of every REST route: `{ "error": { "code", "message", "type" } }` (proto/rest-service.ts
// ErrorEnvelope). It is OpenAI's envelope (the `openai` npm client reads `error.message` and the status) with
// PROTOCOL.md's codes in `code`. The status comes from the one error table (core/errors.ts); this file only adds
// what is REST's own: request-shape errors (zod, the route schemas, Fastify's body parsing) and Retry-After.
import type { FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import type { ErrorEnvelope } from '../../../../proto/rest-service.js';
import { CodedError, ERROR_TABLE, httpStatusOf, type ErrorCode } from '../../errors.js';
import { describeSchemaValidationError } from './zod-route-schemas.js';

/** PROTOCOL.md error codes plus the HTTP-only ones (auth, routing). */
export type RestErrorCode = ErrorCode;

/** OpenAI's `error.type` for a status, so OpenAI clients classify the error as they would upstream. */
function openAiType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export class RestError extends CodedError {
  readonly status: number;
  constructor(
    readonly code: RestErrorCode,
    message: string,
    /** Only for Fastify's own 4xx errors, whose status (415, …) is kept as Fastify chose it. */
    status?: number,
    options?: { retryAfterS?: number },
  ) {
    super(code, message, options);
    this.name = 'RestError';
    this.status = status ?? httpStatusOf(this);
  }
}

export function errorBody(code: RestErrorCode, message: string, status: number = ERROR_TABLE[code].http): ErrorEnvelope {
  return { error: { code, message, type: openAiType(status) } };
}

/** Names the first problem of a zod error as `field: what is wrong`. */
export function describeZodError(err: ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Maps any thrown value to a status and envelope; unknown errors are `internal` without their details. */
export function toRestError(err: unknown): RestError {
  if (err instanceof RestError) return err;
  if (err instanceof ZodError) return new RestError('bad_config', describeZodError(err));
  // A request that failed its route's schema (proto/rest-*.ts).
  const invalid = describeSchemaValidationError(err);
  if (invalid !== null) return new RestError('bad_config', invalid);
  if (err instanceof CodedError) {
    return new RestError(err.errorCode, err.message, undefined, err.retryAfterS !== null ? { retryAfterS: err.retryAfterS } : {});
  }
  // Fastify's own errors (body too large, bad content type, malformed JSON).
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    if (statusCode === 413) return new RestError('too_large', message);
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(message)) return new RestError('bad_json', message);
    return new RestError('bad_config', message, statusCode);
  }
  return new RestError('internal', 'internal error');
}

export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const e = toRestError(err);
  // Over capacity is the server's state, not the client's fault: 503 with when to retry.
  if (e.retryAfterS !== null) reply.header('Retry-After', String(e.retryAfterS));
  return reply
    .code(e.status)
    .type('application/json')
    .send(errorBody(e.code, e.message, e.status));
}
