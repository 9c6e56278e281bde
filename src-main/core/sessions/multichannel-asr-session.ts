// A live ASR stream whose audio may have several interleaved channels (`channels=N`), as the WebSocket paths
// (Earshot's own and Deepgram's listen socket) accept it:
// - one channel: exactly one AsrSession, every call and message passed through unchanged;
// - `channels=N` without `multichannel`: the channels are averaged into one mono AsrSession (what a single
//   transcript of a stereo recording means);
// - `channels=N&multichannel=true`: one AsrSession per channel ("lane"), each with its own engine stream,
//   decoder, endpointing and admission slot. Their messages carry `channel: i`; their finals are stored in one
//   stored session (owned here), each lane on its own track `ch0`, `ch1`…
// Interleaved frames are split here (raw s16le/f32le, a WAV stream whose header agrees, or JSON float arrays);
// compressed containers are refused for several channels, since their decoders mix down.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  AsrConfigFields,
  type AsrServerMessage,
  type FinalTranscript,
  type ReadyMessage,
  type SessionCompleteMessage,
} from '../../../proto/ws-messages.js';
import { AudioFormatError, f32leToFloat32, parseWavHeader, s16leToFloat32 } from '../audio/index.js';
import { AsrSession, type AsrConfig, type AsrSessionOptions } from './asr-session.js';
import { SessionError } from './session-error.js';

/** Largest WAV header waited for before the stream is refused. */
const MAX_WAV_HEADER_BYTES = 64 * 1024;

/** Encodings whose interleaved frames can be split here. */
const SPLITTABLE = new Set(['pcm_s16le', 'pcm_f32le', 'wav']);

type Mode = 'mono' | 'mix' | 'split';

export class MultichannelAsrSession extends EventEmitter {
  readonly id = randomUUID();
  private readonly opts: AsrSessionOptions;
  private initial: Record<string, unknown>;
  private mode: Mode = 'mono';
  private channels = 1;
  private lanes: AsrSession[] = [];
  private state: 'new' | 'open' | 'closed' = 'new';
  private encoding: 'pcm_s16le' | 'pcm_f32le' | 'wav' = 'pcm_s16le';
  /** Bytes of a partial interleaved frame carried to the next write; WAV header bytes before the data chunk. */
  private carry: Buffer = Buffer.alloc(0);
  private wavHeader: Buffer | null = null;
  private wavFloat = false;
  private storedId: string | null = null;
  private storedEnded = false;
  private lanesClosed = 0;
  /** Set while end() runs: `closed` waits for the stream's own `session_complete`. */
  private ending: Promise<SessionCompleteMessage> | null = null;

  constructor(opts: AsrSessionOptions) {
    super();
    this.opts = opts;
    this.initial = { ...(opts.config ?? {}) };
  }

  override on(event: 'message', listener: (msg: AsrServerMessage) => void): this;
  override on(event: 'closed', listener: () => void): this;
  /** Admission shed a lane (the server fell behind real time): the listener tells the client and ends the stream. */
  override on(event: 'shed', listener: (message: string) => void): this;
  override on(event: string, listener: Parameters<EventEmitter['on']>[1]): this {
    return super.on(event, listener);
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }
  /** Why admission shed this stream (one of its lanes), or null. */
  get shedReason(): string | null {
    for (const lane of this.lanes) if (lane.shedReason) return lane.shedReason;
    return null;
  }

  /** A lane was shed: the whole stream ends (a listener says why first), so no channel goes on alone. */
  private laneShed(message: string): void {
    if (!this.emit('shed', message)) void this.end().catch(() => undefined);
  }
  get storedSessionId(): string | null {
    return this.mode === 'split' ? this.storedId : (this.lanes[0]?.storedSessionId ?? null);
  }
  /** Channels in the input (1 unless `channels` was given). */
  get channelCount(): number {
    return this.channels;
  }
  /** Transcripts per input: 1, or one per channel with `multichannel=true`. */
  get laneCount(): number {
    return this.mode === 'split' ? this.channels : 1;
  }
  get config(): Readonly<AsrConfig> | null {
    return this.lanes[0]?.config ?? null;
  }

