// One live ASR conversation, independent of the transport: the WebSocket handler, the gRPC service and the
// in-app capture path all drive this class and forward what it emits.
//
// Life cycle: new AsrSession(opts) → start() (emits `ready`) → writeAudio()/writeSamples()/configure()/flush()
// → end() (flush, `session_complete`, store session ended) or abort() (client gone: the utterance in progress
// is still finalized and stored, the store session is marked interrupted).
//
// The engine stream is created lazily on the first audio: until then a `config` message (or a WAV header) may
// still change the input rate, encoding, model or language.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  AsrConfigFields,
  type AsrConfigInput,
  type AsrServerMessage,
  type ErrorCode,
  type FinalTranscript,
  type ReadyMessage,
  type SessionCompleteMessage,
} from '../../../proto/ws-messages.js';
import { AudioFormatError, f32leToFloat32, parseWavHeader, s16leToFloat32 } from '../audio/index.js';
import type { AsrEngine, AsrFinal, AsrPartial, AsrStream, Engine } from '../engine/types.js';
import type { Store } from '../store/types.js';
import type { SessionMetrics } from './session-metrics.js';
import type { Admission } from './admission.js';

/** A failure the client should hear about as `{"type":"error","code":…}`. */
export class SessionError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

/** Resolved stream configuration (defaults applied). */
export interface AsrConfig {
  sampleRate: number;
  encoding: 'pcm_s16le' | 'pcm_f32le' | 'wav';
  language?: string;
  model?: string;
  interimResults: boolean;
  endpointing: number | false;
  punctuate: boolean;
  words: boolean;
  /** 'new' | existing id | 'none'. */
  session: string;
  source: string;
}

export const ASR_DEFAULTS: Readonly<AsrConfig> = Object.freeze({
  sampleRate: 16000,
  encoding: 'pcm_s16le',
  interimResults: true,
  endpointing: 600,
  punctuate: true,
  words: true,
  session: 'none',
  source: 'api',
});

/** Keys a `config` message may change once audio has started (the rest shape the stream itself). */
const LIVE_KEYS = new Set(['endpointing', 'interim_results', 'punctuate', 'words', 'type']);

/** The store calls a session uses; the real Store satisfies it. */
export type AsrSessionStore = Pick<Store, 'createSession' | 'appendSegment' | 'endSession' | 'resumeSession' | 'getSession'>;

export interface AsrSessionOptions {
  engine: Engine;
  /** Where finals are persisted when `session` is `new` or an id; null/undefined = never stored. */
  store?: AsrSessionStore | null;
  /** Initial configuration (e.g. the WebSocket query parameters); validated by start(). */
  config?: AsrConfigInput | Record<string, unknown>;
  metrics?: SessionMetrics;
  /** Audio may run ahead of wall time by this much before `rate_limited` (ms). Default 120 s. */
  audioAheadBudgetMs?: number;
  /** Audio written but not yet decoded may reach this much before `rate_limited` (ms). Default 60 s. */
  maxQueuedAudioMs?: number;
  /** Capacity check at start(): refused sessions throw OverloadedError. Absent = no admission control. */
  admission?: Admission | null;
  /** Batch work (a whole file): decoded in idle capacity, admitted as a batch job. Default false. */
  batch?: boolean;
  /** Title for a new stored session. */
  title?: string;
  /** Wall clock, ms (tests may replace it). */
  now?: () => number;
}

export interface AsrSessionEvents {
  /** Every wire message for the client, in order. */
  message: (msg: AsrServerMessage) => void;
  /** The session is over (after session_complete, abort, or a fatal engine error). */
  closed: () => void;
}

/** Largest WAV header we wait for before giving up on finding the data chunk. */
const MAX_WAV_HEADER_BYTES = 64 * 1024;

