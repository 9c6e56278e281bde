// REST shapes of the service endpoints (docs/PROTOCOL.md "REST"): the error envelope every route answers with,
// `/healthz`, `/readyz` and `POST /v1/token/regenerate`. Imports nothing but zod.
import { z } from 'zod';

/**
 * `{ "error": { "code", "message", "type" } }`: OpenAI's envelope (the `openai` npm client reads `error.message` and
 * the status) with PROTOCOL.md's codes in `code`.
 */
export const ErrorEnvelope = z.object({
  error: z.object({ code: z.string(), message: z.string(), type: z.string() }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export const Health = z.object({ status: z.literal('ok') });

/** `GET /readyz`: 200 when the engine's models are loaded and warm, else 503 with the error envelope too. */
export const Readiness = z.object({
  ready: z.boolean(),
  detail: z.string(),
  /** Whether finals are saved (false under `earshot serve --no-store`). */
  store: z.boolean(),
  error: ErrorEnvelope.shape.error.optional(),
});
export type Readiness = z.infer<typeof Readiness>;

/** `POST /v1/token/regenerate` → the new token; `persisted`: written to the token file (else memory only). */
export const TokenRotation = z.object({ token: z.string(), persisted: z.boolean() });
export type TokenRotation = z.infer<typeof TokenRotation>;
