// Starts the core (engine, transcript store, API server) inside the Electron main process — the same
// layers `earshot serve` runs — and hands the shell what it needs: the API base URL and token for the
// renderer, and the engine and store for in-process system-audio captions.
// Ports: ASR/HTTP on 8088 (the UI is served there), TTS on 9999, gRPC 50052/50051, as for `earshot serve`;
// EARSHOT_DESKTOP_PORT overrides the ASR port (0 = any free port, also moving the others to free ports).
import { loadOrCreateToken } from '../core/api/auth.js';
import { DEFAULT_ASR_PORT, DEFAULT_TTS_PORT, startServer } from '../core/api/server.js';
import { createEngine } from '../core/engine/engine.js';
import type { Engine } from '../core/engine/types.js';
import { openStore } from '../core/store/index.js';
import { userDataDir } from '../core/paths.js';
import type { Store } from '../core/store/types.js';

export interface CoreHandle {
  /** e.g. http://127.0.0.1:8088 — the UI is served here and the renderer's API calls go here. */
  apiBase: string;
  token: string;
  engine: Engine;
  store: Store | null;
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Built web UI; default: the server's own default (<appRoot>/out/renderer). */
  webRoot?: string;
  env?: NodeJS.ProcessEnv;
}

export async function startCore(opts: CoreOptions = {}): Promise<CoreHandle> {
  const env = opts.env ?? process.env;
  const override = env.EARSHOT_DESKTOP_PORT;
  const asrPort = override !== undefined && /^\d+$/.test(override) ? Number(override) : DEFAULT_ASR_PORT;
  const anyPorts = asrPort === 0;

  const engine = await createEngine({});
  let store: Store | null = null;
  try {
    store = openStore();
  } catch (err) {
    // Captions still work without a database; nothing is stored and the UI's Sessions view says so.
    console.error(`earshot: transcript store unavailable: ${(err as Error).message}`);
  }
  const token = loadOrCreateToken();
  try {
    const server = await startServer({
      engine,
      store,
      token,
      host: '127.0.0.1',
      asrPort,
      ttsPort: anyPorts ? 0 : DEFAULT_TTS_PORT,
      ...(anyPorts ? { grpc: { asrPort: 0, ttsPort: 0 } } : {}),
      ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
      tokenDir: userDataDir(),
    });
    return {
      apiBase: server.asrUrl.replace(/\/$/, ''),
      // Read live: POST /v1/token/regenerate rotates it, and windows opened later must get the new one.
      get token() {
        return server.ctx.auth.token;
      },
      engine,
      store,
      async close() {
        // Server first (live streams flush their finals into the store), then the store, then the engine.
        await server.close();
        store?.close();
        await engine.close();
      },
    };
  } catch (err) {
    store?.close();
    await engine.close();
    throw err;
  }
}