  mergeInitialConfig(fields: Record<string, unknown>): void {
    if (this.state !== 'new') throw new Error('mergeInitialConfig after start()');
    this.initial = { ...this.initial, ...fields };
  }

  start(): ReadyMessage {
    if (this.state !== 'new') throw new Error('MultichannelAsrSession.start called twice');
    const { channels: rawChannels, multichannel: rawMulti, ...rest } = this.initial;
    const parsed = AsrConfigFields.pick({ channels: true, multichannel: true, encoding: true }).safeParse({
      channels: rawChannels,
      multichannel: rawMulti,
      encoding: rest.encoding,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SessionError('bad_config', `invalid ${issue.path.join('.') || 'config'}: ${issue.message}`);
    }
    this.channels = parsed.data.channels ?? 1;
    const multi = parsed.data.multichannel ?? false;
    this.mode = this.channels === 1 ? 'mono' : multi ? 'split' : 'mix';
    if (this.mode === 'mono') return this.startMono(rest);
    const encoding = parsed.data.encoding ?? 'pcm_s16le';
    if (!SPLITTABLE.has(encoding)) {
      throw new SessionError(
        'bad_config',
        `channels=${this.channels} needs interleaved pcm_s16le, pcm_f32le or wav audio; encoding=${encoding} is decoded to mono (send channels=1)`,
      );
    }
    this.encoding = encoding as typeof this.encoding;
    if (encoding === 'wav') this.wavHeader = Buffer.alloc(0);
    const laneConfig: Record<string, unknown> = { ...rest, encoding: 'pcm_f32le' };
    return this.mode === 'mix' ? this.startMix(laneConfig) : this.startSplit(laneConfig);
  }

  private startMono(config: Record<string, unknown>): ReadyMessage {
    const lane = new AsrSession({ ...this.opts, config });
    this.lanes = [lane];
    lane.on('message', (m) => this.emit('message', m));
    lane.on('shed', (m) => this.laneShed(m));
    lane.on('closed', () => this.laneClosed());
    const ready = lane.start();
    this.state = 'open';
    return ready;
  }

  /** Several channels, one transcript: the lane hears their average. */
  private startMix(config: Record<string, unknown>): ReadyMessage {
    return this.startMono(config);
  }

  /** One lane per channel; a lane refused (capacity, bad option) releases the ones already admitted. */
  private startSplit(config: Record<string, unknown>): ReadyMessage {
    const { session: want = 'none', ...laneConfig } = config as Record<string, unknown> & { session?: string };
    for (let i = 0; i < this.channels; i++) {
      const lane = new AsrSession({ ...this.opts, config: { ...laneConfig, session: 'none' }, track: `ch${i}` });
      this.lanes.push(lane);
      lane.on('message', (m) => this.fromLane(i, m));
      lane.on('shed', (m) => this.laneShed(m));
      lane.on('closed', () => this.laneClosed());
    }
    let first: ReadyMessage;
    try {
      first = this.lanes.map((lane) => lane.start())[0]!;
    } catch (err) {
      for (const lane of this.lanes) lane.cancel();
      this.lanes = [];
      throw err;
    }
    let timeBaseMs = 0;
    let warning: AsrServerMessage | null = null;
    if (want !== 'none') {
      const store = this.opts.store;
      try {
        if (!store) {
          warning = {
            type: 'warning',
            code: 'store_disabled',
            message: `session=${String(want)} asked to save the transcript, but this server runs without a transcript store (--no-store): captions are not saved`,
          };
        } else if (want === 'new') {
          const engine = this.opts.engine.asr({ model: this.lanes[0]!.config.model, language: this.lanes[0]!.config.language });
          this.storedId = store.createSession({
            title: this.opts.title,
            sources: this.lanes.map((_, i) => `ch${i}`),
            engine: engine.backend,
            model: engine.modelId,
            language: this.lanes[0]!.config.language ?? engine.language,
          });
        } else {
          const existing = store.getSession(String(want));
          if (!existing) throw new SessionError('bad_config', `session "${String(want)}" does not exist (use session=new to create one)`);
          store.resumeSession(existing.id);
          this.storedId = existing.id;
          timeBaseMs = existing.durationMs;
        }
      } catch (err) {
        for (const lane of this.lanes) lane.cancel();
        this.lanes = [];
        throw err;
      }
      if (this.storedId) for (const lane of this.lanes) lane.attachStoredSession(this.storedId, timeBaseMs);
    }
    this.state = 'open';
    const ready: ReadyMessage = {
      ...first,
      session_id: this.storedId ?? this.id,
      stored: this.storedId !== null,
      time_offset_ms: timeBaseMs,
      channels: this.channels,
    };
    this.emit('message', ready);
    if (warning) this.emit('message', warning);
    return ready;
  }

  /** A lane's message, tagged with its channel. Lanes' own `ready`/`session_complete` are replaced by the stream's. */
  private fromLane(channel: number, msg: AsrServerMessage): void {
    if (msg.type === 'ready' || msg.type === 'session_complete') return;
    if (msg.type === 'warning' && msg.code === 'store_disabled') return;
    this.emit('message', { ...msg, channel });
  }

  private laneClosed(): void {
    this.lanesClosed++;
    // Not before start() has succeeded (a lane refused at start cancels the others), nor while end() finishes.
    if (this.lanesClosed < this.lanes.length || this.state !== 'open' || this.ending) return;
    // Every lane stopped without end() (an engine failure, abort, cancel): the stream is over.
    this.finishStored('interrupted');
    this.close();
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.emit('closed');
  }

  configure(fields: Record<string, unknown>): void {
    if (this.mode !== 'mono') {
      const frozen = ['channels', 'multichannel', 'encoding', 'session'].filter((k) => fields[k] !== undefined);
      if (frozen.length) throw new SessionError('bad_config', `${frozen.join(', ')} cannot change on a ${this.channels}-channel stream`);
    } else if (fields.channels !== undefined || fields.multichannel !== undefined) {
      throw new SessionError(
        'bad_config',
        'channels and multichannel are set when the stream starts (query or first config) and cannot change',
      );
    }
    for (const lane of this.lanes) lane.configure(fields);
  }

  writeAudio(bytes: Uint8Array): void {
    if (this.mode === 'mono') return this.lanes[0]!.writeAudio(bytes);
    if (this.state !== 'open') throw new SessionError('bad_config', 'the stream has ended');
    let buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.wavHeader !== null) {
      const body = this.takeWavHeader(buf);
      if (!body) return;
      buf = body;
    }
    const sampleBytes = this.encoding === 'pcm_s16le' || (this.encoding === 'wav' && !this.wavFloat) ? 2 : 4;
    const frameBytes = sampleBytes * this.channels;
    const data = this.carry.byteLength ? Buffer.concat([this.carry, buf]) : buf;
    const whole = data.byteLength - (data.byteLength % frameBytes);
    this.carry = Buffer.from(data.subarray(whole));
    if (whole === 0) return;
    const body = data.subarray(0, whole);
    try {
      this.writeSamples(sampleBytes === 2 ? s16leToFloat32(body) : f32leToFloat32(body));
    } catch (err) {
      if (err instanceof AudioFormatError) throw new SessionError('bad_audio', err.message);
      throw err;
    }
  }

