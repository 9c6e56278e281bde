// Assembles the local API: two Fastify instances (ASR port, default 8088; TTS port, default 9999), each with
// the REST routes, sessions routes and /metrics, WebSocket streams on the HTTP 'upgrade' event, the web UI
// on the ASR port, and the two gRPC servers. Auth (token, Origin, Host) runs before every route and every
// WebSocket handshake. Transports only: speech logic lives in core/sessions and below.
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import pino, { type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES } from '../../../proto/ws-messages.js';
import type { Engine } from '../engine/types.js';
import type { Store } from '../store/types.js';
import { appRoot } from '../paths.js';
import { checkAccess, createAuthPolicy, isLoopbackBind, originAllowed, type AuthPolicy } from './auth.js';
import type { ApiContext } from './context.js';
import { resolveLimits, StreamSlots, type Limits } from './limits.js';
import { Admission } from '../sessions/admission.js';
import { ApiMetrics } from './metrics.js';
import { restRoutes } from './http/rest-routes.js';
import { modelPullRoutes } from './http/model-pull-routes.js';
import { tokenRoutes } from './http/token-routes.js';
import { ModelPulls } from './model-pulls.js';
import { sessionsRoutes } from './http/sessions-routes.js';
import { startGrpc, type RunningGrpc } from './grpc/server.js';
import { handleAsrSocket, type LiveAsrSockets } from './ws/asr-socket.js';
import { handleTtsSocket, type LiveTtsSockets } from './ws/tts-socket.js';

export const DEFAULT_ASR_PORT = 8088;
export const DEFAULT_TTS_PORT = 9999;

export interface ServerOptions {
  engine: Engine;
  store?: Store | null;
  /** The per-install token (see auth.loadOrCreateToken). */
  token: string;
  /** Bind address; default 127.0.0.1. A non-loopback address makes the token mandatory. */
  host?: string;
  /** 0 = any free port (tests). */
  asrPort?: number;
  ttsPort?: number;
  /** gRPC ports, or false for no gRPC. Default 50052 / 50051. */
  grpc?: { asrPort: number; ttsPort: number } | false;
  requireToken?: boolean;
  allowedOrigins?: string[];
  allowedHosts?: string[];
  limits?: Partial<Limits>;
  logger?: Logger;
  /** Built web UI (index.html + assets); default <appRoot>/out/renderer. */
  webRoot?: string;
  /** Folder of the token file that `POST /v1/token/regenerate` rewrites; absent = rotation in memory only. */
  tokenDir?: string;
  /** Told after each token rotation. */
  onTokenRotated?: (token: string) => void;
  /** Model installs over the API: target folder (default downloadDir()) and mirror base URL (default env EARSHOT_MODELS_BASE_URL). */
  models?: { into?: string; baseUrl?: string };
}

export interface RunningServer {
  ctx: ApiContext;
  host: string;
  asrPort: number;
  ttsPort: number;
  grpcAsrPort: number | null;
  grpcTtsPort: number | null;
  /** http://host:asrPort */
  asrUrl: string;
  ttsUrl: string;
  /** Live WebSocket streams now. */
  readonly activeStreams: number;
  /**
   * Graceful shutdown: stop accepting, end every live ASR stream (its final reaches the client and the store,
   * then close 1001), close TTS streams 1001, stop gRPC, close the HTTP servers. Idempotent.
   */
  close(): Promise<void>;
}

type StreamKind = 'asr' | 'tts';

/** Which stream a WebSocket path opens on a port, or null (404). */
function streamFor(path: string, portKind: StreamKind): StreamKind | null {
  if (path === '/v1/asr/stream') return 'asr';
  if (path === '/v1/tts/stream') return 'tts';
  if (path === '/v1/audio/stream') return portKind;
  return null;
}

