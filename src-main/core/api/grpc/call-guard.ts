// What every gRPC handler does first and last: the same auth decision as HTTP/WS (api/auth.ts, applied to
// the `authorization` metadata and the `:authority` host), and the mapping of Earshot's error codes to gRPC
// status codes (read from core/errors.ts).
import * as grpc from '@grpc/grpc-js';
import { CodedError, grpcStatusNameOf, type ErrorCode } from '../../errors.js';
import { checkAccess, extractToken } from '../auth.js';
import type { ApiContext } from '../context.js';

export interface GrpcError {
  code: grpc.status;
  details: string;
}

/** PROTOCOL.md error code → gRPC status, from the one error table (core/errors.ts). */
export function grpcStatusFor(code: ErrorCode): grpc.status {
  return grpc.status[grpcStatusNameOf(code)];
}

/** Any thrown value → a gRPC error; a CodedError keeps its message, anything else is INTERNAL without details. */
export function toGrpcError(err: unknown): GrpcError {
  if (err instanceof CodedError) return { code: grpcStatusFor(err.errorCode), details: err.message };
  // A request field the proto loader could not convert (a number out of range, a wrong type).
  if (err instanceof RangeError || err instanceof TypeError) return { code: grpc.status.INVALID_ARGUMENT, details: err.message };
  return { code: grpc.status.INTERNAL, details: 'internal error' };
}

type AnyCall = { metadata: grpc.Metadata; getHost(): string };

/** The token a call presented in its `authorization` metadata, or null. */
export function presentedToken(call: AnyCall): string | null {
  const auth = call.metadata.get('authorization')[0];
  return extractToken(typeof auth === 'string' ? auth : auth?.toString('utf8'), null);
}

/**
 * Bind a streaming call to the token it presented (api/token-bound.ts): a token rotation ends it with
 * UNAUTHENTICATED via `fail`. Returns the unbind function; a call without a token is not bound.
 */
export function bindToToken(ctx: ApiContext, call: AnyCall, fail: (err: GrpcError) => void): () => void {
  const token = presentedToken(call);
  if (token === null) return () => undefined;
  return ctx.tokenBound.bind(token, () =>
    fail({ code: grpc.status.UNAUTHENTICATED, details: 'the API token was rotated; call again with the new token' }),
  );
}

/**
 * One of the server's concurrent-stream slots for a call (call the result to release it); with none free, the call
 * ends with RESOURCE_EXHAUSTED and the answer is null.
 */
export function acquireStreamSlot(ctx: ApiContext, call: { emit(event: 'error', err: GrpcError): boolean }): (() => void) | null {
  const release = ctx.streams.acquire();
  if (!release) {
    call.emit('error', {
      code: grpc.status.RESOURCE_EXHAUSTED,
      details: `too many concurrent streams (limit ${ctx.limits.maxConcurrentStreams}); try again later`,
    });
  }
  return release;
}

/** The auth decision for a call; null = allowed. */
export function denyReason(ctx: ApiContext, call: AnyCall): GrpcError | null {
  const auth = call.metadata.get('authorization')[0];
  const decision = checkAccess(
    {
      host: call.getHost() || undefined,
      origin: undefined,
      authorization: typeof auth === 'string' ? auth : auth?.toString('utf8'),
    },
    ctx.auth,
  );
  if (decision.ok) return null;
  return {
    code: decision.grpcCode === 'UNAUTHENTICATED' ? grpc.status.UNAUTHENTICATED : grpc.status.PERMISSION_DENIED,
    details: decision.reason,
  };
}
