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
import { SessionRecording } from './session-recording.js';
import { randomUUID } from 'node:crypto';
import {
  AsrConfigFields,
  type AsrConfigInput,
  type AsrServerMessage,
  type ErrorCode,
  type AsrEncoding,
  type FinalTranscript,
  type ReadyMessage,
  type SessionCompleteMessage,
  type WarningMessage,
} from '../../../proto/ws-messages.js';
import {
  AudioFormatError,
  createContainerStreamDecoder,
  f32leToFloat32,
  parseWavHeader,
  s16leToFloat32,
  STREAM_CONTAINERS,
  type ContainerStreamDecoder,
  type StreamContainer,
} from '../audio/index.js';
import type { AsrEngine, AsrFinal, AsrPartial, AsrStream, Engine } from '../engine/index.js';
import { MAX_VOCABULARY_WORD_CHARS, MAX_VOCABULARY_WORDS } from '../engine/index.js';
import type { Store } from '../store/index.js';
import type { SessionMetrics } from './session-metrics.js';
import { compileReplacements, parseReplacements, ReplacementListError } from './replacements.js';
import { wsErrorCodeOf } from '../errors.js';
import type { Admission } from './admission.js';
import { SessionError } from './session-error.js';

// Kept for branches written before it moved to its own file; the lead removes it once they are merged.

/** Resolved stream configuration (defaults applied). */
export interface AsrConfig {
  sampleRate: number;
  encoding: AsrEncoding;
  language?: string;
  model?: string;
  /** Two-pass captions: undefined = where both kinds are installed (see AsrSelection.twoPass). */
  twoPass?: boolean;
  interimResults: boolean;
  endpointing: number | false;
  punctuate: boolean;
  words: boolean;
  /** 'new' | existing id | 'none'. */
  session: string;
  source: string;
  /** Keep the audio with the stored session (session-recording.ts). */
  record: boolean;
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
  record: false,
});

/** Encoded container bytes that may wait for the decoder (a burst of uploaded audio); beyond: rate_limited. */
const MAX_CONTAINER_PENDING_BYTES = 8 * 1024 * 1024;

/** Keys a `config` message may change once audio has started (the rest shape the stream itself). */
const LIVE_KEYS = new Set(['endpointing', 'interim_results', 'punctuate', 'words', 'replacements', 'type']);

/** Every option key (query parameter or `config` field); anything else is a client bug, reported by name. */
const CONFIG_KEYS: ReadonlySet<string> = new Set(Object.keys(AsrConfigFields.shape));

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
  /** Folder of session recordings (`record=true`); absent = recording refused. */
  recordingsDir?: string | null;
  /** Track the finals are stored under; default the `source` option (a multichannel stream's lanes: `ch0`, `ch1`…). */
  track?: string;
  /** Wall clock, ms (tests may replace it). */
  now?: () => number;
}

export interface AsrSessionEvents {
  /** Every wire message for the client, in order. */
  message: (msg: AsrServerMessage) => void;
  /** The session is over (after session_complete, abort, or a fatal engine error). */
  closed: () => void;
  /** Admission shed this live stream (see shed()); the listener ends it (end()) and tells the client. */
  shed: (message: string) => void;
}

/** Largest WAV header we wait for before giving up on finding the data chunk. */
const MAX_WAV_HEADER_BYTES = 64 * 1024;

export class AsrSession extends EventEmitter {
  readonly id = randomUUID();
  private cfg: AsrConfig = { ...ASR_DEFAULTS };
  /** Custom words the recognizer is biased toward (when its model supports it; see checkVocabulary). */
  private vocabulary: string[] = [];
  /** The session's replacement list ("wrong → right"), applied to every final's text. */
  private replace: (text: string) => string = (t) => t;
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
  /** Container encodings (ogg_opus, webm_opus…): the streaming decoder, and encoded bytes not yet decoded. */
  private containerDecoder: Promise<ContainerStreamDecoder> | null = null;
  private containerPendingBytes = 0;
  /** Serializes flush/end so finals and session_complete go out in order. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Audio time (ms) at which each engine stream began: a live endpointing change starts a new stream. */
  private readonly offsetOf = new WeakMap<AsrStream, number>();
  private streamEndpointing: number | false = ASR_DEFAULTS.endpointing;
  /** Set while a flush is in progress: its final's latency counts from the flush request. */
  private flushRequestedAt: number | null = null;
  /**
   * Stream time where this connection's clock starts: 0, or for a resumed stored session the end of its last
   * segment, so the session keeps one timeline across reconnects and restarts (times never go back, SRT cues
   * never overlap). Every time the session emits is offset by it.
   */
  private timeBaseMs = 0;
  /** A `warning` that waits for `ready` (which is always first). */
  /** Warnings raised before `ready`, sent right after it. */
  private pendingWarnings: WarningMessage[] = [];
  /** Set by cancel(): nothing more is emitted or stored, whatever the engine still returns. */
  private cancelled = false;
  /** The session's audio being kept (record=true), from the first audio on. */
  private recording: SessionRecording | null = null;
  /** Gives back the admission slot (set by start()). */
  private releaseAdmission: (() => void) | null = null;
  private shedMessage: string | null = null;
  /** False when the stored session belongs to someone else (attachStoredSession): they end it, not this session. */
  private ownsStored = true;

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

