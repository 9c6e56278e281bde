// System-audio captions in a plain browser (no Electron shell): the SERVER records its machine's system audio
// (`/v1/system-audio/stream`, docs/PROTOCOL.md) and this socket carries the results, as the ASR socket does.
// Opening it starts the capture; stop() sends `end` and waits for the last final and `session_complete`.
import { AsrServerMessage } from '../../../proto/ws-messages.js';
import { wsUrl, type ApiConfig } from './api-config.js';

export interface SystemAudioLinkEvents {
  message(msg: AsrServerMessage): void;
  /** The capture could not start or stopped with an error (the socket is closed). */
  failed(reason: string): void;
}

/**
 * How long stop() waits for the server's last final before closing anyway: it decodes what it captured before
 * `end`, which on a loaded machine can take several seconds for a long utterance.
 */
const STOP_GRACE_MS = 60_000;

export class SystemAudioLink {
  private ws: WebSocket | null = null;
  private closed: Promise<void> = Promise.resolve();

  constructor(
    private readonly cfg: ApiConfig,
    private readonly events: SystemAudioLinkEvents,
    private readonly WS: typeof WebSocket = WebSocket,
  ) {}

  /** Resolves with `ready` once the capture runs; rejects with the server's reason when it cannot. */
  start(opts: { session: string; language?: string }): Promise<AsrServerMessage & { type: 'ready' }> {
    const ws = new this.WS(
      wsUrl(this.cfg, '/v1/system-audio/stream', { session: opts.session, ...(opts.language ? { language: opts.language } : {}) }),
    );
    this.ws = ws;
    let lastError = '';
    this.closed = new Promise((resolve) => ws.addEventListener('close', () => resolve()));
    return new Promise((resolve, reject) => {
      let started = false;
      ws.addEventListener('message', (ev) => {
        if (typeof ev.data !== 'string') return;
        let raw: unknown;
        try {
          raw = JSON.parse(ev.data);
        } catch {
          return;
        }
        const parsed = AsrServerMessage.safeParse(raw);
        if (!parsed.success) return;
        const msg = parsed.data;
        if (msg.type === 'error') lastError = msg.message;
        if (msg.type === 'capture' && !started) {
          started = true;
          resolve(ready!);
        }
        if (msg.type === 'ready') ready = msg;
        this.events.message(msg);
      });
      let ready: (AsrServerMessage & { type: 'ready' }) | null = null;
      ws.addEventListener('close', (ev) => {
        this.ws = null;
        const reason = lastError || ev.reason || `the connection closed (${ev.code})`;
        if (!started) reject(new Error(reason));
        else if (ev.code !== 1000) this.events.failed(reason);
      });
    });
  }

  /** Ends the capture: the server sends the last final and `session_complete`, then closes. */
  async stop(): Promise<void> {
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'end' }));
    const timer = new Promise<void>((r) => setTimeout(r, STOP_GRACE_MS));
    await Promise.race([this.closed, timer]);
    if (this.ws === ws) ws.close();
  }
}
