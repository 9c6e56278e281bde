// The server side of one WebSocket, shared by the ASR and TTS handlers: JSON in (size-limited, parsed,
// `type`-checked) and JSON/binary out with the bounded-send-buffer policy of limits.ts, plus the idle timer.
import type { WebSocket, RawData } from 'ws';
import { CLOSE_CODES, type ErrorCode } from '../../../../proto/ws-messages.js';
import type { ApiContext } from '../context.js';

export type Incoming =
  | { kind: 'binary'; data: Buffer }
  | { kind: 'json'; type: string | undefined; body: Record<string, unknown>; /** size of the frame */ bytes: number }
  | { kind: 'invalid'; code: ErrorCode; message: string };

export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Classify one client frame. Text frames must be JSON objects no larger than `maxJsonBytes`. */
export function parseFrame(data: RawData, isBinary: boolean, maxJsonBytes: number): Incoming {
  const buf = toBuffer(data);
  if (isBinary) return { kind: 'binary', data: buf };
  if (buf.byteLength > maxJsonBytes) {
    return {
      kind: 'invalid',
      code: 'too_large',
      message: `JSON message of ${buf.byteLength} bytes exceeds the ${maxJsonBytes}-byte limit`,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    return { kind: 'invalid', code: 'bad_json', message: `malformed JSON: ${(err as Error).message}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'invalid', code: 'bad_json', message: 'a message must be a JSON object' };
  }
  const type = (body as { type?: unknown }).type;
  if (type !== undefined && typeof type !== 'string') return { kind: 'invalid', code: 'bad_json', message: '"type" must be a string' };
  return { kind: 'json', type, body: body as Record<string, unknown>, bytes: buf.byteLength };
}

export class SocketChannel {
  private idleTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    readonly ws: WebSocket,
    private readonly ctx: ApiContext,
    private readonly onIdle: () => void,
  ) {
    this.touch();
    ws.once('close', () => this.clearIdle());
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN && !this.closing;
  }

  /** Restart the idle timer (any client message or server output counts as activity). */
  touch(): void {
    this.clearIdle();
    this.idleTimer = setTimeout(this.onIdle, this.ctx.limits.idleTimeoutMs);
    this.idleTimer.unref();
  }

  clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /**
   * Send a JSON message. `droppable` messages (interim transcripts) are skipped while the client lags by more
   * than the soft bound; past the hard bound the client is not reading at all and the connection is closed.
   * Returns whether it was queued.
   */
  sendJson(msg: object, droppable = false): boolean {
    if (!this.open) return false;
    if (this.overHardLimit()) return false;
    if (droppable && this.ws.bufferedAmount > this.ctx.limits.sendBufferSoftBytes) return false;
    this.ws.send(JSON.stringify(msg));
    this.touch();
    return true;
  }

  sendBinary(bytes: Buffer): boolean {
    if (!this.open || this.overHardLimit()) return false;
    this.ws.send(bytes, { binary: true });
    this.touch();
    return true;
  }

  sendError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): void {
    this.ctx.metrics.error(code);
    this.sendJson({ type: 'error', code, message, ...extra });
  }

  /** Resolves once the send buffer is below the soft bound (or the socket is gone). */
  async drained(): Promise<void> {
    while (this.open && this.ws.bufferedAmount > this.ctx.limits.sendBufferSoftBytes) {
      if (this.overHardLimit()) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.clearIdle();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason.slice(0, 120));
  }

  private overHardLimit(): boolean {
    if (this.ws.bufferedAmount <= this.ctx.limits.sendBufferHardBytes) return false;
    this.ctx.logger.warn({ buffered: this.ws.bufferedAmount }, 'closing a WebSocket whose client does not read');
    this.close(CLOSE_CODES.policyViolation, 'send buffer full: the client is not reading');
    return true;
  }
}
