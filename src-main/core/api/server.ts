// Assembles the local API: two Fastify instances (ASR port, default 8088; TTS port, default 9999), each with
// the REST routes, sessions routes and /metrics, WebSocket streams on the HTTP 'upgrade' event, the web UI
// on the ASR port, and the two gRPC servers. Auth (token, Origin, Host) runs before every route and every
// WebSocket handshake. Transports only: speech logic lives in core/sessions and below.
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { dirname, join } from 'node:path';
import Fastify, { LogController, type FastifyInstance, type RouteOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import pino, { type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES } from '../../../proto/ws-messages.js';
import { devFixturesEnabled, type Engine } from '../engine/index.js';
import type { Store } from '../store/index.js';
import { appRoot, appVersion } from '../paths.js';
import { checkAccess, createAuthPolicy, extractToken, isLoopbackBind, originAllowed, type AuthPolicy } from './auth.js';
import { TokenBoundStreams } from './token-bound.js';
import type { ApiContext } from './context.js';
import { redactedRequestSerializer } from './log-redaction.js';
import { accessOf, createStreamMatcher, ROUTER_OPTIONS, type RouteEntry, type StreamKind } from './route-access.js';
import { resolveLimits, StreamSlots, type Limits } from './limits.js';
import { Admission } from '../sessions/index.js';
import { ApiMetrics } from './metrics.js';
import { notFoundHandler, restRoutes } from './http/rest-routes.js';
import { modelPullRoutes } from './http/model-pull-routes.js';
import { tokenRoutes } from './http/token-routes.js';
import { ModelPulls } from './model-pulls.js';
import { sessionsDisabledRoutes, sessionsRoutes } from './http/sessions-routes.js';
import { transcriptionJobRoutes } from './http/transcription-job-routes.js';
import { TranscriptionJobs } from './transcription-jobs.js';
import { DEFAULT_GRPC_ASR_PORT, DEFAULT_GRPC_TTS_PORT, startGrpc, type RunningGrpc } from './grpc/server.js';
import { startWyoming, type RunningWyoming } from './wyoming/server.js';
import { handleAsrSocket } from './ws/asr-socket.js';
import { handleSystemAudioSocket } from './ws/system-audio-socket.js';
import { handleTtsSocket } from './ws/tts-socket.js';
import { authenticatesInBand, compatApiKey, compatRoutes, handleCompatSocket } from './compat/index.js';
import { ShutdownSet, WorkInProgress, type StopReport } from './work-in-progress.js';

export const DEFAULT_ASR_PORT = 8088;
export const DEFAULT_TTS_PORT = 9999;
/** How long a stop lets work in progress finish before cutting it (ms). */
export const DEFAULT_STOP_GRACE_MS = 5000;

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
  /** Wyoming (Home Assistant) TCP listener; absent = none. Host defaults to 127.0.0.1 (Wyoming has no auth). */
  /** Wyoming listener; `zeroconf: false` = do not advertise it over mDNS (default: advertised when not loopback). */
  wyoming?: { port: number; host?: string; zeroconf?: boolean };
  /** Model installs over the API: target folder (default downloadDir()) and mirror base URL (default env EARSHOT_MODELS_BASE_URL). */
  models?: { into?: string; baseUrl?: string };
  /** List fixture models/voices in /v1/models, /v1/voices and gRPC (developer switch); default: env EARSHOT_DEV_FIXTURES. */
  listFixtures?: boolean;
  /** On close(), how long work in progress may take to finish before it is cut (ms). Default DEFAULT_STOP_GRACE_MS. */
  stopGraceMs?: number;
}

export interface RunningServer {
  ctx: ApiContext;
  host: string;
  asrPort: number;
  ttsPort: number;
  grpcAsrPort: number | null;
  grpcTtsPort: number | null;
  wyomingPort: number | null;
  /** http://host:asrPort */
  asrUrl: string;
  ttsUrl: string;
  /** Live WebSocket streams now. */
  readonly activeStreams: number;
  /** Every registered HTTP route of both ports with its access level (route-access.ts): what the security test enumerates. */
  readonly routes: readonly RouteEntry[];
  /**
   * Graceful stop, bounded in time, on every transport: stop accepting; end every live ASR stream, WebSocket and
   * gRPC (the final of the utterance in progress reaches the client and the store; WS then closes 1001, gRPC ends
   * OK); let REST work and gRPC unary work run to its end; close TTS WebSocket streams 1001. Whatever has not
   * finished after `stopGraceMs` is cut with a clear `unavailable` error. Resolves once nothing of the API touches
   * the store or the engine any more, so the caller may close them. Idempotent.
   */
  close(): Promise<void>;
  /** What the last close() finished and cut (null before close). */
  readonly stopReport: StopReport | null;
}

