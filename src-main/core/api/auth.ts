// Token, Origin and Host checks: the rules of docs/PROTOCOL.md "Auth and origin", as pure functions so the
// HTTP, WebSocket and gRPC transports apply exactly the same decision.
//
// Why each rule exists: any web page can open ws://127.0.0.1, so a request that carries an Origin (a browser)
// must come from our own UI (or an allow-listed origin) AND prove it knows the token; a DNS-rebinding page
// reaches us under its own host name, so the Host header must be a loopback name or a configured host.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { userDataDir } from '../paths.js';
import type { RouteAccess } from './route-access.js';

export const TOKEN_FILE = 'api-token';
/** 32 random bytes = 256 bits, base64url. */
const TOKEN_BYTES = 32;

export function tokenPath(dir: string = userDataDir()): string {
  return join(dir, TOKEN_FILE);
}

/** Reads the per-install token, creating it (mode 0600) on first use; `regenerate` replaces it. */
export function loadOrCreateToken(opts: { dir?: string; regenerate?: boolean } = {}): string {
  const dir = opts.dir ?? userDataDir();
  const file = tokenPath(dir);
  if (!opts.regenerate) {
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (token.length >= 22) {
        // Tighten a token file someone loosened: it grants access to the microphone and transcripts.
        if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
        return token;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  if (process.platform !== 'win32') chmodSync(file, 0o600);
  return token;
}

export interface AuthPolicy {
  token: string;
  /** Token mandatory for every client (else native loopback clients without Origin may omit it). */
  requireToken: boolean;
  /** The address the servers bind; a non-loopback bind makes the token mandatory. */
  bindHost: string;
  /** Extra browser origins allowed besides the server's own, e.g. "http://localhost:5173". */
  allowedOrigins: string[];
  /** Extra Host names accepted besides loopback ones. */
  allowedHosts: string[];
  /** Ports this process serves HTTP on; filled in after listen (port 0 in tests). Own UI origins derive from them. */
  ownPorts: number[];
}

export function createAuthPolicy(p: Partial<AuthPolicy> & { token: string }): AuthPolicy {
  return {
    requireToken: false,
    bindHost: '127.0.0.1',
    allowedOrigins: [],
    allowedHosts: [],
    ownPorts: [],
    ...p,
  };
}

export function isLoopbackHostname(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (h.startsWith('::ffff:')) return h.slice(7).startsWith('127.');
  return false;
}

export function isLoopbackBind(bindHost: string): boolean {
  return isLoopbackHostname(bindHost);
}

/** Hostname of a Host header ("127.0.0.1:8088" → "127.0.0.1", "[::1]:80" → "::1"). */
export function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** Addresses of this machine's interfaces (a non-loopback bind is reached under them). */
function interfaceAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address.toLowerCase());
  return out;
}

export function hostAllowed(hostHeader: string | undefined, policy: AuthPolicy): boolean {
  if (!hostHeader) return false;
  const name = hostnameOf(hostHeader);
  if (isLoopbackHostname(name)) return true;
  if (policy.allowedHosts.some((h) => h.toLowerCase() === name)) return true;
  if (!isLoopbackBind(policy.bindHost)) {
    if (name === policy.bindHost.toLowerCase()) return true;
    if (isIP(name) && interfaceAddresses().has(name)) return true;
  }
  return false;
}

/** The UI's own origins: http://127.0.0.1:<port>, http://localhost:<port>, http://[::1]:<port> per served port. */
export function ownOrigins(policy: AuthPolicy): string[] {
  return policy.ownPorts.flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`, `http://[::1]:${p}`]);
}

export function originAllowed(origin: string, policy: AuthPolicy): boolean {
  const o = origin.trim().toLowerCase().replace(/\/$/, '');
  return ownOrigins(policy).includes(o) || policy.allowedOrigins.some((a) => a.toLowerCase().replace(/\/$/, '') === o);
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The token from `Authorization: Bearer …` (HTTP, gRPC metadata; `Token …` as Deepgram's SDKs send it), an API-key
 * header of the cloud protocols Earshot serves (`xi-api-key`, `x-api-key`), or `?token=` (WebSocket URLs).
 */
export function extractToken(
  authorization: string | undefined,
  queryToken: string | null | undefined,
  apiKey?: string | null,
): string | null {
  if (authorization) {
    const m = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(authorization);
    if (m) return m[1]!;
  }
  if (apiKey) return apiKey.trim();
  return queryToken ?? null;
}

export interface AuthRequest {
  /**
   * Access level of the route the router matched (route-access.ts); never derived from the raw URL.
   * Absent = 'protected' (WebSocket streams, gRPC, unknown routes).
   */
  access?: RouteAccess;
  host: string | undefined;
  origin: string | undefined;
  authorization: string | undefined;
  /** `?token=` value, if any. */
  queryToken?: string | null;
  /** An API-key header (`xi-api-key`, `x-api-key`) or Deepgram's `token` WebSocket subprotocol value, if any. */
  apiKey?: string | null;
}

export type AuthDecision =
  | { ok: true }
  | { ok: false; status: 401 | 403; wsCloseCode: 4401 | 4403; grpcCode: 'UNAUTHENTICATED' | 'PERMISSION_DENIED'; reason: string };

const forbidden = (reason: string): AuthDecision => ({ ok: false, status: 403, wsCloseCode: 4403, grpcCode: 'PERMISSION_DENIED', reason });
const unauthorized = (reason: string): AuthDecision => ({ ok: false, status: 401, wsCloseCode: 4401, grpcCode: 'UNAUTHENTICATED', reason });

/** The one decision every transport applies. gRPC: no origin; host = `:authority`. */
export function checkAccess(req: AuthRequest, policy: AuthPolicy): AuthDecision {
  const access = req.access ?? 'protected';
  if (access === 'public') return { ok: true };
  if (!hostAllowed(req.host, policy)) return forbidden(`Host "${req.host ?? ''}" is not a loopback or configured host`);
  if (access === 'ui') return { ok: true };
  const token = extractToken(req.authorization, req.queryToken, req.apiKey);
  const valid = token !== null && tokenMatches(token, policy.token);
  if (req.origin !== undefined && req.origin !== '') {
    if (!originAllowed(req.origin, policy)) return forbidden(`Origin "${req.origin}" is not allowed`);
    if (!valid) return unauthorized(token === null ? 'a browser request must carry the API token' : 'invalid API token');
    return { ok: true };
  }
  if (valid) return { ok: true };
  if (policy.requireToken || !isLoopbackBind(policy.bindHost)) {
    return unauthorized(token === null ? 'API token required (Authorization: Bearer <token> or ?token=)' : 'invalid API token');
  }
  // Native loopback clients may omit the token — and may send any other key: OpenAI-style SDKs cannot send
  // none, and local model servers accept any key unless told otherwise (`--require-token` makes it strict).
  return { ok: true };
}