export class AsrSession extends EventEmitter {
  readonly id = randomUUID();
  private cfg: AsrConfig = { ...ASR_DEFAULTS };
  private readonly opts: AsrSessionOptions;
  private readonly now: () => number;
  private asrEngine: AsrEngine | null = null;
  private stream: AsrStream | null = null;
  private storedId: string | null = null;
  private state: 'new' | 'open' | 'ending' | 'closed' = 'new';
  private segment = 0;
  private lastInterim = '';
  private firstAudioAt: number | null = null;
  private firstResultSent = false;
  /** ms of audio received (at the input rate). */
  private audioMs = 0;
  /** Wall time the most recent audio arrived (latency_ms of endpoint finals counts from it). */
  private lastAudioAt = 0;
  /** Finals already emitted (the engine may report one both as an event and from flush()). */
  private readonly emitted = new WeakMap<AsrFinal, FinalTranscript | null>();
  private lastFinal: { key: string; msg: FinalTranscript | null } = { key: '', msg: null };
  /** WAV intake: header bytes collected so far, then the bytes of a partial frame carried to the next write. */
  private wavHeaderBuf: Buffer | null = null;
  private wavFormat: { float: boolean; frameBytes: number } | null = null;
  private carry: Buffer = Buffer.alloc(0);
  /** Serializes flush/end so finals and session_complete go out in order. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Audio time (ms) at which each engine stream began: a live endpointing change starts a new stream. */
  private readonly offsetOf = new WeakMap<AsrStream, number>();
  private streamEndpointing: number | false = ASR_DEFAULTS.endpointing;
  /** Set while a flush is in progress: its final's latency counts from the flush request. */
  private flushRequestedAt: number | null = null;
  /** Gives back the admission slot (set by start()). */
  private releaseAdmission: (() => void) | null = null;

  constructor(opts: AsrSessionOptions) {
    super();
    this.opts = opts;
    this.now = opts.now ?? (() => performance.now());
  }

  override on<E extends keyof AsrSessionEvents>(event: E, listener: AsrSessionEvents[E]): this {
    return super.on(event, listener);
  }

  get config(): Readonly<AsrConfig> {
    return this.cfg;
  }
  /** Stored session id, when finals are persisted. */
  get storedSessionId(): string | null {
    return this.storedId;
  }
  get isClosed(): boolean {
    return this.state === 'closed';
  }
  /** Final segments emitted so far. */
  get segments(): number {
    return this.segment;
  }

  /** Before start(): add options to the initial config (a first `config` message is equivalent to them). */
  mergeInitialConfig(fields: Record<string, unknown>): void {
    if (this.state !== 'new') throw new Error('mergeInitialConfig after start()');
    this.opts.config = { ...(this.opts.config ?? {}), ...fields };
  }

  /**
   * Validate the initial config, pick the model, open the stored session, and emit `ready`.
   * Throws SessionError (bad_config / model_unavailable) — the transport then reports it and closes.
   */
  start(): ReadyMessage {
    if (this.state !== 'new') throw new Error('AsrSession.start called twice');
    this.applyConfig(this.opts.config ?? {}, true);
    this.asrEngine = this.resolveEngine();
    const admission = this.opts.admission;
    if (admission) this.releaseAdmission = this.opts.batch ? admission.admitBatch() : admission.admitLive(this.asrEngine);
    try {
      this.openStoredSession();
    } catch (err) {
      this.releaseAdmission?.();
      throw err;
    }
    this.state = 'open';
    const ready: ReadyMessage = {
      type: 'ready',
      session_id: this.storedId ?? this.id,
      model: this.asrEngine.modelId,
      sample_rate: this.cfg.sampleRate,
    };
    this.send(ready);
    return ready;
  }

  /** A `config` message. Before the first audio anything may change; afterwards only the live keys. */
  configure(fields: Record<string, unknown>): void {
    this.requireOpen();
    if (this.stream) {
      const frozen = Object.keys(fields).filter((k) => !LIVE_KEYS.has(k) && fields[k] !== undefined);
      if (frozen.length) {
        throw new SessionError('bad_config', `${frozen.join(', ')} cannot change after audio has started; only endpointing, interim_results, punctuate and words can`);
      }
    }
    const before = { model: this.cfg.model, language: this.cfg.language, session: this.cfg.session };
    this.applyConfig(fields, false);
    if (!this.stream && (before.model !== this.cfg.model || before.language !== this.cfg.language)) {
      this.asrEngine = this.resolveEngine();
    }
    if (before.session !== this.cfg.session && this.storedId === null) this.openStoredSession();
  }

  /** Audio bytes in the configured encoding. Bad bytes throw SessionError('bad_audio'); the session goes on. */
  writeAudio(bytes: Uint8Array): void {
    this.requireOpen();
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let samples: Float32Array;
    try {
      if (this.cfg.encoding === 'pcm_s16le') samples = s16leToFloat32(buf);
      else if (this.cfg.encoding === 'pcm_f32le') samples = f32leToFloat32(buf);
      else {
        const s = this.decodeWavBytes(buf);
        if (!s) return;
        samples = s;
      }
    } catch (err) {
      if (err instanceof AudioFormatError) throw new SessionError('bad_audio', err.message);
      throw err;
    }
    this.writeSamples(samples);
  }

