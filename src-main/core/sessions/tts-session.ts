// One live TTS conversation, independent of the transport (WebSocket, gRPC StreamingSynthesize, in-app).
//
// Requests are served strictly in order, one at a time, many per session:
// - one-shot `speak(text)`: a complete request;
// - incremental `append(text)` … `flush()`: text is cut into sentences (SentenceBuffer) and each sentence is
//   spoken as soon as it is complete, while later text is still arriving; `flush` speaks the rest and ends
//   the request (`synthesis_complete`), `finish` does the same and then ends the session.
// `cancel()` (barge-in) aborts the synthesis in progress, drops buffered text and every queued request, and
// answers `cancelled`; nothing of the cancelled requests is emitted afterwards.
//
// Output: `message` events (wire JSON) and `audio` events (encoded bytes of one request; a chunk never mixes
// two requests), bracketed by `synthesis_started` and `synthesis_complete`.
import { EventEmitter } from 'node:events';
import {
  TTS_LIMITS,
  TtsOptionFields,
  type ErrorCode,
  type TtsAppendMessage,
  TTS_CLIENT_TYPES,
  type TtsFormat,
  type TtsServerMessage,
  type TtsSpeakMessage,
} from '../../../proto/ws-messages.js';
import { StreamingResampler, float32ToF32le, float32ToS16le, wavHeader } from '../audio/index.js';
import { languageFromScript } from '../engine/index.js';
import { SentenceBuffer, checkPieces, quickStart, requestSentences } from '../engine/index.js';
import type { Engine, Synthesizer, TtsVoice } from '../engine/index.js';
import { wsErrorCodeOf } from '../errors.js';
import { SessionError } from './session-error.js';
import type { SessionMetrics } from './session-metrics.js';

export interface TtsOptions {
  /** An installed voice's id; undefined = chosen for the text's language (its script when no `language`). */
  voice?: string;
  /** The installed voice `voice` names, looked up once when these options were resolved (set by the session). */
  resolvedVoice?: TtsVoice;
  /** A voice the client named that is not installed (voiceFallback sessions): served by another, with a warning. */
  missingVoice?: string;
  language?: string;
  format: TtsFormat;
  /** Output rate; undefined = the voice's native rate. */
  sampleRate?: number;
  speed: number;
}

export interface TtsSessionOptions {
  engine: Engine;
  /** Defaults for every request (a `config` message changes them for what follows). */
  defaults?: Partial<TtsOptions>;
  /** Most characters per request (one-shot text, or an incremental request's appends together). Default 100k. */
  maxTextChars?: number;
  /** Most requests waiting or in progress on this session; more get `rate_limited`. Default 16. */
  maxQueuedRequests?: number;
  /**
   * Most characters of text held by this session (requests waiting or in progress, appends buffered); more
   * get `rate_limited`. Default 200k: one connection cannot park megabytes of text in the server.
   */
  maxQueuedChars?: number;
  metrics?: SessionMetrics;
  /**
   * Called before each audio chunk is emitted; a transport with a full send buffer returns a promise that
   * resolves once it has drained (TTS audio is never dropped, so production waits instead).
   */
  waitForDrain?: () => Promise<void> | void;
  now?: () => number;
  /**
   * A voice name that is not installed: true = speak with the best installed voice for the text's language and
   * send a `warning` naming it (WebSocket clients written for other servers name their own voices, e.g. "Yara");
   * false (default) = a `bad_config` error.
   */
  voiceFallback?: boolean;
}

export interface TtsAudioChunk {
  requestId: string;
  /** Encoded in the request's format (the first chunk of a `wav` request starts with the header). */
  bytes: Buffer;
  sampleRate: number;
  format: TtsFormat;
  /** Samples in this chunk. */
  samples: number;
  /** 0-based index of the chunk within its request. */
  sequence: number;
}

export interface TtsSessionEvents {
  message: (msg: TtsServerMessage) => void;
  audio: (chunk: TtsAudioChunk) => void;
  /** After `finish`: the last request's audio and `synthesis_complete` have been emitted. */
  finished: () => void;
}

