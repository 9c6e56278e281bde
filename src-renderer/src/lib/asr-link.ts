// The live-captions connection: microphone frames out over the ASR WebSocket, transcripts into a CaptionLog.
// It survives the server going away: it reconnects with backoff, re-attaches to the same stored session
// (`session=<id>`), and re-sends the audio after the last final it received, so the utterance that was in
// flight is recognized again — no text lost, and no final duplicated (finals are never re-sent audio).
import { AsrServerMessage, CLOSE_CODES, type FinalTranscript, type ReadyMessage } from '../../../proto/ws-messages.js';
import { wsUrl, type ApiConfig } from './api-config.js';
import type { CaptionLog } from './captions.js';

export type LinkStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'stopping' | 'stopped' | 'failed';

export interface AsrLinkEvents {
  status?(s: LinkStatus, detail?: string): void;
  ready?(msg: ReadyMessage): void;
  final?(msg: FinalTranscript): void;
  /** A problem to show the user; `fatal` ones stop the link. */
  problem?(message: string, fatal: boolean): void;
  sessionComplete?(sessionId: string): void;
  /** The stream goes on but not as asked, e.g. the engine has no transcript store: captions are not saved. */
  warning?(code: string, message: string): void;
}

export interface AsrLinkOptions {
  cfg: ApiConfig;
  captions: CaptionLog;
  /** Sample rate of the frames given to sendAudio (s16le mono). */
  sampleRate?: number;
  source?: string;
  /** Store the transcript as a session (default true). */
  store?: boolean;
  endpointingMs?: number;
  punctuate?: boolean;
  /** Keep the audio with the stored session (`record=true`), for playback in Sessions. */
  record?: boolean;
  language?: string;
  model?: string;
  /** Two-pass captions: true/false asks for it; absent = the server's default (where both models are installed). */
  twoPass?: boolean;
  /** Custom words, one per line or comma-separated (the session's `vocabulary`). */
  vocabulary?: string;
  /** Replacement list, `wrong => right` per line (the session's `replacements`). */
  replacements?: string;
  /** Audio kept for re-sending after a reconnect; older audio is dropped (bounded memory). Default 60 s. */
  maxReplayMs?: number;
  events?: AsrLinkEvents;
  WebSocketImpl?: typeof WebSocket;
  /** Backoff schedule in ms (last value repeats). */
  backoffMs?: number[];
}

const ABNORMAL_HINT = 'The Earshot engine stopped answering; reconnecting…';

export class AsrLink {
  private ws: WebSocket | null = null;
  private status: LinkStatus = 'idle';
  private sessionId: string | null = null;
  /** Frames since the last final, oldest first; `replayBaseMs` is the stream time of the first one. */
  private replay: Int16Array[] = [];
  private replayBaseMs = 0;
  private replaySamples = 0;
  /** Audio dropped from the full replay buffer since the last connection was live (an outage longer than the hold). */
  private droppedMs = 0;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private epoch = 0;
  private endResolve: (() => void) | null = null;
  private readonly rate: number;
  private readonly WS: typeof WebSocket;
  lastLatencyMs: number | null = null;
  /** performance.now() when the newest frame was captured (handed to sendAudio). */
  private lastFrameAt: number | null = null;
  model: string | null = null;

  constructor(private readonly opts: AsrLinkOptions) {
    this.rate = opts.sampleRate ?? 16000;
    this.WS = opts.WebSocketImpl ?? WebSocket;
  }

  get state(): LinkStatus {
    return this.status;
  }

  get session(): string | null {
    return this.sessionId;
  }

  start(): void {
    if (this.status !== 'idle' && this.status !== 'stopped' && this.status !== 'failed') return;
    this.sessionId = null;
    this.replay = [];
    this.replaySamples = 0;
    this.replayBaseMs = 0;
    this.droppedMs = 0;
    this.attempts = 0;
    this.open('connecting');
  }