  /** Float samples at the configured input rate (the in-app capture path calls this directly). */
  writeSamples(samples: Float32Array): void {
    this.requireOpen();
    if (samples.length === 0) return;
    const now = this.now();
    if (this.firstAudioAt === null) this.firstAudioAt = now;
    const chunkMs = (samples.length * 1000) / this.cfg.sampleRate;
    const budget = this.opts.audioAheadBudgetMs ?? 120_000;
    if (this.audioMs + chunkMs - (now - this.firstAudioAt) > budget) {
      throw new SessionError(
        'rate_limited',
        `audio is arriving faster than real time: ${Math.round(this.audioMs + chunkMs)} ms of audio in ${Math.round(now - this.firstAudioAt)} ms ` +
          `exceeds the ${budget} ms lead allowed; this chunk was dropped — send at real-time pace or use POST /v1/audio/transcriptions`,
      );
    }
    const stream = this.ensureStream();
    const maxQueued = this.opts.maxQueuedAudioMs ?? 60_000;
    if (stream.pendingMs + chunkMs > maxQueued) {
      throw new SessionError(
        'rate_limited',
        `${Math.round(stream.pendingMs)} ms of this stream's audio is still waiting to be decoded (limit ${maxQueued} ms); this chunk was dropped — send at real-time pace`,
      );
    }
    this.audioMs += chunkMs;
    this.lastAudioAt = now;
    stream.write(samples);
  }

  /** Resolves once at most `maxPendingMs` of written audio waits to be decoded (writers of whole files pace on it). */
  drained(maxPendingMs: number): Promise<void> {
    return this.stream ? this.stream.drained(maxPendingMs) : Promise.resolve();
  }

  /** End the current utterance now; resolves with its final message (null when nothing was recognized). */
  flush(): Promise<FinalTranscript | null> {
    this.requireOpen();
    const requestedAt = this.now();
    return this.enqueue(async () => {
      if (!this.stream || this.state === 'closed') return null;
      this.flushRequestedAt = requestedAt;
      try {
        const final = await this.stream.flush();
        return final ? this.emitFinal(final, requestedAt) : null;
      } finally {
        this.flushRequestedAt = null;
      }
    });
  }

  /** Flush, emit `session_complete`, end the stored session, close. Idempotent. */
  end(): Promise<SessionCompleteMessage> {
    if (this.state === 'closed' || this.state === 'ending') {
      return this.enqueue(async () => this.completeMessage());
    }
    this.requireOpen();
    this.state = 'ending';
    const requestedAt = this.now();
    return this.enqueue(async () => {
      if (this.stream) {
        this.flushRequestedAt = requestedAt;
        const final = await this.stream.close();
        if (final) this.emitFinal(final, requestedAt);
      }
      const done = this.completeMessage();
      this.send(done);
      this.finishStored('complete');
      this.close();
      return done;
    });
  }

  /**
   * The client went away (or the server is shutting down without a client `end`): finalize the utterance in
   * progress (stored; sent if anyone still listens), mark the stored session interrupted, release everything.
   */
  abort(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    if (this.state === 'new') {
      this.close();
      return Promise.resolve();
    }
    this.state = 'ending';
    const requestedAt = this.now();
    return this.enqueue(async () => {
      if (this.state === 'closed') return;
      try {
        if (this.stream) {
          const final = await this.stream.close();
          if (final) this.emitFinal(final, requestedAt);
        }
      } finally {
        this.finishStored('interrupted');
        this.close();
      }
    }) as Promise<void>;
  }

  // ------------------------------------------------------------------------------------------------------

  private completeMessage(): SessionCompleteMessage {
    return {
      type: 'session_complete',
      session_id: this.storedId ?? this.id,
      duration_ms: Math.round(this.audioMs),
      segments: this.segment,
    };
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private requireOpen(): void {
    if (this.state === 'new') throw new Error('AsrSession used before start()');
    if (this.state !== 'open') throw new SessionError('bad_config', 'the stream has ended');
  }

  private applyConfig(input: Record<string, unknown>, initial: boolean): void {
    const parsed = AsrConfigFields.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SessionError('bad_config', `invalid ${issue.path.join('.') || 'config'}: ${issue.message}`);
    }
    const f = parsed.data;
    if (f.multichannel || (f.channels !== undefined && f.channels !== 1)) {
      throw new SessionError('bad_config', 'only mono audio is supported by this server (channels=1)');
    }
    const c = this.cfg;
    if (f.sample_rate !== undefined) c.sampleRate = f.sample_rate;
    if (f.encoding !== undefined) c.encoding = f.encoding;
    if (f.language !== undefined) c.language = f.language;
    if (f.model !== undefined) c.model = f.model;
    if (f.interim_results !== undefined) c.interimResults = f.interim_results;
    if (f.endpointing !== undefined) c.endpointing = f.endpointing;
    if (f.punctuate !== undefined) c.punctuate = f.punctuate;
    if (f.words !== undefined) c.words = f.words;
    if (f.session !== undefined) c.session = f.session;
    if (f.source !== undefined) c.source = f.source;
    if (!initial && f.endpointing !== undefined && this.stream && this.streamEndpointing !== c.endpointing) {
      // The engine takes endpointing when a stream is created, so a live change ends the utterance in progress
      // (its final goes out as usual) and the audio that follows goes to a fresh stream, offset in time.
      const old = this.stream;
      this.stream = null;
      const requestedAt = this.now();
      void this.enqueue(async () => {
        const final = await old.close();
        if (final) this.emitFinal(final, requestedAt, this.offsetOf.get(old) ?? 0);
      });
    }
  }