interface Request {
  id: string;
  options: TtsOptions;
  /** Text pieces ready to speak (sentences), in order. */
  pieces: string[];
  /** No more pieces will come. */
  complete: boolean;
  incremental: boolean;
  chars: number;
  /** Wall time the first piece became speakable (TTFA counts from it). */
  speakableAt: number | null;
  /** Wakes the worker when a piece arrives or the request completes. */
  wake: (() => void) | null;
  /** The language the text's script suggests (picks the voice when none is named). */
  scriptLanguage?: string;
}

/** Audio goes out in frames of at most this long, so a cancel or a slow client takes effect between frames. */
const MAX_FRAME_SECONDS = 0.25;

export class TtsSession extends EventEmitter {
  private readonly opts: TtsSessionOptions;
  private readonly now: () => number;
  private readonly maxChars: number;
  private readonly maxQueuedRequests: number;
  private readonly maxQueuedChars: number;
  private defaults: TtsOptions;
  private readonly queue: Request[] = [];
  /** The incremental request receiving appends, if any. */
  private open: Request | null = null;
  private readonly sentences = new SentenceBuffer();
  private current: { req: Request; abort: AbortController } | null = null;
  private running = false;
  private finishing = false;
  private closed = false;
  private nextId = 1;
  /** Bumped by cancel(): work started before it must not emit anything. */
  private generation = 0;

  constructor(opts: TtsSessionOptions) {
    super();
    this.opts = opts;
    this.now = opts.now ?? (() => performance.now());
    this.maxChars = opts.maxTextChars ?? TTS_LIMITS.maxTextChars;
    this.maxQueuedRequests = opts.maxQueuedRequests ?? 16;
    this.maxQueuedChars = opts.maxQueuedChars ?? 200_000;
    this.defaults = { format: 'pcm', speed: 1, ...opts.defaults };
  }

  override on<E extends keyof TtsSessionEvents>(event: E, listener: TtsSessionEvents[E]): this {
    return super.on(event, listener);
  }

  get isClosed(): boolean {
    return this.closed;
  }
  /** Requests waiting or in progress. */
  get pending(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }
  /** Characters of text held by requests waiting or in progress (what `maxQueuedChars` bounds). */
  get queuedChars(): number {
    let n = this.current && !this.queue.includes(this.current.req) ? this.current.req.chars : 0;
    for (const r of this.queue) n += r.chars;
    return n;
  }

  /**
   * Dispatch one client message (a parsed JSON object; its fields are checked here, by name). Throws SessionError
   * for bad requests (the session goes on). Every transport that takes TTS messages drives the session through this.
   */
  handle(msg: { type?: unknown } & Record<string, unknown>): void {
    switch (msg.type) {
      case undefined:
      case 'speak':
        if (typeof msg.text !== 'string') throw new SessionError('bad_json', 'a request needs a "text" string (or a "type")');
        this.speak(msg as TtsSpeakMessage);
        return;
      case 'append':
      case 'appendText':
        return this.append(msg as TtsAppendMessage);
      case 'flush':
        return this.flush();
      case 'finish':
        return this.finish();
      case 'cancel':
        return this.cancel();
      case 'config': {
        const { type: _type, ...fields } = msg;
        return this.configure(fields);
      }
      default:
        throw new SessionError('bad_json', `unknown message type "${String(msg.type)}"; expected one of ${TTS_CLIENT_TYPES.join(', ')}`);
    }
  }

  /** Set voice/format/sample_rate/speed for the requests that follow. An unknown key is bad_config, by name. */
  configure(fields: Record<string, unknown>): void {
    this.requireOpen();
    const unknown = Object.keys(fields).filter((k) => !(k in TtsOptionFields.shape) && k !== 'type');
    if (unknown.length) {
      throw new SessionError(
        'bad_config',
        `unknown config key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}; known keys: ${Object.keys(TtsOptionFields.shape).join(', ')}`,
      );
    }
    this.defaults = this.resolveOptions(fields, this.defaults);
  }

