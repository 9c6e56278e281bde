// The error envelope of every REST route: `{ "error": { "code", "message", "type" } }`. It is OpenAI's
// envelope (the `openai` npm client reads `error.message` and the status) with PROTOCOL.md's codes in `code`.
import type { FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import { AudioFormatError } from '../../audio/pcm.js';
import { EngineUnavailableError } from '../../engine/types.js';
import { OverloadedError } from '../../sessions/admission.js';
import { describeSchemaValidationError } from './zod-route-schemas.js';

/** PROTOCOL.md error codes plus the HTTP-only ones (auth, routing). */
export type RestErrorCode =
  | 'bad_audio'
  | 'bad_json'
  | 'bad_config'
  | 'too_large'
  | 'rate_limited'
  | 'model_unavailable'
  | 'not_ready'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'store_disabled'
  | 'internal'
  | 'unavailable';

const STATUS: Record<RestErrorCode, number> = {
  bad_audio: 400,
  bad_json: 400,
  bad_config: 400,
  too_large: 413,
  rate_limited: 429,
  model_unavailable: 404,
  not_ready: 503,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  store_disabled: 503,
  internal: 500,
  // The server is shutting down (work in progress cut at the stop deadline, or new work refused).
  unavailable: 503,
};

/** OpenAI's `error.type` for a status, so OpenAI clients classify the error as they would upstream. */
function openAiType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export class RestError extends Error {
  readonly status: number;
  constructor(
    readonly code: RestErrorCode,
    message: string,
    status?: number,
  ) {
    super(message);
    this.name = 'RestError';
    this.status = status ?? STATUS[code];
  }
}

export function errorBody(code: RestErrorCode, message: string, status = STATUS[code]) {
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
  if (err instanceof AudioFormatError) return new RestError('bad_audio', err.message);
  if (err instanceof EngineUnavailableError) return new RestError('model_unavailable', err.message);
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  // Errors from the session layer carry PROTOCOL.md codes.
  if (typeof code === 'string' && code in STATUS) return new RestError(code as RestErrorCode, message);
  // Fastify's own errors (body too large, bad content type, malformed JSON).
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    if (statusCode === 413) return new RestError('too_large', message);
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(message)) return new RestError('bad_json', message, 400);
    return new RestError('bad_config', message, statusCode);
  }
  return new RestError('internal', 'internal error');
}

export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  // Over capacity is the server's state, not the client's fault: 503 with when to retry.
  if (err instanceof OverloadedError) {
    return reply
      .code(503)
      .header('Retry-After', String(err.retryAfterS))
      .type('application/json')
      .send(errorBody('rate_limited', err.message, 503));
  }
  const e = toRestError(err);
  return reply
    .code(e.status)
    .type('application/json')
    .send(errorBody(e.code, e.message, e.status));
}