/** The app's icons (resources/make-icons.mjs). */
const RESOURCES_DIR = join(appRoot, 'resources');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(20);
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
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
    recordingsDir: opts.store && opts.store.path !== ':memory:' ? join(dirname(opts.store.path), 'recordings') : null,
    auth,
    limits,
    streams: new StreamSlots(limits.maxConcurrentStreams),
    tokenBound: new TokenBoundStreams(),
    admission: new Admission({
      maxLiveStreams: limits.maxConcurrentStreams,
      minLiveStreams: limits.minLiveStreams,
      maxBatchJobs: limits.maxBatchJobs,
    }),
    metrics: new ApiMetrics(),
    logger,
    listFixtures: opts.listFixtures ?? devFixturesEnabled(),
    work: new WorkInProgress(),
  };
  // The cloud-protocol sockets join the stop through their shutdown().
  const compatLive = { asr: new ShutdownSet(ctx.work), tts: new ShutdownSet(ctx.work) };
  const sockets = new Set<WebSocket>();
  const jobs = new TranscriptionJobs(ctx);
  let closing = false;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    perMessageDeflate: false,
    // Deepgram's browser SDK authenticates with the subprotocols `token, <key>`; the handshake must echo `token`.
    handleProtocols: (protocols) => (protocols.has('token') ? 'token' : false),
  });

  const registered: { port: StreamKind; route: RouteOptions }[] = [];
  const streamFor = createStreamMatcher();
  const webRoot = opts.webRoot ?? join(appRoot, 'out', 'renderer');
  const pulls = new ModelPulls({
    into: opts.models?.into,
    baseUrl: opts.models?.baseUrl ?? (process.env.EARSHOT_MODELS_BASE_URL || undefined),
  });

  async function buildApp(kind: StreamKind): Promise<FastifyInstance> {
    const requestTimeout = limits.requestTimeoutMs;
    const app = Fastify({
      loggerInstance: logger.child({ port: kind }, { serializers: { req: redactedRequestSerializer } }),
      // Fastify logs two info lines per request by default; one debug line each (onResponse below) is enough.
      // Through a LogController: the top-level disableRequestLogging option is deprecated (FSTDEP023).
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: limits.maxUploadBytes,
      routerOptions: { ...ROUTER_OPTIONS },
      // Node checks these deadlines every connectionsCheckingInterval (default 30 s): check often enough that
      // a stalled request is dropped close to its deadline.
      requestTimeout,
      http: {
        requestTimeout,
        headersTimeout: Math.min(limits.headersTimeoutMs, requestTimeout),
        connectionsCheckingInterval: Math.max(50, Math.min(5000, Math.floor(requestTimeout / 4))),
      },
    });
    app.addHook('onResponse', async (req, reply) => {
      req.log.debug({ req, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request completed');
    });
    // Route options are kept by reference: hooks of child plugins (the web UI's) still set `config.access` after this one.
    app.addHook('onRoute', (route) => {
      registered.push({ port: kind, route });
    });

    // Auth first, for every route (and CORS for allow-listed browser origins). The decision uses the access
    // level of the route the router matched (route-access.ts), so no spelling of a path can reach a protected
    // handler as if it were an open one; no match (404) is protected too.
    app.addHook('onRequest', async (req, reply) => {
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
        {
          access: accessOf(req.routeOptions.config, req.method),
          host: req.headers.host,
          origin,
          authorization: req.headers.authorization,
          // Only routes a browser loads by URL (an <audio> element cannot send headers) take `?token=`.
          queryToken: (req.routeOptions.config as { tokenInQuery?: boolean } | undefined)?.tokenInQuery
            ? new URL(req.url, 'http://localhost').searchParams.get('token')
            : undefined,
          apiKey: compatApiKey(req.headers),
        },
        auth,
      );
      if (!decision.ok) {
        return reply
          .code(decision.status)
          .send({ error: { code: decision.status === 401 ? 'unauthorized' : 'forbidden', message: decision.reason } });
      }
    });

    // A stopping server takes no new work; the connection is closed after the answer.
    app.addHook('onRequest', async (_req, reply) => {
      if (!closing) return;
      reply.header('connection', 'close');
      return reply
        .code(503)
        .send({ error: { code: 'unavailable', message: 'the server is shutting down; try again when it is back', type: 'server_error' } });
    });

    app.get('/metrics', async (_req, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.text()));
    app.setNotFoundHandler(notFoundHandler); // OpenAI's error envelope on every route miss
    await app.register(restRoutes, { ctx });
    await app.register(modelPullRoutes, { pulls });
    await app.register(tokenRoutes, {
      auth,
      tokenDir: opts.tokenDir ?? null,
      onRotate: (token) => {
        const ended = ctx.tokenBound.revokeAllBut(token);
        if (ended) logger.info({ ended }, 'token rotated: closed the streams opened with the old token');
        opts.onTokenRotated?.(token);
      },
    });
    await app.register(compatRoutes, { ctx });
    await app.register(transcriptionJobRoutes, { ctx, jobs });
    if (ctx.store) await app.register(sessionsRoutes, { store: ctx.store, recordingsDir: ctx.recordingsDir });
    else await app.register(sessionsDisabledRoutes);

    if (kind === 'asr') {
      // The web UI's routes are the only 'ui' ones: an encapsulated plugin whose onRoute hook marks every route
      // @fastify/static adds (GET/HEAD only; accessOf refuses 'ui' for other methods anyway). Registered whether or
      // not the UI is built yet, and `/` checks per request: a UI built (or rebuilt) while the server runs is served
      // at once, without a restart. Asset paths go straight to the folder.
      await app.register(async (ui) => {
        ui.addHook('onRoute', (route) => {
          route.config = { ...route.config, access: 'ui' };
        });
        await ui.register(fastifyStatic, { root: webRoot, prefix: '/', index: false, wildcard: true, suppressWarning: true });
        // The app's icon for browsers (resources/: the shell's PNG and an .ico of it): no 404 on /favicon.ico.
        ui.get('/favicon.ico', (_req, reply) => reply.header('cache-control', 'max-age=86400').sendFile('favicon.ico', RESOURCES_DIR));
        ui.get('/icon.png', (_req, reply) => reply.header('cache-control', 'max-age=86400').sendFile('icon.png', RESOURCES_DIR));
        ui.get('/', async (_req, reply) => {
          if (existsSync(join(webRoot, 'index.html'))) return reply.sendFile('index.html');
          return reply
            .code(503)
            .type('text/plain; charset=utf-8')
            .send(
              `Earshot API is running, but the web UI is not built (no ${join(webRoot, 'index.html')}).\n` +
                'Build it with `npm run build:renderer` (`npm start` does this by itself), then reload this page.\n',
            );
        });
      });
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
    // The stream is chosen on the raw URL by the same router rules as HTTP routes; every stream is protected.
    const stream = streamFor(req.url ?? '/', portKind);
    if (!stream) return rejectUpgrade(socket, 404, 'Not Found');
    if (closing) return rejectUpgrade(socket, 503, 'Service Unavailable');
    const decision = checkAccess(
      {
        host: req.headers.host,
        origin: req.headers.origin,
        authorization: req.headers.authorization,
        queryToken: url.searchParams.get('token'),
        apiKey: compatApiKey(req.headers),
      },
      auth,
    );
    // A stream that authenticates in its first message gets the handshake when only the token is missing.
    const inBand = stream !== 'asr' && stream !== 'tts' && stream !== 'system-audio' && authenticatesInBand(stream);
    const deferred = inBand && !decision.ok && decision.status === 401 && !req.headers.origin;
    // Refusals complete the handshake and close with 4401/4403, so browsers (which never see an HTTP status
    // of a failed handshake) learn why.
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!decision.ok && !deferred) {
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
      // A stream opened with a token ends when that token is rotated away (4401, as a new handshake would get).
      const presented = extractToken(req.headers.authorization, url.searchParams.get('token'), compatApiKey(req.headers));
      const unbind =
        presented === null
          ? () => undefined
          : ctx.tokenBound.bind(presented, () =>
              ws.close(CLOSE_CODES.unauthorized, 'the API token was rotated; reconnect with the new token'),
            );
      ws.once('close', () => {
        sockets.delete(ws);
        unbind();
      });
      if (stream === 'asr') handleAsrSocket(ws, url.searchParams, ctx, release);
      else if (stream === 'tts') handleTtsSocket(ws, url.searchParams, ctx, release);
      else if (stream === 'system-audio') handleSystemAudioSocket(ws, url.searchParams, ctx, release);
      else handleCompatSocket(stream, ws, url.searchParams, ctx, compatLive, release, decision.ok);
    });
  }

  const asrApp = await buildApp('asr');
  const ttsApp = await buildApp('tts');
  let grpc: RunningGrpc | null = null;
  let wyoming: RunningWyoming | null = null;
  try {
    await asrApp.listen({ host, port: opts.asrPort ?? DEFAULT_ASR_PORT });
    await ttsApp.listen({ host, port: opts.ttsPort ?? DEFAULT_TTS_PORT });
    const portOf = (app: FastifyInstance) => (app.server.address() as { port: number }).port;
    auth.ownPorts.push(portOf(asrApp), portOf(ttsApp));
    const grpcPorts = opts.grpc === undefined ? { asrPort: DEFAULT_GRPC_ASR_PORT, ttsPort: DEFAULT_GRPC_TTS_PORT } : opts.grpc;
    if (grpcPorts) grpc = await startGrpc(ctx, { host, asrPort: grpcPorts.asrPort, ttsPort: grpcPorts.ttsPort });
    if (opts.wyoming)
      wyoming = await startWyoming(ctx, {
        host: opts.wyoming.host ?? '127.0.0.1',
        port: opts.wyoming.port,
        version: appVersion(),
        zeroconf: opts.wyoming.zeroconf,
      });
  } catch (err) {
    await Promise.allSettled([asrApp.close(), ttsApp.close(), grpc?.close(0)]);
    throw err;
  }
  if (!isLoopbackBind(host)) logger.warn({ host }, 'listening on a non-loopback address: the API token is required for every client');

  const [asrPort, ttsPort] = auth.ownPorts as [number, number];
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closed: Promise<void> | null = null;
  let stopReport: StopReport | null = null;
  const graceMs = opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;

  return {
    ctx,
    host,
    asrPort,
    ttsPort,
    grpcAsrPort: grpc?.asrPort ?? null,
    grpcTtsPort: grpc?.ttsPort ?? null,
    wyomingPort: wyoming?.port ?? null,
    asrUrl: `http://${urlHost}:${asrPort}`,
    ttsUrl: `http://${urlHost}:${ttsPort}`,
    get activeStreams() {
      return ctx.streams.active;
    },
    get stopReport() {
      return stopReport;
    },
    get routes() {
      return registered.flatMap(({ port, route }) =>
        [route.method].flat().map((method): RouteEntry => ({ port, method, url: route.url, access: accessOf(route.config, method) })),
      );
    },
    close() {
      closed ??= (async () => {
        closing = true;
        pulls.close();
        jobs.close();
        // Stop accepting: no new HTTP connections, no new gRPC calls (calls in progress go on: HTTP/2 GOAWAY).
        asrApp.server.close();
        ttsApp.server.close();
        const grpcClosed = grpc?.close(graceMs + 1000);
        // Every stream and request in progress finishes (ASR finals delivered and stored) or is cut.
        stopReport = await ctx.work.stop(graceMs);
        if (stopReport.cut) logger.warn(stopReport, 'stop: work in progress cut at the deadline');
        // Give close frames a moment to go out, then drop whatever is left.
        await waitUntil(() => sockets.size === 0, 2000);
        for (const ws of sockets) ws.terminate();
        await grpcClosed;
        // HTTP: answers being written may finish; anything still open after that is dropped.
        await Promise.race([Promise.allSettled([wyoming?.close(), asrApp.close(), ttsApp.close()]), sleep(1000)]);
        asrApp.server.closeAllConnections();
        ttsApp.server.closeAllConnections();
        wss.close();
      })();
      return closed;
    },
  };
}
