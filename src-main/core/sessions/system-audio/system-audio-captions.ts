// Captions of what the user hears: a system-audio capture fed into an in-process AsrSession with
// source "system" — the same session class the WebSocket path drives, so results, endpointing and storage
// are identical. Passing the stored session id of a running mic session makes the two one stored session
// with two tracks (`mic` / `system`): the system track joins it on the session's own clock (time since it
// started) and leaves ending it to its owner, the mic stream.
//
// Used by the desktop shell and by the server's `/v1/system-audio/stream` socket (the browser app). Linux
// records the sink monitor in the engine's process (LinuxSystemAudioCapture). On Windows and macOS the
// desktop renderer gets loopback audio from getDisplayMedia (shell/loopback-audio.ts) and streams it to the
// public WS API with `source=system`, which lands in the same AsrSession class.
import type { AsrServerMessage, ReadyMessage, SessionCompleteMessage } from '../../../../proto/ws-messages.js';
import type { Engine } from '../../engine/index.js';
import { AsrSession, type AsrSessionStore } from '../asr-session.js';
import { SessionError } from '../session-error.js';
import type { Admission } from '../admission.js';
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
  /** Interim results (default true). */
  interimResults?: boolean;
  /** Live-stream admission (the server's); absent = always admitted (the desktop shell's own capture). */
  admission?: Admission | null;
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
    const want = this.opts.session ?? 'none';
    // An existing session is joined, not resumed: its owner (the mic stream) keeps its clock and ends it.
    const joined = want !== 'none' && want !== 'new' ? (store?.getSession(want) ?? null) : null;
    if (want !== 'none' && want !== 'new' && store && !joined) {
      throw new SessionError('bad_config', `session "${want}" does not exist (use session=new to create one)`);
    }
    const session = new AsrSession({
      engine,
      store: store ?? null,
      title: 'System audio',
      admission: this.opts.admission ?? null,
      config: {
        sample_rate: source.sampleRate,
        encoding: 'pcm_f32le',
        session: joined ? 'none' : want,
        source: 'system',
        ...(this.opts.interimResults !== undefined ? { interim_results: this.opts.interimResults } : {}),
        ...(this.opts.language ? { language: this.opts.language } : {}),
        ...(this.opts.model ? { model: this.opts.model } : {}),
        ...(this.opts.endpointing !== undefined ? { endpointing: this.opts.endpointing } : {}),
      },
    });
    const timeBaseMs = joined ? Math.max(0, Date.now() - joined.startedAt) : 0;
    // `ready` names the joined session and where this track's clock starts in it.
    const joinedReady = (m: ReadyMessage): ReadyMessage =>
      joined ? { ...m, session_id: joined.id, stored: true, time_offset_ms: timeBaseMs } : m;
    session.on('message', (m) => onMessage(m.type === 'ready' ? joinedReady(m) : m));
    const ready = joinedReady(session.start());
    if (joined) session.attachStoredSession(joined.id, timeBaseMs);
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

  /** Ends the utterance in progress now (its final, then `flushed`); capture goes on. */
  flush(): Promise<unknown> {
    return this.session ? this.session.flush() : Promise.resolve(null);
  }

  /** The client went away: stop capturing, keep the utterance in progress (stored), mark the session. */
  async abort(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    await this.opts.source.stop();
    await session.abort();
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