  /** WAV intake for several channels: the header must agree with `channels`; its rate becomes the lanes' rate. */
  private takeWavHeader(buf: Buffer): Buffer | null {
    const header = Buffer.concat([this.wavHeader!, buf]);
    let info;
    try {
      info = parseWavHeader(header);
    } catch (err) {
      const incomplete = /no data chunk|no fmt chunk|truncated|shorter than/.test((err as Error).message);
      if (incomplete && header.byteLength < MAX_WAV_HEADER_BYTES) {
        this.wavHeader = header;
        return null;
      }
      this.wavHeader = null;
      throw new SessionError('bad_audio', `encoding=wav: ${(err as Error).message}`);
    }
    this.wavHeader = null;
    if (info.channels !== this.channels) {
      throw new SessionError(
        'bad_audio',
        `the WAV has ${info.channels} channel(s) but the stream was opened with channels=${this.channels}`,
      );
    }
    if (info.sampleRate < 8000 || info.sampleRate > 48000)
      throw new SessionError('bad_audio', `WAV sample rate ${info.sampleRate} Hz is outside 8000–48000`);
    if (!(info.bitsPerSample === 16 && info.audioFormat === 1) && !(info.bitsPerSample === 32 && info.audioFormat === 3)) {
      throw new SessionError('bad_audio', `a ${this.channels}-channel WAV stream must be 16-bit PCM or 32-bit float`);
    }
    this.wavFloat = info.audioFormat === 3;
    for (const lane of this.lanes) lane.configure({ sample_rate: info.sampleRate });
    return header.subarray(info.dataOffset);
  }

