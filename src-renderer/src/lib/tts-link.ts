// The Voices view's connection to the TTS WebSocket (`/v1/tts/stream` on the API port): one-shot requests,
// audio chunks handed on as they arrive, cancel for Stop.
import { CLOSE_CODES, TtsServerMessage, type SynthesisCompleteMessage, type SynthesisStartedMessage } from '../../../proto/ws-messages.js';
import { wsUrl, type ApiConfig } from './api-config.js';
import { PcmAssembler } from './tts-player.js';

export interface SpeakRequest {
  text: string;
  voice?: string;
  speed?: number;
  sampleRate?: number;
}

export interface SpeakHandlers {
  started?(msg: SynthesisStartedMessage): void;
  audio(samples: Int16Array, sampleRate: number): void;
  complete?(msg: SynthesisCompleteMessage): void;
  error?(message: string): void;
}

export class TtsLink {
  private ws: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private handlers: SpeakHandlers | null = null;
  private requestId: string | null = null;
  private sampleRate = 22050;
  private readonly pcm = new PcmAssembler();
  private seq = 0;

  constructor(
    private readonly cfg: ApiConfig,
    private readonly WS: typeof WebSocket = WebSocket,
  ) {}

  private connect(): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === this.WS.OPEN) return Promise.resolve(this.ws);
    if (this.opening) return this.opening;
    this.opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new this.WS(wsUrl(this.cfg, '/v1/tts/stream'));
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        this.ws = ws;
        this.opening = null;
        resolve(ws);
      };
      ws.onmessage = (ev: MessageEvent) => this.onMessage(ev);
      ws.onclose = (ev: CloseEvent) => {
        if (this.ws === ws) this.ws = null;
        if (this.opening) {
          this.opening = null;
          reject(new Error(closeReason(ev)));
        } else if (this.handlers) {
          this.handlers.error?.(closeReason(ev));
          this.handlers = null;
        }
      };
    });
    return this.opening;
  }

  async speak(req: SpeakRequest, handlers: SpeakHandlers): Promise<string> {
    const ws = await this.connect();
    this.handlers = handlers;
    this.pcm.reset();
    const id = `ui-${Date.now()}-${++this.seq}`;
    this.requestId = id;
    ws.send(
      JSON.stringify({
        type: 'speak',
        text: req.text,
        request_id: id,
        format: 'pcm',
        ...(req.voice ? { voice: req.voice } : {}),
        ...(req.speed ? { speed: req.speed } : {}),
        ...(req.sampleRate ? { sample_rate: req.sampleRate } : {}),
      }),
    );
    return id;
  }

  /** Barge-in: stop the current synthesis and drop its queued audio. */
  cancel(): void {
    this.handlers = null;
    this.requestId = null;
    if (this.ws && this.ws.readyState === this.WS.OPEN) this.ws.send(JSON.stringify({ type: 'cancel' }));
  }

  close(): void {
    this.handlers = null;
    this.ws?.close(1000);
    this.ws = null;
  }

  private onMessage(ev: MessageEvent): void {
    const h = this.handlers;
    if (typeof ev.data !== 'string') {
      if (!h) return; // audio of a cancelled request still in flight
      const bytes = new Uint8Array(ev.data as ArrayBuffer);
      const samples = this.pcm.push(bytes);
      if (samples.length) h.audio(samples, this.sampleRate);
      return;
    }
    let parsed;
    try {
      parsed = TtsServerMessage.safeParse(JSON.parse(ev.data));
    } catch {
      return;
    }
    if (!parsed.success || !h) return;
    const msg = parsed.data;
    if (msg.type === 'synthesis_started') {
      if (msg.request_id !== this.requestId) return;
      this.sampleRate = msg.sample_rate;
      h.started?.(msg);
    } else if (msg.type === 'synthesis_complete') {
      if (msg.request_id !== this.requestId) return;
      this.handlers = null;
      h.complete?.(msg);
    } else if (msg.type === 'error') {
      if (msg.request_id && msg.request_id !== this.requestId) return;
      this.handlers = null;
      h.error?.(`${msg.code}: ${msg.message}`);
    }
  }
}

function closeReason(ev: CloseEvent): string {
  if (ev.code === CLOSE_CODES.unauthorized) return 'The API token was refused.';
  if (ev.code === CLOSE_CODES.forbidden) return 'The engine refused this page (origin not allowed).';
  return `The speech connection closed (${ev.code}${ev.reason ? ': ' + ev.reason : ''}).`;
}