  /** Why admission shed this live stream (the server fell behind real time), or null. */
  get shedReason(): string | null {
    return this.shedMessage;
  }

  /**
   * Admission shed this stream: it ends as after a client `end` (the utterance in progress gets its final, then
   * session_complete). The transport ('shed' listeners) tells the client why; without one the session just ends.
   */
  private shed(message: string): void {
    if (this.state !== 'open') return;
    this.shedMessage = message;
    if (!this.emit('shed', message)) void this.end().catch(() => undefined);
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
    // Punctuation is on by default only where the engine has a punctuation model; the client may still ask.
    this.cfg.punctuate = this.opts.engine.punctuation() !== null;
    this.applyConfig(this.opts.config ?? {}, true);
    this.asrEngine = this.resolveEngine();
    this.checkVocabulary();
    const admission = this.opts.admission;
    if (admission) {
      this.releaseAdmission = this.opts.batch
        ? admission.admitBatch()
        : admission.admitLive(this.asrEngine, {
            warn: (m) => this.send({ type: 'warning', code: 'falling_behind', message: m }),
            shed: (m) => this.shed(m),
          });
    }
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
      stored: this.storedId !== null,
      time_offset_ms: this.timeBaseMs,
      language: this.streamLanguage(),
      ...(this.asrEngine.finalModelId ? { final_model: this.asrEngine.finalModelId } : {}),
    };
    this.send(ready);
    for (const w of this.pendingWarnings) this.send(w);
    this.pendingWarnings = [];
    return ready;
  }

  /**
   * After start(), before any audio: store this stream's finals into a stored session the caller opened and will
   * end (the lanes of a multichannel stream share one, each on its own track), its clock starting at timeBaseMs.
   */
  attachStoredSession(id: string, timeBaseMs: number): void {
    this.requireOpen();
    if (this.stream || this.storedId !== null) throw new Error('attachStoredSession after audio or on a stored stream');
    this.storedId = id;
    this.timeBaseMs = timeBaseMs;
    this.ownsStored = false;
  }

  /** A `config` message. Before the first audio anything may change; afterwards only the live keys. */
  configure(fields: Record<string, unknown>): void {
    this.requireOpen();
    if (this.stream) {
      const frozen = Object.keys(fields).filter((k) => !LIVE_KEYS.has(k) && fields[k] !== undefined);
      if (frozen.length) {
        throw new SessionError(
          'bad_config',
          `${frozen.join(', ')} cannot change after audio has started; only endpointing, interim_results, punctuate, words and replacements can`,
        );
      }
    }
    if (fields.session !== undefined && this.storedId !== null && fields.session !== this.storedId && fields.session !== this.cfg.session) {
      throw new SessionError('bad_config', `session cannot change: this stream already stores into session "${this.storedId}"`);
    }
    // All or nothing: a config that fails (bad model, unknown session id…) leaves the previous settings in
    // force, so a bad value is never silently kept after its error.
    const saved = { cfg: { ...this.cfg }, engine: this.asrEngine, replace: this.replace, vocabulary: this.vocabulary };
    try {
      this.applyConfig(fields, false);
      if (!this.stream && (saved.cfg.model !== this.cfg.model || saved.cfg.language !== this.cfg.language)) {
        this.asrEngine = this.resolveEngine();
      }
      if (saved.vocabulary !== this.vocabulary || saved.engine !== this.asrEngine) this.checkVocabulary();
      if (saved.cfg.session !== this.cfg.session && this.storedId === null) this.openStoredSession();
    } catch (err) {
      this.cfg = saved.cfg;
      this.asrEngine = saved.engine;
      this.replace = saved.replace;
      this.vocabulary = saved.vocabulary;
      throw err;
    }
  }

  /** Audio bytes in the configured encoding. Bad bytes throw SessionError('bad_audio'); the session goes on. */
  writeAudio(bytes: Uint8Array): void {
    this.requireOpen();
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.cfg.encoding in STREAM_CONTAINERS) return this.writeContainerBytes(buf);
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

  /**
   * Container bytes are decoded asynchronously, in order, on the same chain as flush/end (so a flush comes after
   * the audio sent before it); decode errors are reported as `bad_audio` and the stream goes on. The bytes
   * waiting for the decoder are bounded.
   */
  private writeContainerBytes(buf: Buffer): void {
    if (this.containerPendingBytes + buf.byteLength > MAX_CONTAINER_PENDING_BYTES) {
      throw new SessionError(
        'rate_limited',
        `more than ${MAX_CONTAINER_PENDING_BYTES} bytes are waiting to be decoded; this chunk was dropped`,
      );
    }
    this.containerPendingBytes += buf.byteLength;
    this.containerDecoder ??= createContainerStreamDecoder(this.cfg.encoding as StreamContainer);
    const decoder = this.containerDecoder;
    void this.enqueue(async () => {
      this.containerPendingBytes -= buf.byteLength;
      if (this.state === 'closed') return;
      const r = await (await decoder).push(buf);
      if (r && !this.isClosed) this.writeDecoded(r.samples, r.sampleRate); // closed while decoding: dropped
    }).catch((err) => this.reportAudioError(err));
  }

  /**
   * Decoded container audio: its own rate replaces the configured one, until the engine stream exists. Audio
   * sent before `end` is decoded after it (state 'ending') and still goes to the engine.
   */
  private writeDecoded(samples: Float32Array, sampleRate: number): void {
    if (!this.stream) this.cfg.sampleRate = sampleRate;
    else if (sampleRate !== this.cfg.sampleRate)
      throw new SessionError('bad_audio', `the stream's sample rate changed from ${this.cfg.sampleRate} to ${sampleRate} Hz`);
    if (this.state === 'open') return this.writeSamples(samples);
    this.audioMs += (samples.length * 1000) / this.cfg.sampleRate;
    this.ensureStream().write(samples);
    this.recording?.write(samples, this.cfg.sampleRate);
  }

  private reportAudioError(err: unknown): void {
    if (err instanceof AudioFormatError) this.sendError('bad_audio', err.message);
    else if (err instanceof SessionError) this.sendError(err.code, err.message);
    else this.sendError('internal', err instanceof Error ? err.message : String(err));
  }

  /** At end: the container decoder's last samples go to the engine before the final flush. */
  private async drainContainer(): Promise<void> {
    const decoder = this.containerDecoder;
    if (!decoder) return;
    this.containerDecoder = null;
    try {
      const tail = await (await decoder).end();
      if (tail && tail.samples.length) this.writeDecoded(tail.samples, tail.sampleRate);
    } catch (err) {
      this.reportAudioError(err);
    }
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
    this.recording?.write(samples, this.cfg.sampleRate);
  }

  /**
   * Resolves once at most `maxPendingMs` of written audio waits to be decoded (writers of whole files pace on it;
   * 0 = everything written so far is decoded).
   */
  drained(maxPendingMs = 0): Promise<void> {
    return this.stream ? this.stream.drained(maxPendingMs) : Promise.resolve();
  }

  /** Audio written but not decoded yet (ms): with the audio written, how far decoding has got (file progress). */
  get pendingMs(): number {
    return this.stream?.pendingMs ?? 0;
  }

  /**
   * End the current utterance now; resolves with its final message (null when nothing was recognized). Every
   * flush is then acknowledged with `flushed` (naming the final's segment, or null), so a flush over silence
   * is never left unanswered.
   */
  flush(): Promise<FinalTranscript | null> {
    this.requireOpen();
    const requestedAt = this.now();
    return this.enqueue(async () => {
      if (this.state === 'closed') return null;
      let msg: FinalTranscript | null = null;
      if (this.stream) {
        this.flushRequestedAt = requestedAt;
        try {
          const final = await this.stream.flush();
          msg = final ? this.emitFinal(final, requestedAt) : null;
        } finally {
          this.flushRequestedAt = null;
        }
      }
      if (!this.isClosed) this.send({ type: 'flushed', segment: msg ? msg.segment : null, at_ms: Math.round(this.audioMs) });
      return msg;
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
      await this.drainContainer();
      if (this.stream) {
        this.flushRequestedAt = requestedAt;
        const final = await this.stream.close();
        if (final) this.emitFinal(final, requestedAt);
      }
      if (this.wavHeaderBuf?.byteLength) {
        // The client said it was done before a WAV header was complete: say so, rather than end "successfully"
        // with nothing transcribed.
        this.sendError(
          'bad_audio',
          `encoding=wav: the stream ended before the WAV header was complete (${this.wavHeaderBuf.byteLength} bytes received, no "data" chunk found); nothing was transcribed`,
        );
        this.wavHeaderBuf = null;
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
        void this.containerDecoder?.then((d) => d.free()).catch(() => undefined);
        this.containerDecoder = null;
      }
    }) as Promise<void>;
  }

  /**
   * Stop at once, without waiting for the engine: a server stop that ran out of time, or a client that abandoned
   * a file transcription. Audio not yet decoded is dropped, the stored session is marked interrupted (finals
   * already stored stay), and from now on nothing is emitted or stored (the store may be about to close).
   */
  cancel(): void {
    if (this.cancelled) return;
    if (this.state !== 'closed') this.finishStored('interrupted');
    this.cancelled = true;
    this.close();
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
    const unknown = Object.keys(input).filter((k) => !CONFIG_KEYS.has(k) && k !== 'type');
    if (unknown.length) {
      throw new SessionError(
        'bad_config',
        `unknown config key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}; known keys: ${[...CONFIG_KEYS].join(', ')}`,
      );
    }
    const parsed = AsrConfigFields.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SessionError('bad_config', `invalid ${issue.path.join('.') || 'config'}: ${issue.message}`);
    }
    const f = parsed.data;
    if (f.multichannel || (f.channels !== undefined && f.channels !== 1)) {
      // The WebSocket paths split or mix several channels before they reach a session (multichannel-asr-session.ts).
      throw new SessionError(
        'bad_config',
        'this transport takes mono audio only (channels=1); multichannel streams are served over WebSocket',
      );
    }
    const c = this.cfg;
    if (f.sample_rate !== undefined) c.sampleRate = f.sample_rate;
    if (f.encoding !== undefined) c.encoding = f.encoding;
    if (f.language !== undefined) c.language = f.language;
    if (f.model !== undefined) c.model = f.model;
    if (f.two_pass !== undefined) c.twoPass = f.two_pass;
    if (f.interim_results !== undefined) c.interimResults = f.interim_results;
    if (f.endpointing !== undefined) c.endpointing = f.endpointing;
    if (f.punctuate !== undefined) c.punctuate = f.punctuate;
    if (f.words !== undefined) c.words = f.words;
    if (f.session !== undefined) c.session = f.session;
    if (f.source !== undefined) c.source = f.source;
    if (f.vocabulary !== undefined) {
      const words = (typeof f.vocabulary === 'string' ? f.vocabulary.split(/[,\n]/) : f.vocabulary).map((w) => w.trim()).filter(Boolean);
      if (words.length > MAX_VOCABULARY_WORDS)
        throw new SessionError('bad_config', `at most ${MAX_VOCABULARY_WORDS} custom words, got ${words.length}`);
      const long = words.find((w) => w.length > MAX_VOCABULARY_WORD_CHARS);
      if (long)
        throw new SessionError('bad_config', `custom word "${long.slice(0, 20)}…" is longer than ${MAX_VOCABULARY_WORD_CHARS} characters`);
      this.vocabulary = words;
    }
    if (f.replacements !== undefined) {
      try {
        this.replace = compileReplacements(parseReplacements(f.replacements));
      } catch (err) {
        if (err instanceof ReplacementListError) throw new SessionError('bad_config', `invalid replacements: ${err.message}`);
        throw err;
      }
    }
    if (f.record !== undefined) c.record = f.record;
    if (c.record && c.session === 'none')
      throw new SessionError('bad_config', 'record=true keeps the audio with a stored session: use it with session=new or a session id');
    // (Without any store, the store_disabled warning already says nothing, audio included, is kept.)
    if (c.record && this.opts.store && !this.opts.recordingsDir)
      throw new SessionError('bad_config', 'this server keeps no recordings (it has no transcript store on disk); leave record off');
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

  /** The language asked for, else the recognizer's own. */
  private streamLanguage(): string {
    return this.cfg.language ?? this.asrEngine?.language ?? '*';
  }

  /**
   * Custom words against the chosen model: a word it cannot take is bad_config (named); a model that cannot be
   * biased at all gets a warning (once), and the session goes on with the replacement list only.
   */
  private checkVocabulary(): void {
    const engine = this.asrEngine;
    if (!engine || !this.vocabulary.length) return;
    if (engine.checkVocabulary) {
      try {
        engine.checkVocabulary(this.vocabulary);
      } catch (err) {
        throw new SessionError('bad_config', err instanceof Error ? err.message : String(err));
      }
      return;
    }
    if (this.warnedVocabulary) return;
    this.warnedVocabulary = true;
    const warning: WarningMessage = {
      type: 'warning',
      code: 'vocabulary_unsupported',
      message: `model "${engine.modelId}" cannot be biased toward custom words (only sherpa transducers with hotwords can); use the replacement list (replacements=wrong=>right) to fix words it mishears`,
    };
    if (this.state === 'new') this.pendingWarnings.push(warning);
    else this.send(warning);
  }

  private warnedVocabulary = false;

  private resolveEngine(): AsrEngine {
    try {
      return this.opts.engine.asr({ model: this.cfg.model, language: this.cfg.language, twoPass: this.cfg.twoPass });
    } catch (err) {
      const code = wsErrorCodeOf(err);
      throw new SessionError(code, err instanceof Error ? err.message : String(err));
    }
  }

  private openStoredSession(): void {
    const want = this.cfg.session;
    if (want === 'none') return;
    const store = this.opts.store;
    if (!store) {
      // Captions still work; they are just not saved. Said once, as a warning, not an error that stops the stream.
      const warning: WarningMessage = {
        type: 'warning',
        code: 'store_disabled',
        message: `session=${want} asked to save the transcript, but this server runs without a transcript store (--no-store): captions are not saved`,
      };
      if (this.state === 'new') this.pendingWarnings.push(warning);
      else this.send(warning);
      return;
    }
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
    this.timeBaseMs = existing.durationMs;
  }

  private finishStored(status: 'complete' | 'interrupted'): void {
    void this.recording?.close();
    if (this.storedId === null || !this.opts.store || this.cancelled || !this.ownsStored) return;
    try {
      this.opts.store.endSession(this.storedId, status);
    } catch (err) {
      this.sendError('internal', `could not end the stored session: ${(err as Error).message}`);
    }
  }

  private ensureStream(): AsrStream {
    if (this.stream) return this.stream;
    const engine = this.asrEngine!;
    const stream = engine.createStream({
      sampleRate: this.cfg.sampleRate,
      endpointingMs: this.cfg.endpointing,
      batch: this.opts.batch ?? false,
      ...(this.vocabulary.length && engine.checkVocabulary ? { hotwords: this.vocabulary } : {}),
    });
    const offset = this.timeBaseMs + this.audioMs;
    this.offsetOf.set(stream, offset);
    // The recording starts with the first audio, where this connection's timeline starts.
    if (this.cfg.record && this.storedId && this.opts.recordingsDir && !this.recording && !this.cancelled)
      this.recording = new SessionRecording(this.opts.recordingsDir, this.storedId, this.timeBaseMs);
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
  private emitFinal(
    f: AsrFinal,
    since: number,
    offset = this.stream ? (this.offsetOf.get(this.stream) ?? this.timeBaseMs) : this.timeBaseMs,
  ): FinalTranscript | null {
    if (this.cancelled) return null;
    const key = `${f.startMs}|${f.endMs}|${f.text}`;
    // Already sent (as an event and again as flush()'s result): answer with the message that went out.
    if (this.emitted.has(f)) return this.emitted.get(f)!;
    if (key === this.lastFinal.key) return this.lastFinal.msg;
    this.lastInterim = '';
    // Finals carry the engine's punctuated form when it has a punctuation model; interims stay raw.
    const text = this.replace((this.cfg.punctuate && f.punctuatedText ? f.punctuatedText : f.text).trim());
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
      language: f.language ?? this.streamLanguage(),
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
          track: this.opts.track ?? this.cfg.source,
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
    if (this.cancelled) return;
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
