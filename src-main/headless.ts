// Layers 1-5 without Electron: engine, transcript store, and the local API (WebSocket, REST, gRPC, web UI).
// The ONE start and close sequence of the core: `earshot serve` runs it, and so does the Electron main process
// (shell/core-host.ts), so Ctrl-C, SIGTERM and quitting the app all stop the same way (close() below).
import { spawn } from 'node:child_process';
import pino, { type Logger } from 'pino';
import { loadOrCreateToken } from './core/api/index.js';
import type { Limits } from './core/api/index.js';
import { startServer, DEFAULT_ASR_PORT, DEFAULT_TTS_PORT, type RunningServer } from './core/api/index.js';
import { createEngine, type AsrBackendId, type Engine, type EngineConfig } from './core/engine/index.js';
import { openStore, type Store } from './core/store/index.js';
import { userDataDir } from './core/paths.js';

export interface HeadlessOptions {
  host?: string;
  asrPort?: number;
  ttsPort?: number;
  /** gRPC ports; false = no gRPC. */
  grpc?: { asrPort: number; ttsPort: number } | false;
  /** ASR backend to load (default: every installed one). */
  engine?: AsrBackendId;
  /** ASR model id (sherpa catalog id; a fixture must be named to be loaded). */
  model?: string;
  /** Punctuation model id (default: the installed one, if any; a fixture must be named). */
  punctModel?: string;
  requireToken?: boolean;
  /** Database path; null = run without a store (finals are never stored). Default: the user-data database. */
  db?: string | null;
  allowedOrigins?: string[];
  allowedHosts?: string[];
  limits?: Partial<Limits>;
  logger?: Logger;
  /** Built web UI; default: the server's own default (<appRoot>/out/renderer). */
  webRoot?: string;
  /** When the database cannot be opened, run without it (said on stderr) instead of failing (the desktop app). */
  storeOptional?: boolean;
  /** How long a stop lets work in progress finish before cutting it (ms); default: the server's. */
  stopGraceMs?: number;
  /** Wyoming listener (Home Assistant); absent = none. Host defaults to loopback. */
  wyoming?: { port: number; host?: string; zeroconf?: boolean };
  /** List fixture models/voices over the API (developer switch); default: env EARSHOT_DEV_FIXTURES. */
  listFixtures?: boolean;
}

export interface Headless {
  server: RunningServer;
  engine: Engine;
  store: Store | null;
  token: string;
  /** One-time URL of the web UI carrying the token in its fragment (never sent to the server in logs). */
  uiUrl: string;
  /**
   * Graceful and bounded: the API first (every stream's final delivered and stored, REST work finished or cut:
   * RunningServer.close()), then the store, then the engine. Idempotent.
   */
  close(): Promise<void>;
}

export async function startHeadless(opts: HeadlessOptions = {}): Promise<Headless> {
  const logger = opts.logger ?? pino({ level: process.env.EARSHOT_LOG_LEVEL ?? 'info' }, pino.destination(2));
  const token = loadOrCreateToken();
  const engineConfig: EngineConfig = {};
  // Several models, comma-separated: e.g. a streaming and an offline one for two-pass captions.
  if (opts.engine || opts.model)
    engineConfig.asr = (opts.model?.split(',') ?? [undefined]).map((model) => ({
      backend: opts.engine ?? 'sherpa',
      model: model?.trim() || undefined,
    }));
  if (opts.punctModel) engineConfig.punct = { model: opts.punctModel };
  const engine = await createEngine(engineConfig);
  let store: Store | null = null;
  let server: RunningServer;
  try {
    store = opts.db === null ? null : openStoreFor(opts);
    server = await startServer({
      engine,
      store,
      token,
      host: opts.host,
      asrPort: opts.asrPort ?? DEFAULT_ASR_PORT,
      ttsPort: opts.ttsPort ?? DEFAULT_TTS_PORT,
      grpc: opts.grpc,
      requireToken: opts.requireToken,
      allowedOrigins: opts.allowedOrigins,
      allowedHosts: opts.allowedHosts,
      limits: opts.limits,
      logger,
      tokenDir: userDataDir(),
      ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
      ...(opts.stopGraceMs !== undefined ? { stopGraceMs: opts.stopGraceMs } : {}),
      wyoming: opts.wyoming,
      listFixtures: opts.listFixtures,
    });
  } catch (err) {
    store?.close();
    await engine.close();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    server,
    engine,
    store,
    token,
    uiUrl: `${server.asrUrl}/#token=${encodeURIComponent(token)}`,
    close() {
      closing ??= (async () => {
        await server.close();
        store?.close();
        await engine.close();
      })();
      return closing;
    },
  };
}

function openStoreFor(opts: HeadlessOptions): Store | null {
  try {
    return openStore(opts.db ? { path: opts.db } : {});
  } catch (err) {
    if (!opts.storeOptional) throw err;
    // Captions still work without a database; nothing is stored and the UI's Sessions view says so.
    process.stderr.write(`earshot: transcript store unavailable: ${(err as Error).message}\n`);
    return null;
  }
}

/**
 * Best effort: open `url` in the desktop's browser (xdg-open / open / start). `BROWSER=none` (the convention of
 * other dev servers) opens nothing: tests and remote shells that only want the printed URL.
 */
export function openInBrowser(url: string): void {
  if (process.env.BROWSER === 'none') return;
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener on this machine: the URL has been printed.
  }
}