  /** One frame of s16le mono audio at `sampleRate`. Buffered while disconnected (bounded). */
  sendAudio(frame: Int16Array): void {
    if (this.status === 'idle' || this.status === 'stopped' || this.status === 'failed' || this.status === 'stopping') return;
    this.replay.push(frame);
    this.replaySamples += frame.length;
    this.lastFrameAt = performance.now();
    const max = ((this.opts.maxReplayMs ?? 60_000) * this.rate) / 1000;
    while (this.replaySamples > max && this.replay.length > 1) {
      const dropped = this.replay.shift()!;
      this.replaySamples -= dropped.length;
      this.replayBaseMs += (dropped.length * 1000) / this.rate;
      if (this.status !== 'live') this.droppedMs += (dropped.length * 1000) / this.rate;
    }
    if (this.ws && this.ws.readyState === this.WS.OPEN && this.status === 'live') this.ws.send(frame);
  }

  /** End the stream: the server flushes, stores, answers session_complete and closes. */
  async stop(): Promise<void> {
    this.clearRetry();
    const ws = this.ws;
    if (!ws || ws.readyState !== this.WS.OPEN || this.status !== 'live') {
      this.closeSocket();
      this.setStatus('stopped');
      return;
    }
    this.setStatus('stopping');
    await new Promise<void>((resolve) => {
      this.endResolve = resolve;
      ws.send(JSON.stringify({ type: 'end' }));
      // A server that never answers must not hang the UI.
      setTimeout(resolve, 5000);
    });
    this.endResolve = null;
    this.closeSocket();
    this.setStatus('stopped');
  }