  private resolveEngine(): AsrEngine {
    try {
      return this.opts.engine.asr({ model: this.cfg.model, language: this.cfg.language });
    } catch (err) {
      const code = (err as { code?: string }).code === 'model_unavailable' ? 'model_unavailable' : 'internal';
      throw new SessionError(code, err instanceof Error ? err.message : String(err));
    }
  }

  private openStoredSession(): void {
    const want = this.cfg.session;
    if (want === 'none') return;
    const store = this.opts.store;
    if (!store) throw new SessionError('bad_config', `session=${want} needs the transcript store, and this server runs without one`);
    const engine = this.asrEngine!;
    if (want === 'new') {
      this.storedId = store.createSession({
        title: this.opts.title,
        sources: [this.cfg.source],
        engine: engine.backend,
        model: engine.modelId,
        language: this.cfg.language ?? engine.language,
      });
      return;
    }
    const existing = store.getSession(want);
    if (!existing) throw new SessionError('bad_config', `session "${want}" does not exist (use session=new to create one)`);
    store.resumeSession(want);
    this.storedId = want;
    this.segment = existing.segmentCount;
  }

  private finishStored(status: 'complete' | 'interrupted'): void {
    if (this.storedId === null || !this.opts.store) return;
    try {
      this.opts.store.endSession(this.storedId, status);
    } catch (err) {
      this.sendError('internal', `could not end the stored session: ${(err as Error).message}`);
    }
  }

  private ensureStream(): AsrStream {
    if (this.stream) return this.stream;
    const stream = this.asrEngine!.createStream({ sampleRate: this.cfg.sampleRate, endpointingMs: this.cfg.endpointing, batch: this.opts.batch ?? false });
    const offset = this.audioMs;
    this.offsetOf.set(stream, offset);
    this.streamEndpointing = this.cfg.endpointing;
    stream.on('partial', (p) => this.onPartial(p, offset));
    stream.on('final', (f) => {
      if (this.state !== 'closed') this.emitFinal(f, this.flushRequestedAt ?? this.lastAudioAt, offset);
    });
    stream.on('speechStart', (at) => this.send({ type: 'speech_started', at_ms: Math.round(at + offset) }));
    stream.on('speechEnd', (at) => this.send({ type: 'speech_ended', at_ms: Math.round(at + offset) }));
    stream.on('error', (err) => {
      this.sendError('internal', `recognizer failed: ${err.message}`);
      this.finishStored('interrupted');
      this.close();
    });
    this.stream = stream;
    return stream;
  }

  private onPartial(p: AsrPartial, offset: number): void {
    if (this.state === 'closed' || !this.cfg.interimResults) return;
    const text = p.text.trim();
    if (!text || text === this.lastInterim) return;
    this.lastInterim = text;
    this.noteResult();
    this.send({
      type: 'transcript',
      is_final: false,
      segment: this.segment,
      text,
      start_ms: Math.round(p.startMs + offset),
      end_ms: Math.round(p.endMs + offset),
    });
  }

