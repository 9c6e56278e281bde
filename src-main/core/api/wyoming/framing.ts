// Wyoming event framing (Home Assistant's local voice protocol, as the `wyoming` Python package writes it): each
// event is one JSON header line `{"type","version"?,"data"?,"data_length"?,"payload_length"?}\n`, then
// `data_length` bytes of JSON data (merged over any inline `data`), then `payload_length` bytes of payload (audio).
// Sizes are bounded: a header line, data or payload over its limit is a protocol error and closes the connection.

export interface WyomingEvent {
  type: string;
  data: Record<string, unknown>;
  payload: Buffer | null;
}

export const WYOMING_VERSION = '1.5.4';
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_DATA_BYTES = 1024 * 1024;

export class WyomingProtocolError extends Error {}

/** Incremental parser: push() bytes as they arrive, get back complete events. */
export class WyomingParser {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { type: string; data: Record<string, unknown>; dataLength: number; payloadLength: number } | null = null;

  constructor(private readonly maxPayloadBytes: number) {}

  push(chunk: Buffer): WyomingEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: WyomingEvent[] = [];
    for (;;) {
      if (!this.pending) {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) {
          if (this.buf.length > MAX_HEADER_BYTES) throw new WyomingProtocolError(`event header longer than ${MAX_HEADER_BYTES} bytes`);
          return out;
        }
        let header: unknown;
        try {
          header = JSON.parse(this.buf.subarray(0, nl).toString('utf8'));
        } catch (err) {
          throw new WyomingProtocolError(`malformed event header: ${(err as Error).message}`);
        }
        this.buf = this.buf.subarray(nl + 1);
        if (typeof header !== 'object' || header === null || typeof (header as { type?: unknown }).type !== 'string') {
          throw new WyomingProtocolError('an event header must be a JSON object with a string "type"');
        }
        const h = header as { type: string; data?: unknown; data_length?: unknown; payload_length?: unknown };
        const dataLength = Number(h.data_length ?? 0);
        const payloadLength = Number(h.payload_length ?? 0);
        if (!Number.isInteger(dataLength) || dataLength < 0 || dataLength > MAX_DATA_BYTES)
          throw new WyomingProtocolError('bad data_length');
        if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > this.maxPayloadBytes) {
          throw new WyomingProtocolError(`payload_length must be 0..${this.maxPayloadBytes}`);
        }
        const inline = typeof h.data === 'object' && h.data !== null ? (h.data as Record<string, unknown>) : {};
        this.pending = { type: h.type, data: inline, dataLength, payloadLength };
      }
      const p = this.pending;
      if (this.buf.length < p.dataLength + p.payloadLength) return out;
      let data = p.data;
      if (p.dataLength) {
        try {
          data = { ...data, ...(JSON.parse(this.buf.subarray(0, p.dataLength).toString('utf8')) as Record<string, unknown>) };
        } catch (err) {
          throw new WyomingProtocolError(`malformed event data: ${(err as Error).message}`);
        }
      }
      const payload = p.payloadLength ? Buffer.from(this.buf.subarray(p.dataLength, p.dataLength + p.payloadLength)) : null;
      this.buf = this.buf.subarray(p.dataLength + p.payloadLength);
      this.pending = null;
      out.push({ type: p.type, data, payload });
    }
  }
}

/** One event on the wire: header line, data, payload. */
export function encodeEvent(type: string, data: Record<string, unknown> = {}, payload?: Buffer): Buffer {
  const dataBytes = Buffer.from(JSON.stringify(data), 'utf8');
  const header: Record<string, unknown> = { type, version: WYOMING_VERSION, data_length: dataBytes.length };
  if (payload?.length) header.payload_length = payload.length;
  return Buffer.concat([Buffer.from(JSON.stringify(header) + '\n', 'utf8'), dataBytes, payload ?? Buffer.alloc(0)]);
}
