// One error model for every transport. An error meant for a client is a CodedError (or a subclass: SessionError,
// StoreError, AudioFormatError, EngineUnavailableError, TtsRequestError, ShuttingDownError, RestError…) and carries
// a stable `errorCode`; the HTTP status, the gRPC status, the WebSocket error code and the WebSocket close code are
// read from ERROR_TABLE, here and nowhere else. (A class may keep its own finer `code`, e.g. StoreError's
// `bad_input`; transports read only `errorCode`.) Anything else thrown is `internal`, and its message stays in the log.
// A leaf of the core, like paths.ts: every layer may import it, it imports nothing (the gRPC status is named, and
// api/grpc turns the name into grpc-js's number).
import type { ErrorCode as WsErrorCode } from '../../proto/ws-messages.js';

/** What a stream's `{"type":"error","code"}` may say (proto/ws-messages.ts ERROR_CODES). */
export type { WsErrorCode };

/** gRPC status names (grpc-js `status` keys) the table uses. */
export type GrpcStatusName =
  | 'INVALID_ARGUMENT'
  | 'RESOURCE_EXHAUSTED'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'FAILED_PRECONDITION'
  | 'INTERNAL';

interface Mapping {
  /** REST status. */
  http: number;
  grpc: GrpcStatusName;
  /** The code a WebSocket `error` message carries (the WS protocol has fewer codes than REST). */
  ws: WsErrorCode;
  /** The close code when this error ends a WebSocket before or instead of its stream. */
  wsClose: number;
}

/** Every code, and what each transport says for it. The one place a status is chosen. */
export const ERROR_TABLE = {
  bad_audio: { http: 400, grpc: 'INVALID_ARGUMENT', ws: 'bad_audio', wsClose: 1008 },
  bad_json: { http: 400, grpc: 'INVALID_ARGUMENT', ws: 'bad_json', wsClose: 1008 },
  bad_config: { http: 400, grpc: 'INVALID_ARGUMENT', ws: 'bad_config', wsClose: 1008 },
  too_large: { http: 413, grpc: 'RESOURCE_EXHAUSTED', ws: 'too_large', wsClose: 1009 },
  // Over capacity is the server's state: REST says 503 + Retry-After (httpStatusOf), WS "try again later".
  rate_limited: { http: 429, grpc: 'RESOURCE_EXHAUSTED', ws: 'rate_limited', wsClose: 1013 },
  model_unavailable: { http: 404, grpc: 'NOT_FOUND', ws: 'model_unavailable', wsClose: 1011 },
  not_ready: { http: 503, grpc: 'UNAVAILABLE', ws: 'internal', wsClose: 1013 },
  unauthorized: { http: 401, grpc: 'UNAUTHENTICATED', ws: 'bad_config', wsClose: 4401 },
  forbidden: { http: 403, grpc: 'PERMISSION_DENIED', ws: 'bad_config', wsClose: 4403 },
  not_found: { http: 404, grpc: 'NOT_FOUND', ws: 'bad_config', wsClose: 1008 },
  store_disabled: { http: 503, grpc: 'FAILED_PRECONDITION', ws: 'internal', wsClose: 1011 },
  // The server is shutting down (work in progress cut at the stop deadline, or new work refused).
  unavailable: { http: 503, grpc: 'UNAVAILABLE', ws: 'unavailable', wsClose: 1001 },
  internal: { http: 500, grpc: 'INTERNAL', ws: 'internal', wsClose: 1011 },
} as const satisfies Record<string, Mapping>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_TABLE, code);
}

/** An error a client hears about, by its code. */
export class CodedError extends Error {
  /** Over capacity: seconds until a retry may succeed (REST: 503 + Retry-After); null otherwise. */
  readonly retryAfterS: number | null;
  constructor(
    readonly errorCode: ErrorCode,
    message: string,
    options?: ErrorOptions & { retryAfterS?: number },
  ) {
    super(message, options);
    this.name = 'CodedError';
    this.retryAfterS = options?.retryAfterS ?? null;
  }
}

/** The code of anything thrown: a CodedError's own, else `internal`. */
export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof CodedError ? err.errorCode : 'internal';
}

/** The message a client may see: a CodedError's own; never the details of an unexpected failure. */
export function clientMessageOf(err: unknown): string {
  return err instanceof CodedError ? err.message : 'internal error';
}

export function retryAfterOf(err: unknown): number | null {
  return err instanceof CodedError ? err.retryAfterS : null;
}

/** REST status of an error: the table's, except over capacity, which is the server's state (503, retry later). */
export function httpStatusOf(err: unknown): number {
  return retryAfterOf(err) !== null ? 503 : ERROR_TABLE[errorCodeOf(err)].http;
}

export function grpcStatusNameOf(code: ErrorCode): GrpcStatusName {
  return ERROR_TABLE[code].grpc;
}

export function wsErrorCodeOf(err: unknown): WsErrorCode {
  return ERROR_TABLE[errorCodeOf(err)].ws;
}

export function wsCloseCodeOf(err: unknown): number {
  return ERROR_TABLE[errorCodeOf(err)].wsClose;
}
