// Where the engine's local API is and the token to use, for both hosts of the UI:
// - Electron: the preload exposes `window.earshot = { apiBase, token, shell? }`;
// - a plain browser against `earshot serve`: same origin, token from the one-time URL `…/#token=…` printed by
//   `earshot serve --open`. The token is kept in sessionStorage (this tab only) and stripped from the address
//   bar so it does not land in history or screenshots.

/**
 * What the renderer uses of `window.earshot.shell` (src-main/shell/ipc-contract.ts `ShellBridge`), all optional
 * so the page also runs in a plain browser and against an older shell. Structural, so the renderer bundle does
 * not depend on the shell's types (which pull in Node's).
 */
export interface ShellBridge {
  setOverlay?(visible: boolean): Promise<unknown>;
  setClickThrough?(enabled: boolean): Promise<unknown>;
  setAlwaysOnTop?(enabled: boolean): Promise<unknown>;
  /** System-audio captions run in the main process; their wire messages come back through onSystemTranscript. */
  startSystemAudio?(opts?: { session?: string }): Promise<{ ok: boolean; error?: string }>;
  stopSystemAudio?(): Promise<unknown>;
  onSystemTranscript?(listener: (msg: unknown) => void): () => void;
  /** Types text into the app that has the keyboard focus (push-to-talk dictation into other apps). */
  dictate?(text: string): Promise<unknown>;
  onHotkey?(listener: (e: { action: string; phase: 'press' | 'down' | 'up' }) => void): () => void;
  onCaptionsCommand?(listener: (cmd: 'start' | 'stop') => void): () => void;
}

export interface EarshotBridge {
  apiBase: string;
  token: string | null;
  /** Which view this window shows (the Electron overlay window says 'overlay'). */
  view?: 'main' | 'overlay';
  shell?: ShellBridge;
}

declare global {
  interface Window {
    earshot?: EarshotBridge;
  }
}

export interface ApiConfig {
  /** http(s)://host:port of the ASR/REST port, no trailing slash. */
  apiBase: string;
  token: string | null;
  shell: ShellBridge | null;
  view: 'main' | 'overlay';
}

const TOKEN_KEY = 'earshot.token';
const TOKEN_RE = /(?:^#|[#&])token=([A-Za-z0-9._~-]{8,512})/;

/** Reads the token from `#token=…` (then removes it from the URL) or from sessionStorage. */
export function takeTokenFromLocation(loc: Location, storage: Storage, history: History): string | null {
  const token = TOKEN_RE.exec(loc.hash)?.[1]; // the group is not optional: set whenever the pattern matches
  if (token) {
    storage.setItem(TOKEN_KEY, token);
    const rest = loc.hash.replace(TOKEN_RE, '').replace(/^[#&]+/, '');
    history.replaceState(null, '', loc.pathname + loc.search + '#' + (rest || '/live'));
    return token;
  }
  return storage.getItem(TOKEN_KEY);
}

export function storeToken(storage: Storage, token: string): void {
  storage.setItem(TOKEN_KEY, token);
}

export function resolveApiConfig(win: Window = window): ApiConfig {
  const bridge = win.earshot;
  if (bridge && typeof bridge.apiBase === 'string') {
    return {
      apiBase: bridge.apiBase.replace(/\/+$/, ''),
      token: bridge.token ?? null,
      shell: bridge.shell ?? null,
      view: bridge.view === 'overlay' ? 'overlay' : 'main',
    };
  }
  const token = takeTokenFromLocation(win.location, win.sessionStorage, win.history);
  return { apiBase: win.location.origin, token, shell: null, view: 'main' };
}

/** ws(s):// URL for a path on the API, with the token in the query (browsers cannot set WS headers). */
export function wsUrl(cfg: ApiConfig, path: string, params: Record<string, string | number | boolean> = {}): string {
  const u = new URL(path, cfg.apiBase.replace(/^http/, 'ws') + '/');
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  if (cfg.token) u.searchParams.set('token', cfg.token);
  return u.toString();
}