  /**
   * A complete one-shot request. Returns its request id. `pieces`: the text already cut by requestSentences (a
   * transport that needs each piece's own audio, e.g. ElevenLabs with-timestamps), spoken as given; otherwise the
   * text is cut here, its first piece kept short for a quick start.
   */
  speak(msg: { text: string; request_id?: string } & Record<string, unknown>, pieces?: readonly string[]): string {
    this.requireOpen();
    const text = msg.text;
    if (typeof text !== 'string' || !text.trim()) throw new SessionError('bad_config', 'text is empty; nothing to synthesize');
    if (text.length > this.maxChars) {
      throw new SessionError('too_large', `text has ${text.length} characters; the limit per request is ${this.maxChars}`);
    }
    checkRequestId(msg.request_id);
    this.checkQueueRoom(text.length, true);
    const options = this.resolveOptions(msg, this.defaults);
    const req = this.newRequest(msg.request_id, options, false);
    req.scriptLanguage = languageFromScript(text);
    // The text's one cut (the synthesizer is handed these pieces one by one and never cuts them again); the first
    // piece is kept short so the first audio comes soon.
    req.pieces.push(...(pieces ? checkPieces(pieces) : requestSentences(text, undefined, { quickStart: true })));
    req.chars = text.length;
    req.complete = true;
    req.speakableAt = this.now();
    this.enqueue(req);
    return req.id;
  }

  /** Incremental text; sentences are spoken as soon as they are complete. */
  append(msg: { text: string; request_id?: string } & Record<string, unknown>): void {
    this.requireOpen();
    if (typeof msg.text !== 'string') throw new SessionError('bad_json', 'append needs a "text" string');
    checkRequestId(msg.request_id);
    let req = this.open;
    if ((req?.chars ?? 0) + msg.text.length > this.maxChars) {
      throw new SessionError(
        'too_large',
        `${req ? `request ${req.id}` : 'this append'} would exceed ${this.maxChars} characters of text; flush first`,
      );
    }
    this.checkQueueRoom(msg.text.length, !req);
    if (!req) {
      req = this.newRequest(msg.request_id, this.resolveOptions(msg, this.defaults), true);
      // An incremental request's voice follows the script of its first text.
      req.scriptLanguage = languageFromScript(msg.text);
      this.open = req;
      this.enqueue(req);
    }
    req.chars += msg.text.length;
    this.addPieces(req, this.sentences.append(msg.text));
  }

  /** Speak everything buffered now and end the incremental request (its `synthesis_complete` follows). */
  flush(): void {
    this.requireOpen();
    const req = this.open;
    if (!req) return;
    const rest = this.sentences.flush();
    if (rest) this.addPieces(req, [rest]);
    this.open = null;
    req.complete = true;
    req.wake?.();
  }

  /** Flush, then emit `finished` after the last request's audio. */
  finish(): void {
    this.requireOpen();
    this.flush();
    this.finishing = true;
    if (!this.running) this.endFinished();
  }

  /** Barge-in: stop at once, drop buffered text and queued requests, answer `cancelled`. */
  cancel(): void {
    this.requireOpen();
    this.generation++;
    const requestId = this.current?.req.id ?? this.queue[0]?.id ?? this.open?.id;
    this.current?.abort.abort();
    this.current?.req.wake?.();
    this.queue.length = 0;
    this.open = null;
    this.sentences.clear();
    this.send(requestId ? { type: 'cancelled', request_id: requestId } : { type: 'cancelled' });
  }

  /** The client went away: abort everything, emit nothing more. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.current?.abort.abort();
    this.current?.req.wake?.();
    this.queue.length = 0;
    this.open = null;
    this.sentences.clear();
  }

  // ------------------------------------------------------------------------------------------------------

  private requireOpen(): void {
    if (this.closed) throw new SessionError('bad_config', 'the TTS session is closed');
    if (this.finishing) throw new SessionError('bad_config', 'the session is finishing; no more requests are accepted');
  }

  /** Refuse (rate_limited) text that would take this session past its queue bounds; nothing is queued then. */
  private checkQueueRoom(chars: number, newRequest: boolean): void {
    if (newRequest && this.pending >= this.maxQueuedRequests) {
      throw new SessionError(
        'rate_limited',
        `${this.pending} requests are already waiting on this connection (limit ${this.maxQueuedRequests}); wait for a synthesis_complete before sending more`,
      );
    }
    const held = this.queuedChars;
    if (held + chars > this.maxQueuedChars) {
      throw new SessionError(
        'rate_limited',
        `this connection already holds ${held} characters of text to speak; ${chars} more would pass the limit of ${this.maxQueuedChars}; wait for audio to be produced`,
      );
    }
  }

