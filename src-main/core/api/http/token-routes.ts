// `POST /v1/token/regenerate`: a new per-install token, at once. The old token stops working for every new
// request and WebSocket/gRPC call (they all read the one AuthPolicy); streams already open with the old token
// are ended by the server's `onRotate` (api/token-bound.ts).
// Unlike other routes it needs the current token even from a native loopback client: whoever may rotate the
// token can lock every other client out, so "a local process without a token" is not enough.
import type { FastifyInstance } from 'fastify';
import { extractToken, loadOrCreateToken, tokenMatches, type AuthPolicy } from '../auth.js';
import { TokenRotation } from '../../../../proto/rest-service.js';
import { RestError, sendError } from './rest-errors.js';
import { zodRoutes } from './zod-route-schemas.js';
import { randomBytes } from 'node:crypto';

export interface TokenRoutesOptions {
  auth: AuthPolicy;
  /** Folder of the token file rewritten on rotation; null = this server's token lives only in memory. */
  tokenDir: string | null;
  /** Told after each rotation (e.g. the desktop shell, which hands the token to new windows). */
  onRotate?: (token: string) => void;
}

export async function tokenRoutes(plugin: FastifyInstance, opts: TokenRoutesOptions): Promise<void> {
  const app = zodRoutes(plugin);
  app.post('/v1/token/regenerate', { schema: { response: { 200: TokenRotation } } }, async (req, reply) => {
    const given = extractToken(req.headers.authorization, null);
    if (given === null || !tokenMatches(given, opts.auth.token)) {
      return sendError(
        reply,
        new RestError('unauthorized', 'regenerating the token requires the current token (Authorization: Bearer <token>)'),
      );
    }
    const token =
      opts.tokenDir !== null ? loadOrCreateToken({ dir: opts.tokenDir, regenerate: true }) : randomBytes(32).toString('base64url');
    opts.auth.token = token;
    opts.onRotate?.(token);
    return { token, persisted: opts.tokenDir !== null };
  });
}
