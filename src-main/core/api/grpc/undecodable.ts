// Requests whose protobuf bytes cannot be decoded are the client's fault: INVALID_ARGUMENT, not INTERNAL.
//
// Why a wrapper: @grpc/grpc-js answers a throwing request deserializer with a hard-coded INTERNAL status
// before any handler runs. So each method's deserializer is wrapped to return a marker object instead of
// throwing, and every handler checks what it received with `undecodableError` and answers INVALID_ARGUMENT
// naming the problem.
import * as grpc from '@grpc/grpc-js';
import type { GrpcError } from './call-guard.js';

const UNDECODABLE = Symbol('undecodable protobuf');

interface Undecodable {
  [UNDECODABLE]: string;
}

/** The service definition with every request deserializer made non-throwing (see above). */
export function withTolerantDecoding(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service as Record<string, grpc.MethodDefinition<unknown, unknown>>)) {
    out[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (err) {
          return { [UNDECODABLE]: err instanceof Error ? err.message : String(err) } satisfies Undecodable;
        }
      },
    };
  }
  return out as grpc.ServiceDefinition;
}

/** INVALID_ARGUMENT for a request message that could not be decoded; null for a real message. */
export function undecodableError(msg: unknown): GrpcError | null {
  if (typeof msg !== 'object' || msg === null || !(UNDECODABLE in msg)) return null;
  return {
    code: grpc.status.INVALID_ARGUMENT,
    details: `the request message is not a valid protobuf for this method: ${(msg as Undecodable)[UNDECODABLE]}`,
  };
}
