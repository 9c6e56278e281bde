// Which rules guard a route, decided on the route the router actually matched — never on the raw URL.
//
// Why: the router percent-decodes (`/%761/sessions` is `/v1/sessions`), accepts absolute-form URLs
// (`GET http://x/v1/sessions`) and leaves `..`, `//`, case and trailing-slash variants to other routes. Any
// check on the raw string disagrees with it somewhere (issue 10: `/%761/sessions` skipped the token and Origin
// checks). So each route carries its access level in its Fastify route config, the auth hook reads the config
// of the route that matched, and anything without a level — including "no route matched" — is protected:
// deny by default. WebSocket upgrades (which Fastify does not route) are matched by a find-my-way router with
// the same options as Fastify's, so both transports see one path.
import FindMyWay from 'find-my-way';
import { COMPAT_STREAM_PATHS, type CompatStreamKind } from './compat/stream-paths.js';

/**
 * - `public`: no checks at all (`/healthz`: liveness probes send odd Host headers and no token).
 * - `ui`: the static web UI files, GET/HEAD only: Host is checked, no token (a browser loads them first).
 * - `protected`: Host, Origin and token rules of docs/PROTOCOL.md. The default for every route.
 */
export type RouteAccess = 'public' | 'ui' | 'protected';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Absent = 'protected'. */
    access?: RouteAccess;
  }
}

/** One router configuration for Fastify and the WebSocket stream matcher (these are Fastify's defaults, pinned). */
export const ROUTER_OPTIONS = Object.freeze({
  caseSensitive: true,
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
  useSemicolonDelimiter: false,
});

/** Access level of a matched route for this method; unknown routes and methods are protected. */
export function accessOf(config: { access?: RouteAccess } | undefined, method: string): RouteAccess {
  const access = config?.access ?? 'protected';
  if (access === 'ui' && method !== 'GET' && method !== 'HEAD') return 'protected';
  return access;
}

/** A registered HTTP route, as the route table test enumerates it. */
export interface RouteEntry {
  port: 'asr' | 'tts';
  method: string;
  url: string;
  access: RouteAccess;
}

export type StreamKind = 'asr' | 'tts';

/** WebSocket stream paths: `/v1/audio/stream` opens the port's own stream kind. */
export const STREAM_PATHS: Readonly<Record<string, StreamKind | 'port' | 'system-audio'>> = Object.freeze({
  '/v1/asr/stream': 'asr',
  '/v1/tts/stream': 'tts',
  '/v1/audio/stream': 'port',
  // Captions of the server machine's own system audio (ws/system-audio-socket.ts), on both ports.
  '/v1/system-audio/stream': 'system-audio',
});

/**
 * Matches an upgrade request's raw URL exactly as Fastify's router would match it (decoding included): Earshot's
 * own stream paths and the cloud protocols' (compat/stream-paths.ts).
 */
export function createStreamMatcher(): (rawUrl: string, portKind: StreamKind) => StreamKind | 'system-audio' | CompatStreamKind | null {
  const router = FindMyWay({ ...ROUTER_OPTIONS, defaultRoute: () => undefined });
  for (const [path, kind] of Object.entries({ ...STREAM_PATHS, ...COMPAT_STREAM_PATHS })) router.on('GET', path, () => undefined, { kind });
  return (rawUrl, portKind) => {
    const found = router.find('GET', rawUrl) as { store?: { kind: StreamKind | CompatStreamKind | 'port' | 'system-audio' } } | null;
    const kind = found?.store?.kind;
    if (!kind) return null;
    return kind === 'port' ? portKind : kind;
  };
}
