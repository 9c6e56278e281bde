// Every limit the API enforces, with its default. One object, passed to every transport through ApiContext,
// so the WS, REST and gRPC paths agree on the numbers and a test can shrink them.
//
// Slow-client policy (send buffers): before each send the transport looks at `ws.bufferedAmount`.
// - ASR: interim transcripts are dropped while more than `sendBufferSoftBytes` are queued (a newer interim
//   replaces them anyway); finals, errors and control messages are always queued. Past
//   `sendBufferHardBytes` the client is not reading at all: the connection is closed 1008 "send buffer full".
// - TTS: audio cannot be dropped (gaps are worse than delay), so synthesis waits for the buffer to drain
//   below `sendBufferSoftBytes` before producing more; past `sendBufferHardBytes` the connection is closed.
import { TTS_LIMITS } from '../../../proto/ws-messages.js';

export interface Limits {
  /** Largest WebSocket frame accepted (bytes); larger frames close the connection 1009. */
  maxFrameBytes: number;
  /** Largest JSON text message (bytes); larger ones get `too_large` and the stream goes on. */
  maxJsonBytes: number;
  /** Most characters of text one TTS request (or its buffered appends) may carry. */
  maxTtsTextChars: number;
  /** TTS requests waiting or in progress on one connection; more get `rate_limited`. */
  maxTtsQueuedRequests: number;
  /** Characters of text one TTS connection may hold (queued requests + buffered appends); more: `rate_limited`. */
  maxTtsQueuedChars: number;
  /** Concurrent streaming connections (WS + gRPC); over it: close 1013 "try again later". */
  maxConcurrentStreams: number;
  /** A stream with no client message for this long is closed (ms). */
  idleTimeoutMs: number;
  /** Above this many queued send bytes a slow client's droppable messages are dropped (or TTS pauses). */
  sendBufferSoftBytes: number;
  /** Above this many queued send bytes the connection is closed 1008. */
  sendBufferHardBytes: number;
  /**
   * Audio may run ahead of real time by this much (ms of audio beyond wall time since the stream began)
   * before it is refused with `rate_limited`. Generous, so a client that uploads a file in a burst works.
   */
  audioAheadBudgetMs: number;
  /**
   * Audio one stream may have waiting in its worker, written but not yet decoded (ms); more gets
   * `rate_limited`. Bounds worker memory per stream; a client far ahead of real time hits it.
   */
  maxQueuedAudioMs: number;
  /**
   * Live ASR streams admitted whatever the capacity measurement says (at least 1): for a machine whose
   * measurement is low only because other work was running when it was taken.
   */
  minLiveStreams: number;
  /** File transcriptions (REST, gRPC Transcribe) decoding at once; more get 503 / RESOURCE_EXHAUSTED. */
  maxBatchJobs: number;
  /** Largest body of REST uploads (bytes). */
  maxUploadBytes: number;
  /**
   * A whole HTTP request (headers and body) must arrive within this time, else 408 and the connection is
   * closed: an incomplete body is never held open forever. WebSocket streams, once upgraded, are not affected.
   */
  requestTimeoutMs: number;
  /** The request headers must arrive within this time (at most requestTimeoutMs). */
  headersTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  maxJsonBytes: 64 * 1024,
  maxTtsTextChars: TTS_LIMITS.maxTextChars,
  maxTtsQueuedRequests: 16,
  maxTtsQueuedChars: 200_000,
  maxConcurrentStreams: 64,
  idleTimeoutMs: 120_000,
  sendBufferSoftBytes: 1024 * 1024,
  sendBufferHardBytes: 16 * 1024 * 1024,
  audioAheadBudgetMs: 120_000,
  maxQueuedAudioMs: 60_000,
  minLiveStreams: 1,
  maxBatchJobs: 2,
  maxUploadBytes: 200 * 1024 * 1024,
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 20_000,
});

export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const out = { ...DEFAULT_LIMITS, ...overrides };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'number' || !(v > 0)) throw new RangeError(`limit ${k} must be a positive number, got ${v}`);
  }
  return out;
}

/** Counts live streams across transports, so `maxConcurrentStreams` holds for WS and gRPC together. */
export class StreamSlots {
  private used = 0;
  constructor(private readonly max: number) {}
  get active(): number {
    return this.used;
  }
  /** Takes a slot; returns a release function (idempotent), or null when all slots are taken. */
  acquire(): (() => void) | null {
    if (this.used >= this.max) return null;
    this.used++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.used--;
      }
    };
  }
}