  /** Persist, then send, one final. `since` = wall time its latency counts from. Empty finals are dropped. */
  private emitFinal(f: AsrFinal, since: number, offset = this.stream ? (this.offsetOf.get(this.stream) ?? 0) : 0): FinalTranscript | null {
    const key = `${f.startMs}|${f.endMs}|${f.text}`;
    // Already sent (as an event and again as flush()'s result): answer with the message that went out.
    if (this.emitted.has(f)) return this.emitted.get(f)!;
    if (key === this.lastFinal.key) return this.lastFinal.msg;
    this.lastInterim = '';
    const text = f.text.trim();
    if (!text) {
      this.emitted.set(f, null);
      this.lastFinal = { key, msg: null };
      return null;
    }
    const msg: FinalTranscript = {
      type: 'transcript',
      is_final: true,
      segment: this.segment,
      text,
      start_ms: Math.round(f.startMs + offset),
      end_ms: Math.round(f.endMs + offset),
      confidence: Math.round(f.confidence * 1000) / 1000,
      latency_ms: 0,
    };
    if (this.cfg.words) {
      msg.words = f.words.map((w) => ({ word: w.word, start_ms: Math.round(w.startMs + offset), end_ms: Math.round(w.endMs + offset) }));
    }
    this.emitted.set(f, msg);
    this.lastFinal = { key, msg };
    this.segment++;
    if (this.storedId !== null && this.opts.store) {
      try {
        // Committed before the client hears of it: a crash after this line loses nothing the client saw.
        this.opts.store.appendSegment(this.storedId, {
          track: this.cfg.source,
          startMs: msg.start_ms,
          endMs: msg.end_ms,
          text,
          confidence: f.confidence,
          words: offset ? f.words.map((w) => ({ ...w, startMs: w.startMs + offset, endMs: w.endMs + offset })) : f.words,
        });
      } catch (err) {
        this.sendError('internal', `could not store segment ${msg.segment}: ${(err as Error).message}`);
      }
    }
    this.noteResult();
    msg.latency_ms = Math.max(0, Math.round(this.now() - since));
    this.opts.metrics?.finalLatency(msg.latency_ms);
    this.send(msg);
    return msg;
  }

  private noteResult(): void {
    if (this.firstResultSent || this.firstAudioAt === null) return;
    this.firstResultSent = true;
    this.opts.metrics?.firstResult(this.now() - this.firstAudioAt);
  }

  /** WAV intake: wait for the header, then decode whole frames and carry a partial frame to the next write. */
  private decodeWavBytes(buf: Buffer): Float32Array | null {
    if (!this.wavFormat) {
      this.wavHeaderBuf = this.wavHeaderBuf ? Buffer.concat([this.wavHeaderBuf, buf]) : Buffer.from(buf);
      let info;
      try {
        info = parseWavHeader(this.wavHeaderBuf);
      } catch (err) {
        const pending = this.wavHeaderBuf.byteLength;
        const incomplete = /no data chunk|no fmt chunk|truncated|shorter than/.test((err as Error).message);
        if (incomplete && pending < MAX_WAV_HEADER_BYTES) return null;
        this.wavHeaderBuf = null;
        throw new SessionError('bad_audio', `encoding=wav: ${(err as Error).message}`);
      }
      if (info.channels !== 1) {
        this.wavHeaderBuf = null;
        throw new SessionError('bad_audio', `WAV has ${info.channels} channels; only mono is supported`);
      }
      if (info.sampleRate < 8000 || info.sampleRate > 48000) {
        this.wavHeaderBuf = null;
        throw new SessionError('bad_audio', `WAV sample rate ${info.sampleRate} Hz is outside 8000–48000`);
      }
      if (this.stream && info.sampleRate !== this.cfg.sampleRate) {
        throw new SessionError('bad_audio', 'a WAV header arrived after audio had started');
      }
      this.cfg.sampleRate = info.sampleRate;
      this.wavFormat = { float: info.audioFormat === 3, frameBytes: info.bitsPerSample / 8 };
      buf = this.wavHeaderBuf.subarray(info.dataOffset);
      this.wavHeaderBuf = null;
    }
    const data = this.carry.byteLength ? Buffer.concat([this.carry, buf]) : buf;
    const whole = data.byteLength - (data.byteLength % this.wavFormat.frameBytes);
    this.carry = Buffer.from(data.subarray(whole));
    const body = data.subarray(0, whole);
    return this.wavFormat.float ? f32leToFloat32(body) : s16leToFloat32(body);
  }

  private send(msg: AsrServerMessage): void {
    this.emit('message', msg);
  }

  private sendError(code: ErrorCode, message: string): void {
    this.opts.metrics?.error(code);
    this.send({ type: 'error', code, message });
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const released = this.stream?.close().catch(() => undefined);
    // The slot is free once the engine has let go of the stream (its decoder back in the pool).
    if (released) void released.finally(() => this.releaseAdmission?.());
    else this.releaseAdmission?.();
    if (this.firstAudioAt !== null && this.audioMs > 0) {
      this.opts.metrics?.realtimeFactor('asr', (this.now() - this.firstAudioAt) / this.audioMs);
    }
    this.emit('closed');
  }
}