  private open(status: LinkStatus): void {
    this.setStatus(status);
    const params: Record<string, string | number | boolean> = {
      sample_rate: this.rate,
      encoding: 'pcm_s16le',
      interim_results: true,
      session: this.opts.store === false ? 'none' : (this.sessionId ?? 'new'),
      source: this.opts.source ?? 'mic',
    };
    if (this.opts.endpointingMs !== undefined) params.endpointing = this.opts.endpointingMs;
    if (this.opts.punctuate !== undefined) params.punctuate = this.opts.punctuate;
    if (this.opts.record && this.opts.store !== false) params.record = true;
    if (this.opts.language) params.language = this.opts.language;
    if (this.opts.model) params.model = this.opts.model;
    if (this.opts.twoPass !== undefined) params.two_pass = this.opts.twoPass;
    if (this.opts.vocabulary?.trim()) params.vocabulary = this.opts.vocabulary.trim();
    if (this.opts.replacements?.trim()) params.replacements = this.opts.replacements.trim();
    let ws: WebSocket;
    try {
      ws = new this.WS(wsUrl(this.opts.cfg, '/v1/audio/stream', params));
    } catch (err) {
      this.fail(`Cannot open the captions connection: ${(err as Error).message}`);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    const epoch = this.opts.captions.newEpoch();
    this.epoch = epoch;
    let readySeen = false;
    /** The stored session we asked to rejoin is gone: the close that follows is not fatal, retry with session=new. */
    let retryFresh = false;

    ws.onmessage = (ev: MessageEvent) => {
      if (ws !== this.ws || typeof ev.data !== 'string') return;
      let parsed;
      try {
        parsed = AsrServerMessage.safeParse(JSON.parse(ev.data));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const msg = parsed.data;
      switch (msg.type) {
        case 'ready':
          readySeen = true;
          this.attempts = 0;
          // An unsaved stream (server without a store) has no session to rejoin: a reconnect asks for a new one.
          if (this.opts.store !== false && msg.stored !== false) this.sessionId = msg.session_id;
          this.model = msg.model;
          this.setStatus('live');
          // Re-send what the server has not turned into finals yet. This connection's clock starts at
          // time_offset_ms (a resumed session continues its timeline after its last stored segment).
          this.replayBaseMs = msg.time_offset_ms ?? 0;
          for (const f of this.replay) ws.send(f);
          this.opts.events?.ready?.(msg);
          if (this.droppedMs > 0) {
            // The engine was away longer than the audio we can hold: say how much was not captioned, never silently.
            const s = Math.round(this.droppedMs / 1000);
            this.opts.events?.problem?.(
              `The engine was away longer than the ${Math.round((this.opts.maxReplayMs ?? 60_000) / 1000)} s of audio kept for it: the first ${s} s said meanwhile were not captioned.`,
              false,
            );
            this.droppedMs = 0;
          }
          break;
        case 'transcript':
          this.opts.captions.apply(msg, epoch);
          if (msg.is_final) {
            this.lastLatencyMs = msg.latency_ms;
            this.dropReplayUntil(msg.end_ms);
            this.opts.events?.final?.(msg);
          }
          break;
        case 'warning':
          this.opts.events?.warning?.(msg.code, msg.message);
          break;
        case 'session_complete':
          this.opts.events?.sessionComplete?.(msg.session_id);
          this.endResolve?.();
          break;
        case 'error':
          if (msg.code === 'model_unavailable') {
            this.fail(`No speech engine is available: ${msg.message}`);
          } else if (!readySeen && this.sessionId && msg.code === 'bad_config') {
            // The stored session is gone (e.g. a fresh data dir): carry on in a new one.
            this.sessionId = null;
            retryFresh = true;
          } else {
            this.opts.events?.problem?.(`Engine error (${msg.code}): ${msg.message}`, false);
          }
          break;
        default:
          break;
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (ws !== this.ws) return;
      this.ws = null;
      if (this.status === 'stopping' || this.status === 'stopped') {
        this.endResolve?.();
        return;
      }
      if (retryFresh) return this.scheduleReconnect(ABNORMAL_HINT);
      if (ev.code === CLOSE_CODES.unauthorized)
        return this.fail('The API token was refused. Open the link printed by `earshot serve --open`.');
      if (ev.code === CLOSE_CODES.forbidden) return this.fail('The engine refused this page (origin not allowed).');
      if (ev.code === CLOSE_CODES.policyViolation || ev.code === CLOSE_CODES.tooLarge)
        return this.fail(`The engine closed the stream: ${ev.reason || ev.code}`);
      this.scheduleReconnect(ev.code === CLOSE_CODES.tryAgainLater ? 'The engine is busy; retrying…' : ABNORMAL_HINT);
    };
    ws.onerror = () => {
      /* onclose follows and decides */
    };
  }

  /**
   * How long ago (ms) the audio at stream time `streamMs` was captured, by the stream's own clock: frames come
   * from the microphone in real time, so the newest frame sent ends "now" (less the time since it was sent),
   * and `streamMs` lies that much audio before it. For a final's end_ms this is the wait users feel from the
   * end of their speech to the caption on screen. Null before any audio.
   */
  msSinceCaptured(streamMs: number): number | null {
    if (this.lastFrameAt === null) return null;
    const newestMs = this.replayBaseMs + (this.replaySamples * 1000) / this.rate;
    return Math.max(0, newestMs - streamMs + (performance.now() - this.lastFrameAt));
  }

  private dropReplayUntil(endMs: number): void {
    const frameMs = (n: number) => (n * 1000) / this.rate;
    while (this.replay[0] && this.replayBaseMs + frameMs(this.replay[0].length) <= endMs) {
      const f = this.replay.shift()!;
      this.replaySamples -= f.length;
      this.replayBaseMs += frameMs(f.length);
    }
  }

  private scheduleReconnect(message: string): void {
    const schedule = this.opts.backoffMs ?? [300, 600, 1200, 2500, 5000];
    const delay = schedule[Math.min(this.attempts, schedule.length - 1)];
    this.attempts++;
    this.setStatus('reconnecting', message);
    this.opts.events?.problem?.(message, false);
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.status === 'reconnecting') this.open('reconnecting');
    }, delay);
  }

  private fail(message: string): void {
    this.clearRetry();
    this.closeSocket();
    this.setStatus('failed', message);
    this.opts.events?.problem?.(message, true);
  }

  private closeSocket(): void {
    const ws = this.ws;
    this.ws = null;
    if (ws && (ws.readyState === this.WS.OPEN || ws.readyState === this.WS.CONNECTING)) {
      try {
        ws.close(1000);
      } catch {
        /* already closing */
      }
    }
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setStatus(s: LinkStatus, detail?: string): void {
    this.status = s;
    this.opts.events?.status?.(s, detail);
  }

  /** Connection number of the current socket (for tests). */
  get currentEpoch(): number {
    return this.epoch;
  }
}