  /** Float samples, interleaved when the stream has several channels (JSON float arrays, the in-app path). */
  writeSamples(samples: Float32Array): void {
    if (this.mode === 'mono') return this.lanes[0]!.writeSamples(samples);
    if (this.state !== 'open') throw new SessionError('bad_config', 'the stream has ended');
    const n = this.channels;
    if (samples.length % n !== 0) {
      throw new SessionError('bad_audio', `${samples.length} samples is not a whole number of ${n}-channel frames`);
    }
    const frames = samples.length / n;
    if (this.mode === 'mix') {
      const mono = new Float32Array(frames);
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < n; c++) sum += samples[f * n + c]!;
        mono[f] = sum / n;
      }
      return this.lanes[0]!.writeSamples(mono);
    }
    // Every lane gets its channel; a lane that refuses (rate_limited) does not starve the others.
    let failure: unknown = null;
    for (let c = 0; c < n; c++) {
      const ch = new Float32Array(frames);
      for (let f = 0; f < frames; f++) ch[f] = samples[f * n + c]!;
      try {
        this.lanes[c]!.writeSamples(ch);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  }

  drained(maxPendingMs = 0): Promise<void> {
    return Promise.all(this.lanes.map((l) => l.drained(maxPendingMs))).then(() => undefined);
  }

  /** Flush every lane; each answers with its own `flushed` (tagged with its channel when split). */
  async flush(): Promise<FinalTranscript | null> {
    if (this.mode !== 'split') return this.lanes[0]!.flush();
    const finals = await Promise.all(this.lanes.map((l) => l.flush()));
    return finals.find((f) => f !== null) ?? null;
  }

  /** Every lane's last final, then one `session_complete` for the stream (segments of all channels). Idempotent. */
  end(): Promise<SessionCompleteMessage> {
    if (this.mode !== 'split') return this.lanes[0]!.end();
    this.ending ??= (async () => {
      const done = await Promise.all(this.lanes.map((l) => l.end()));
      const complete: SessionCompleteMessage = {
        type: 'session_complete',
        session_id: this.storedId ?? this.id,
        duration_ms: Math.max(...done.map((d) => d.duration_ms)),
        segments: done.reduce((a, d) => a + d.segments, 0),
      };
      this.finishStored('complete');
      if (this.state !== 'closed') this.emit('message', complete);
      this.close();
      return complete;
    })();
    return this.ending;
  }

  async abort(): Promise<void> {
    if (this.mode !== 'split') return this.lanes[0]?.abort();
    await Promise.all(this.lanes.map((l) => l.abort()));
    this.finishStored('interrupted');
  }

  cancel(): void {
    if (this.mode === 'split') this.finishStored('interrupted');
    for (const lane of this.lanes) lane.cancel();
  }

  private finishStored(status: 'complete' | 'interrupted'): void {
    const id = this.storedId;
    if (id === null || !this.opts.store || this.storedEnded) return;
    this.storedEnded = true;
    try {
      this.opts.store.endSession(id, status);
    } catch (err) {
      this.emit('message', { type: 'error', code: 'internal', message: `could not end the stored session: ${(err as Error).message}` });
    }
  }
}
