// Starts the core (engine, transcript store, API server) inside the Electron main process with the SAME start
// and close sequence `earshot serve` runs (src-main/headless.ts), and hands the shell what it needs: the API
// base URL and token for the renderer, and the engine and store for in-process system-audio captions.
// Ports: ASR/HTTP on 8088 (the UI is served there), TTS on 9999, gRPC 50052/50051, as for `earshot serve`;
// EARSHOT_DESKTOP_PORT overrides the ASR port (0 = any free port, also moving the others to free ports).
import pino from 'pino';
import type { Engine } from '../core/engine/index.js';
import type { Store } from '../core/store/index.js';
import { DEFAULT_ASR_PORT, DEFAULT_TTS_PORT } from '../core/api/index.js';
import { startHeadless, type HeadlessOptions } from '../headless.js';

export interface CoreHandle {
  /** e.g. http://127.0.0.1:8088 — the UI is served here and the renderer's API calls go here. */
  apiBase: string;
  token: string;
  /** host:port of the gRPC servers (null without gRPC). */
  grpc: { asr: string; tts: string } | null;
  engine: Engine;
  store: Store | null;
  /** headless.ts close(): streams flushed (finals delivered and stored), then the store, then the engine. */
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Built web UI; default: the server's own default (<appRoot>/out/renderer). */
  webRoot?: string;
  env?: NodeJS.ProcessEnv;
  /** Engine choice and stop timing (tests); the app itself uses the defaults. */
  engine?: Pick<HeadlessOptions, 'engine' | 'model' | 'stopGraceMs'>;
}

export async function startCore(opts: CoreOptions = {}): Promise<CoreHandle> {
  const env = opts.env ?? process.env;
  const override = env.EARSHOT_DESKTOP_PORT;
  const asrPort = override !== undefined && /^\d+$/.test(override) ? Number(override) : DEFAULT_ASR_PORT;
  const anyPorts = asrPort === 0;
  const core = await startHeadless({
    ...opts.engine,
    host: '127.0.0.1',
    asrPort,
    ttsPort: anyPorts ? 0 : DEFAULT_TTS_PORT,
    ...(anyPorts ? { grpc: { asrPort: 0, ttsPort: 0 } } : {}),
    ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
    storeOptional: true,
    // The app logs only problems (serve logs its requests at info).
    logger: pino({ level: env.EARSHOT_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
  });
  return {
    apiBase: core.server.asrUrl.replace(/\/$/, ''),
    // Read live: POST /v1/token/regenerate rotates it, and windows opened later must get the new one.
    get token() {
      return core.server.ctx.auth.token;
    },
    grpc:
      core.server.grpcAsrPort !== null
        ? { asr: `127.0.0.1:${core.server.grpcAsrPort}`, tts: `127.0.0.1:${core.server.grpcTtsPort}` }
        : null,
    engine: core.engine,
    store: core.store,
    close: () => core.close(),
  };
}
