// Captions of what the user hears: a system-audio capture fed into an in-process AsrSession with
// source "system" — the same session class the WebSocket path drives, so results, endpointing and storage
// are identical. Passing the stored session id of a running mic session makes the two one stored session
// with two tracks (`mic` / `system`).
//
// Linux records the sink monitor here in the main process (LinuxSystemAudioCapture). On Windows and macOS
// the renderer gets loopback audio from getDisplayMedia (see loopback-audio.ts) and streams it to the
// public WS API with `source=system`, which lands in the same AsrSession class.
import type { AsrServerMessage, ReadyMessage, SessionCompleteMessage } from '../../proto/ws-messages.js';
import type { Engine } from '../core/engine/index.js';
import { AsrSession, SessionError, type AsrSessionStore } from '../core/sessions/index.js';
import { DigitalSilenceGate } from './digital-silence-gate.js';

/** Anything that yields float32 mono blocks at a fixed rate (LinuxSystemAudioCapture, or a fake in unit tests). */
export interface SystemAudioSource {
  readonly sampleRate: number;
  start(): Promise<unknown>;
  stop(): Promise<void>;
  on(event: 'samples', listener: (block: Float32Array) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface SystemAudioCaptionsOptions {
  engine: Engine;
  source: SystemAudioSource;
  store?: AsrSessionStore | null;
  /** 'none' (default: not stored), 'new', or the stored id of the mic session to add a `system` track to. */
  session?: string;
  language?: string;
  model?: string;
  /** Trailing silence (ms) that ends an utterance, or false (only stop() ends one). Default: the session's (600). */
  endpointing?: number | false;
  /** Every wire message (ready, transcript, error, session_complete), exactly as a WS client would get them. */
  onMessage: (msg: AsrServerMessage) => void;
}

export class SystemAudioCaptions {
  private session: AsrSession | null = null;

  constructor(private readonly opts: SystemAudioCaptionsOptions) {}

  get running(): boolean {
    return this.session !== null;
  }

  /** Opens the ASR session, then starts capturing. Throws SessionError / SystemAudioError when either cannot start. */
  async start(): Promise<ReadyMessage> {
    if (this.session) throw new Error('system-audio captions already running');
    const { engine, source, store, onMessage } = this.opts;
    const session = new AsrSession({
      engine,
      store: store ?? null,
      title: 'System audio',
      config: {
        sample_rate: source.sampleRate,
        encoding: 'pcm_f32le',
        session: this.opts.session ?? 'none',
        source: 'system',
        ...(this.opts.language ? { language: this.opts.language } : {}),
        ...(this.opts.model ? { model: this.opts.model } : {}),
        ...(this.opts.endpointing !== undefined ? { endpointing: this.opts.endpointing } : {}),
      },
    });
    session.on('message', onMessage);
    const ready = session.start();
    this.session = session;
    // Zeros from an idle sink are dropped, keeping 2 s after sound so endpointing still closes the utterance.
    const gate = new DigitalSilenceGate(source.sampleRate * 2);
    source.on('samples', (block) => {
      if (this.session !== session || session.isClosed) return;
      try {
        session.writeSamples(gate.filter(block));
      } catch (err) {
        // A dropped block (e.g. rate_limited) is reported; capture goes on.
        if (err instanceof SessionError) onMessage({ type: 'error', code: err.code, message: err.message });
        else throw err;
      }
    });
    source.on('error', (err) => {
      onMessage({ type: 'error', code: 'internal', message: `system audio capture: ${err.message}` });
      void this.stop();
    });
    try {
      await source.start();
    } catch (err) {
      this.session = null;
      await session.abort();
      throw err;
    }
    return ready;
  }

  /** Stops capturing, flushes the last utterance, ends the session. Null when it was not running. */
  async stop(): Promise<SessionCompleteMessage | null> {
    const session = this.session;
    if (!session) return null;
    this.session = null;
    await this.opts.source.stop();
    return session.end();
  }
}