/** Paths open to anyone: /healthz and the static web UI (GET only). Everything under /v1 and /metrics is not. */
function isOpenPath(method: string, path: string): boolean {
  if (path === '/healthz') return true;
  if (method !== 'GET' && method !== 'HEAD') return false;
  return !path.startsWith('/v1/') && path !== '/metrics';
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? pino({ level: process.env.EARSHOT_LOG_LEVEL ?? 'warn' });
  const limits = resolveLimits(opts.limits);
  const auth: AuthPolicy = createAuthPolicy({
    token: opts.token,
    requireToken: opts.requireToken ?? false,
    bindHost: host,
    allowedOrigins: opts.allowedOrigins ?? [],
    allowedHosts: opts.allowedHosts ?? [],
  });
  const ctx: ApiContext = {
    engine: opts.engine,
    store: opts.store ?? null,
    auth,
    limits,
    streams: new StreamSlots(limits.maxConcurrentStreams),
    admission: new Admission({ maxLiveStreams: limits.maxConcurrentStreams, minLiveStreams: limits.minLiveStreams, maxBatchJobs: limits.maxBatchJobs }),
    metrics: new ApiMetrics(),
    logger,
  };
  const liveAsr: LiveAsrSockets = new Set();
  const liveTts: LiveTtsSockets = new Set();
  const sockets = new Set<WebSocket>();
  let closing = false;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false });

  const webRoot = opts.webRoot ?? join(appRoot, 'out', 'renderer');
  const pulls = new ModelPulls({ into: opts.models?.into, baseUrl: opts.models?.baseUrl ?? (process.env.EARSHOT_MODELS_BASE_URL || undefined) });

  async function buildApp(kind: StreamKind): Promise<FastifyInstance> {
    const app = Fastify({ loggerInstance: logger.child({ port: kind }), bodyLimit: limits.maxUploadBytes });

    // Auth first, for every route (and CORS for allow-listed browser origins).
    app.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0]!;
      const origin = req.headers.origin;
      if (origin && originAllowed(origin, auth)) {
        reply.header('Access-Control-Allow-Origin', origin);
        reply.header('Vary', 'Origin');
        if (req.method === 'OPTIONS') {
          // A preflight carries no credentials; the real request is checked in full.
          return reply
            .code(204)
            .header('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE, OPTIONS')
            .header('Access-Control-Allow-Headers', 'authorization, content-type, accept')
            .header('Access-Control-Max-Age', '600')
            .send();
        }
      }
      const decision = checkAccess(
        { path, host: req.headers.host, origin, authorization: req.headers.authorization, open: isOpenPath(req.method, path) },
        auth,
      );
      if (!decision.ok) {
        return reply.code(decision.status).send({ error: { code: decision.status === 401 ? 'unauthorized' : 'forbidden', message: decision.reason } });
      }
    });

    app.get('/metrics', async (_req, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.text()));
    await app.register(restRoutes, { ctx });
    await app.register(modelPullRoutes, { pulls });
    await app.register(tokenRoutes, { auth, tokenDir: opts.tokenDir ?? null, onRotate: opts.onTokenRotated });
    if (ctx.store) await app.register(sessionsRoutes, { store: ctx.store });

    if (kind === 'asr') {
      if (existsSync(join(webRoot, 'index.html'))) {
        await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: ['index.html'], wildcard: true });
      } else {
        app.get('/', async (_req, reply) =>
          reply.type('text/plain').send(`Earshot API is running. The web UI is not built (no ${webRoot}/index.html): run \`npm run build\`.\n`),
        );
      }
    }

    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => onUpgrade(kind, req, socket, head));
    return app as unknown as FastifyInstance;
  }

  function onUpgrade(portKind: StreamKind, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return rejectUpgrade(socket, 400, 'Bad Request');
    }
    const stream = streamFor(url.pathname, portKind);
    if (!stream) return rejectUpgrade(socket, 404, 'Not Found');
    if (closing) return rejectUpgrade(socket, 503, 'Service Unavailable');
    const decision = checkAccess(
      { path: url.pathname, host: req.headers.host, origin: req.headers.origin, authorization: req.headers.authorization, queryToken: url.searchParams.get('token') },
      auth,
    );
    // Refusals complete the handshake and close with 4401/4403, so browsers (which never see an HTTP status
    // of a failed handshake) learn why.
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!decision.ok) {
        ctx.metrics.error(decision.status === 401 ? 'unauthorized' : 'forbidden');
        ws.close(decision.wsCloseCode, decision.reason.slice(0, 120));
        return;
      }
      const release = ctx.streams.acquire();
      if (!release) {
        ws.close(CLOSE_CODES.tryAgainLater, `too many concurrent streams (limit ${limits.maxConcurrentStreams}); try again later`);
        return;
      }
      sockets.add(ws);
      ws.once('close', () => sockets.delete(ws));
      if (stream === 'asr') handleAsrSocket(ws, url.searchParams, ctx, liveAsr, release);
      else handleTtsSocket(ws, url.searchParams, ctx, liveTts, release);
    });
  }

  const asrApp = await buildApp('asr');
  const ttsApp = await buildApp('tts');
  let grpc: RunningGrpc | null = null;
  try {
    await asrApp.listen({ host, port: opts.asrPort ?? DEFAULT_ASR_PORT });
    await ttsApp.listen({ host, port: opts.ttsPort ?? DEFAULT_TTS_PORT });
    const portOf = (app: FastifyInstance) => (app.server.address() as { port: number }).port;
    auth.ownPorts.push(portOf(asrApp), portOf(ttsApp));
    const grpcPorts = opts.grpc === undefined ? { asrPort: 50052, ttsPort: 50051 } : opts.grpc;
    if (grpcPorts) grpc = await startGrpc(ctx, { host, asrPort: grpcPorts.asrPort, ttsPort: grpcPorts.ttsPort });
  } catch (err) {
    await Promise.allSettled([asrApp.close(), ttsApp.close()]);
    throw err;
  }
  if (!isLoopbackBind(host)) logger.warn({ host }, 'listening on a non-loopback address: the API token is required for every client');

  const [asrPort, ttsPort] = auth.ownPorts as [number, number];
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closed: Promise<void> | null = null;

  return {
    ctx,
    host,
    asrPort,
    ttsPort,
    grpcAsrPort: grpc?.asrPort ?? null,
    grpcTtsPort: grpc?.ttsPort ?? null,
    asrUrl: `http://${urlHost}:${asrPort}`,
    ttsUrl: `http://${urlHost}:${ttsPort}`,
    get activeStreams() {
      return ctx.streams.active;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        pulls.close();
        // Stop accepting new HTTP connections first; live streams are ended below.
        asrApp.server.close();
        ttsApp.server.close();
        await Promise.allSettled([...liveAsr, ...liveTts].map((s) => s.shutdown()));
        // Give close frames a moment to go out, then drop whatever is left.
        const deadline = Date.now() + 2000;
        while (sockets.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        for (const ws of sockets) ws.terminate();
        await Promise.allSettled([grpc?.close(2000), asrApp.close(), ttsApp.close()]);
        wss.close();
      })();
      return closed;
    },
  };
}
