// Shared by the ws-*/security-*/serve-* integration tests: a real server (startServer) on free loopback ports
// with a real engine, and a small `ws` client that records what it receives.
import { WebSocket } from 'ws';
import { startServer, type RunningServer, type ServerOptions } from '../../src-main/core/api/server.js';
import { createEngine, type Engine, type EngineConfig } from '../../src-main/core/engine/index.js';
import { float32ToS16le } from '../../src-main/core/audio/index.js';

export const TOKEN = 'ws-test-token-0123456789abcdefghij';

export async function startTestServer(
  engineConfig: EngineConfig,
  opts: Partial<ServerOptions> = {},
): Promise<{ server: RunningServer; engine: Engine; close(): Promise<void> }> {
  const engine = await createEngine({ vad: false, ...engineConfig });
  await engine.ready;
  const server = await startServer({ engine, token: TOKEN, asrPort: 0, ttsPort: 0, grpc: false, ...opts });
  return {
    server,
    engine,
    async close() {
      await server.close();
      await engine.close();
    },
  };
}

export type Received = { json: any } | { binary: Buffer };

export interface TestClient {
  ws: WebSocket;
  /** Every JSON message, in order. */
  messages: any[];
  /** Every message and binary frame, in order. */
  received: Received[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first message (already received or future) matching `pred`, after `from` index. */
  waitFor(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  send(obj: unknown): void;
  /** Resolves once at least one binary frame has arrived. */
  waitForBinary(): Promise<void>;
}

export function connect(url: string, headers: Record<string, string> = {}): TestClient {
  const ws = new WebSocket(url, { headers });
  const messages: any[] = [];
  const received: Received[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  const binaryWaiters: (() => void)[] = [];
  ws.on('message', (data, isBinary) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      received.push({ binary: buf });
      for (const w of [...binaryWaiters]) w();
      binaryWaiters.length = 0;
      return;
    }
    const m = JSON.parse(buf.toString('utf8'));
    messages.push(m);
    received.push({ json: m });
    for (const w of [...waiters])
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  opened.catch(() => undefined);
  return {
    ws,
    messages,
    received,
    opened,
    closed,
    waitFor(pred, timeoutMs = 30_000) {
      const hit = messages.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting; got ${JSON.stringify(messages).slice(0, 800)}`)), timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
        void closed.then(() => {
          const late = messages.find(pred);
          if (late) resolve(late);
        });
      });
    },
    waitForBinary() {
      if (received.some((r) => 'binary' in r)) return Promise.resolve();
      return new Promise<void>((resolve) => binaryWaiters.push(resolve));
    },
    send(obj) {
      ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
    },
  };
}

export function wsUrl(
  server: RunningServer,
  port: 'asr' | 'tts',
  path: string,
  query: Record<string, string | number | boolean> = {},
): string {
  const u = new URL(`ws://127.0.0.1:${port === 'asr' ? server.asrPort : server.ttsPort}${path}`);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
  return u.toString();
}

export const toS16 = (x: Float32Array): Buffer => float32ToS16le(x);

/** Send `pcm` (s16le) in `chunkMs` pieces, sleeping `paceMs` between pieces (real time: paceMs = chunkMs). */
export async function streamPcm(ws: WebSocket, pcm: Buffer, rate: number, chunkMs: number, paceMs: number): Promise<void> {
  const bytes = Math.round((rate * chunkMs) / 1000) * 2;
  const start = Date.now();
  let n = 0;
  for (let o = 0; o < pcm.length; o += bytes, n++) {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(pcm.subarray(o, o + bytes));
    if (paceMs > 0) {
      const due = start + (n + 1) * paceMs;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
  }
}
