// Starts the core (engine, store, API server) inside the Electron main process through the headless
// entry `src-main/headless.ts` — the very code `earshot serve` runs — and hands the shell what it needs:
// the API base URL and token for the renderer, and the engine and store for in-process system-audio
// captions. Ports: ASR/HTTP on 8088 by default; EARSHOT_DESKTOP_PORT overrides (0 = any free port).
//
// headless.ts belongs to the sessions/API slice and is imported by computed specifier (as engine.ts does
// for optional backends), so the shell typechecks and builds on its own; its shape is checked at run time
// and a mismatch fails with a message naming what is missing.
import type { Engine } from '../core/engine/types.js';
import type { AsrSessionStore } from '../core/sessions/asr-session.js';

export interface CoreHandle {
  /** e.g. http://127.0.0.1:8088 — the UI is served here and the renderer's API calls go here. */
  apiBase: string;
  token: string;
  engine: Engine;
  store: AsrSessionStore | null;
  close(): Promise<void>;
}

const HEADLESS_MODULE = '../headless.js';

type Loose = Record<string, unknown>;

function pick<T>(obj: Loose, names: string[], check: (v: unknown) => boolean): T | undefined {
  for (const n of names) if (check(obj[n])) return obj[n] as T;
  return undefined;
}

export async function startCore(env: NodeJS.ProcessEnv = process.env): Promise<CoreHandle> {
  const mod = (await import(HEADLESS_MODULE)) as Loose;
  const start = pick<(opts: Loose) => Promise<Loose>>(mod, ['startHeadless', 'startCore', 'start', 'default'], (v) => typeof v === 'function');
  if (!start) throw new Error(`${HEADLESS_MODULE} exports no start function (expected startHeadless)`);
  const port = env.EARSHOT_DESKTOP_PORT !== undefined ? Number(env.EARSHOT_DESKTOP_PORT) : undefined;
  const running = await start({
    host: '127.0.0.1',
    ...(port !== undefined && Number.isInteger(port) ? { portAsr: port, port } : {}),
    // The desktop owns the process: it handles signals itself and must not be exited by the core.
    installSignalHandlers: false,
  });
  const server = (running.server as Loose | undefined) ?? running;
  const context = ((running.context ?? server.context) as Loose | undefined) ?? running;
  const engine = pick<Engine>(running, ['engine'], Boolean) ?? pick<Engine>(context, ['engine'], Boolean);
  const store = pick<AsrSessionStore>(running, ['store'], Boolean) ?? pick<AsrSessionStore>(context, ['store'], Boolean) ?? null;
  const token =
    pick<string>(running, ['token'], (v) => typeof v === 'string') ??
    pick<string>((context.auth as Loose | undefined) ?? {}, ['token'], (v) => typeof v === 'string');
  let apiBase = pick<string>(running, ['asrUrl', 'url', 'apiBase', 'baseUrl'], (v) => typeof v === 'string') ?? pick<string>(server, ['asrUrl', 'url'], (v) => typeof v === 'string');
  if (!apiBase) {
    const asrPort = pick<number>(running, ['asrPort', 'portAsr', 'port'], (v) => typeof v === 'number') ?? pick<number>(server, ['asrPort', 'portAsr', 'port'], (v) => typeof v === 'number');
    if (asrPort !== undefined) apiBase = `http://127.0.0.1:${asrPort}`;
  }
  const close = pick<() => Promise<void>>(running, ['close', 'stop'], (v) => typeof v === 'function');
  const missing = [!engine && 'engine', !token && 'token', !apiBase && 'API URL/port', !close && 'close()'].filter(Boolean);
  if (missing.length) throw new Error(`${HEADLESS_MODULE}: the started core does not expose ${missing.join(', ')}`);
  return { apiBase: apiBase!.replace(/\/$/, ''), token: token!, engine: engine!, store, close: () => close!.call(running) };
}