  private newRequest(requestId: unknown, options: TtsOptions, incremental: boolean): Request {
    return {
      id: checkRequestId(requestId) ?? `r${this.nextId++}`,
      options,
      pieces: [],
      complete: false,
      incremental,
      chars: 0,
      speakableAt: null,
      wake: null,
    };
  }

  private addPieces(req: Request, pieces: string[]): void {
    if (!pieces.length) return;
    req.pieces.push(...(req.speakableAt === null ? quickStart(pieces) : pieces));
    req.speakableAt ??= this.now();
    req.wake?.();
  }

  private resolveOptions(fields: Record<string, unknown>, base: TtsOptions): TtsOptions {
    const parsed = TtsOptionFields.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SessionError('bad_config', `invalid ${issue.path.join('.') || 'request'}: ${issue.message}`);
    }
    const f = parsed.data;
    const out: TtsOptions = {
      voice: base.voice,
      resolvedVoice: base.resolvedVoice,
      missingVoice: base.missingVoice,
      language: f.language ?? base.language,
      format: f.format ?? base.format,
      sampleRate: f.sample_rate ?? base.sampleRate,
      speed: f.speed ?? base.speed,
    };
    // The voice these options speak with, looked up once (a request keeps it: serve() does not look it up again).
    if (f.voice !== undefined) {
      out.missingVoice = undefined;
      out.resolvedVoice = undefined;
      if (f.voice.toLowerCase() === 'default')
        out.voice = undefined; // "default" is a voice: the language's default
      else {
        out.resolvedVoice = this.lookupVoice(f.voice);
        if (out.resolvedVoice) out.voice = out.resolvedVoice.id;
        else if (this.opts.voiceFallback) [out.voice, out.missingVoice] = [undefined, f.voice];
        else throw this.unknownVoice(f.voice);
      }
    } else if (out.voice !== undefined) out.resolvedVoice ??= this.findVoice(out.voice); // a default given by id
    // Fails now (bad_config / model_unavailable) rather than when the request is spoken.
    if (out.voice !== undefined || f.language !== undefined) this.synthesizerFor(out.resolvedVoice, out.language);
    return out;
  }

  private lookupVoice(name: string): TtsVoice | undefined {
    const voices = this.opts.engine.voices();
    return voices.find((x) => x.id === name) ?? voices.find((x) => x.name.toLowerCase() === name.toLowerCase());
  }

  /**
   * The installed voice for a language: one of the synthesizer the engine picks for it, exact language first,
   * then the same base language (`ar` for `ar-EG`); undefined when none declares it.
   */
  private voiceForLanguage(language: string): TtsVoice | undefined {
    let synth: Synthesizer;
    try {
      synth = this.opts.engine.tts({ language });
    } catch {
      return undefined;
    }
    const lang = language.toLowerCase().replace('_', '-');
    const base = lang.split('-')[0]!;
    const voices = synth.voices().filter((v) => !v.fixture);
    return (
      voices.find((v) => v.language.toLowerCase() === lang) ??
      (base === 'en' ? voices.find((v) => v.language.toLowerCase() === 'en-us') : undefined) ??
      voices.find((v) => v.language.toLowerCase() === base) ??
      voices.find((v) => v.language.toLowerCase().startsWith(base + '-'))
    );
  }

  /**
   * The options a request is spoken with: a named voice as is; otherwise the voice of the request's language,
   * or of its text's script, when one is installed (else the engine's default for the language), so that
   * `synthesis_started` and warnings name the voice actually speaking.
   */
  private effectiveOptions(req: Request): TtsOptions {
    const o = req.options;
    if (o.voice) return o;
    // Latin script or no letters: English, the engine's own default language.
    const language = o.language ?? req.scriptLanguage ?? 'en';
    const voice = this.voiceForLanguage(language);
    return voice ? { ...o, voice: voice.id, resolvedVoice: voice } : o;
  }

  /** The installed voice with this id or name; an unknown one is bad_config naming some that exist. */
  private findVoice(name: string): TtsVoice {
    const v = this.lookupVoice(name);
    if (!v) throw this.unknownVoice(name);
    return v;
  }

  private unknownVoice(name: string): SessionError {
    const some = this.opts.engine
      .voices()
      .filter((x) => !x.fixture)
      .slice(0, 8)
      .map((x) => x.id);
    return new SessionError(
      'bad_config',
      `unknown voice "${name}"${some.length ? `; installed voices include ${some.join(', ')}` : ''} (GET /v1/voices lists all)`,
    );
  }

  /** The synthesizer for a resolved voice (its backend) or, with none, the engine's choice for the language. */
  private synthesizerFor(voice: TtsVoice | undefined, language: string | undefined): Synthesizer {
    try {
      return this.opts.engine.tts({ voice: voice?.id, language, backend: voice?.backend });
    } catch (err) {
      if (err instanceof SessionError) throw err;
      const code = wsErrorCodeOf(err);
      throw new SessionError(code, err instanceof Error ? err.message : String(err));
    }
  }

  private enqueue(req: Request): void {
    this.queue.push(req);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length && !this.closed) {
        const req = this.queue.shift()!;
        await this.serve(req);
      }
    } finally {
      this.running = false;
    }
    if (this.finishing && !this.closed) this.endFinished();
  }

  private endFinished(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('finished');
  }

  /** Speak one request, piece by piece, waiting for more pieces while it is incremental and open. */
  private async serve(req: Request): Promise<void> {
    const gen = this.generation;
    const abort = new AbortController();
    this.current = { req, abort };
    const stale = () => gen !== this.generation || this.closed;
    let synth: Synthesizer;
    let voice: TtsVoice | undefined;
    try {
      // Incremental requests: the first text decides the voice, so wait for it.
      while (req.incremental && req.scriptLanguage === undefined && !req.pieces.length && !req.complete && !stale()) {
        await new Promise<void>((resolve) => (req.wake = resolve));
        req.wake = null;
      }
      if (stale()) return;
      req.scriptLanguage ??= req.pieces.length ? languageFromScript(req.pieces.join(' ')) : undefined;
      const options = this.effectiveOptions(req);
      voice = options.resolvedVoice;
      synth = this.synthesizerFor(voice, options.language);
      if (options.missingVoice) {
        const used = voice ? `${voice.id} (${voice.name})` : 'the default voice';
        this.send({
          type: 'warning',
          code: 'voice_fallback',
          request_id: req.id,
          requested_voice: options.missingVoice,
          voice: voice?.id ?? 'default',
          message:
            `voice "${options.missingVoice}" is not installed; speaking with ${used}, the best installed voice for this text` +
            ` (GET /v1/voices lists the installed voices)`,
        });
      }
    } catch (err) {
      this.current = null;
      if (!stale()) this.sendError(err, req.id);
      return;
    }
    let resampler: StreamingResampler | null = null;
    let outRate = 0;
    let sequence = 0;
    let samples = 0;
    let firstAudioAt: number | null = null;
    let synthMs = 0;
    const started = this.now();
    /** Fix the output rate (the asked one, else the voice's) and announce the request; once, before its audio. */
    const start = (voiceRate: number) => {
      outRate = req.options.sampleRate ?? voiceRate;
      this.send({
        type: 'synthesis_started',
        request_id: req.id,
        sample_rate: outRate,
        format: req.options.format,
        voice: voice?.id ?? req.options.voice ?? 'default',
      });
    };
    /** `resampled`: already at the output rate (the resampler's tail). */
    const emitAudio = async (pcm: Float32Array, rate: number, resampled = false): Promise<boolean> => {
      if (!outRate) {
        start(rate);
        if (outRate !== rate) resampler = new StreamingResampler(rate, outRate);
      }
      const out = resampler && !resampled ? (resampler as StreamingResampler).process(pcm) : pcm;
      const step = Math.max(1, Math.round(outRate * MAX_FRAME_SECONDS));
      for (let o = 0; o < out.length; o += step) {
        // Yield to the event loop between frames: a `cancel` that has arrived is handled before the next one.
        if (o > 0) await new Promise((r) => setImmediate(r));
        await this.opts.waitForDrain?.();
        if (stale()) return false;
        const part = out.subarray(o, Math.min(out.length, o + step));
        let bytes = req.options.format === 'f32' ? float32ToF32le(part) : float32ToS16le(part);
        if (req.options.format === 'wav' && sequence === 0) bytes = Buffer.concat([wavHeader({ sampleRate: outRate }), bytes]);
        if (firstAudioAt === null) {
          firstAudioAt = this.now();
          this.opts.metrics?.timeToFirstAudio(firstAudioAt - (req.speakableAt ?? started));
        }
        samples += part.length;
        this.emit('audio', {
          requestId: req.id,
          bytes,
          sampleRate: outRate,
          format: req.options.format,
          samples: part.length,
          sequence: sequence++,
        } satisfies TtsAudioChunk);
      }
      return true;
    };
    try {
      for (;;) {
        if (stale()) return;
        const piece = req.pieces.shift();
        if (piece === undefined) {
          if (req.complete) break;
          await new Promise<void>((resolve) => (req.wake = resolve));
          req.wake = null;
          continue;
        }
        const t0 = this.now();
        for await (const chunk of synth.synthesize(
          { pieces: [piece], voice: voice?.id, language: req.options.language, speed: req.options.speed },
          abort.signal,
        )) {
          if (stale()) return;
          if (!(await emitAudio(chunk.samples, chunk.sampleRate))) return;
        }
        synthMs += this.now() - t0;
      }
      if (stale()) return;
      if (resampler) {
        const tail = (resampler as StreamingResampler).flush();
        if (tail.length && !(await emitAudio(tail, outRate, true))) return;
      }
      if (stale()) return;
      if (!outRate) {
        // Nothing was produced (e.g. text of punctuation only): still a complete, empty request.
        start(voice?.sampleRate ?? 16000);
      }
      const durationMs = (samples * 1000) / outRate;
      if (durationMs > 0) this.opts.metrics?.realtimeFactor('tts', synthMs / durationMs);
      this.send({
        type: 'synthesis_complete',
        request_id: req.id,
        duration_ms: Math.round(durationMs),
        ttfa_ms: firstAudioAt === null ? 0 : Math.round(firstAudioAt - (req.speakableAt ?? started)),
        samples,
        sample_rate: outRate,
      });
    } catch (err) {
      if (!stale()) this.sendError(err, req.id);
    } finally {
      if (this.current?.req === req) this.current = null;
    }
  }

  private send(msg: TtsServerMessage): void {
    this.emit('message', msg);
  }

  private sendError(err: unknown, requestId?: string): void {
    // Every coded error keeps its code (a TtsRequestError's too_large too); anything else is internal.
    const code: ErrorCode = wsErrorCodeOf(err);
    const message = err instanceof Error ? err.message : String(err);
    this.opts.metrics?.error(code);
    this.send(requestId ? { type: 'error', code, message, request_id: requestId } : { type: 'error', code, message });
  }
}

/** Longest `request_id` accepted (it is echoed in every message of the request). */
export const MAX_REQUEST_ID_CHARS = 200;

/**
 * A client's `request_id` is echoed back verbatim, so only a short string is accepted: any other JSON type
 * (number, object, array…) is `bad_json` rather than echoed as whatever it was. Returns it, or undefined if absent.
 */
export function checkRequestId(id: unknown): string | undefined {
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_REQUEST_ID_CHARS) {
    throw new SessionError(
      'bad_json',
      `"request_id" must be a non-empty string of at most ${MAX_REQUEST_ID_CHARS} characters (got ${id === null ? 'null' : Array.isArray(id) ? 'an array' : typeof id})`,
    );
  }
  return id;
}
