// earshot.v1.TextToSpeech: Synthesize runs one text through TtsSession (via synthesizeOne, shared with the
// REST TTS routes); StreamingSynthesize drives a TtsSession directly with append/flush/finish/cancel, exactly
// like the WebSocket incremental style. Every call numbers its chunks 0, 1, 2…; the chunk that ends a request
// has is_final = true and metadata.duration_ms = the request's whole duration.
import * as grpc from '@grpc/grpc-js';
import type { TtsFormat } from '../../../../proto/ws-messages.js';
import { SessionError } from '../../sessions/index.js';
import { TtsSession, type TtsAudioChunk } from '../../sessions/index.js';
import { listedVoices } from '../voice-list.js';
import type { ApiContext } from '../context.js';
import { ShuttingDownError } from '../work-in-progress.js';
import { synthesizeOne } from '../one-shot/synthesize-one.js';
import { acquireStreamSlot, bindToToken, denyReason, grpcStatusFor, toGrpcError, type GrpcError } from './call-guard.js';
import { undecodableError } from './undecodable.js';
import type { SynthesisConfigMsg, SynthesisRequestMsg, TextInputMsg, TtsAudioChunkMsg } from './proto.js';

/** Proto3 defaults (0, "") mean "not given". */
function optionFields(c: Partial<SynthesisConfigMsg> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!c) return out;
  if (c.voice) out.voice = c.voice;
  if (c.language) out.language = c.language;
  // NaN is falsy but given: pass it on so validation refuses it (INVALID_ARGUMENT) instead of ignoring it.
  if (c.speed || Number.isNaN(c.speed)) out.speed = c.speed;
  if (c.sample_rate) out.sample_rate = c.sample_rate;
  if (c.format) out.format = c.format;
  return out;
}

/** An unknown voice is NOT_FOUND here (the WebSocket path calls it bad_config). */
function checkVoice(ctx: ApiContext, voice: unknown): GrpcError | null {
  if (typeof voice !== 'string' || !voice) return null;
  const lower = voice.toLowerCase();
  if (ctx.engine.voices().some((v) => v.id === voice || v.name.toLowerCase() === lower)) return null;
  return { code: grpc.status.NOT_FOUND, details: `unknown voice "${voice}"; ListVoices lists the installed voices` };
}

/** Writes with backpressure: resolves once the call's send buffer has room again. */
async function writeChunk(call: grpc.ServerWritableStream<unknown, TtsAudioChunkMsg>, msg: TtsAudioChunkMsg): Promise<void> {
  if (!call.write(msg)) await new Promise<void>((resolve) => call.once('drain', () => resolve()));
}

/** Numbers chunks over a call and keeps each request's running position (timestamp_ms). */
class ChunkCounter {
  private sequence = 0;
  private readonly samplesByRequest = new Map<string, number>();

  audio(c: TtsAudioChunk): TtsAudioChunkMsg {
    const before = this.samplesByRequest.get(c.requestId) ?? 0;
    this.samplesByRequest.set(c.requestId, before + c.samples);
    return {
      audio_data: c.bytes,
      sequence_number: this.sequence++,
      is_final: false,
      timestamp_ms: Math.round((before * 1000) / c.sampleRate),
      metadata: { sample_rate: c.sampleRate, channels: 1, format: c.format, duration_ms: Math.round((c.samples * 1000) / c.sampleRate) },
      request_id: c.requestId,
    };
  }

  final(m: { request_id: string; duration_ms: number; sample_rate: number }, format: TtsFormat): TtsAudioChunkMsg {
    this.samplesByRequest.delete(m.request_id);
    return {
      audio_data: Buffer.alloc(0),
      sequence_number: this.sequence++,
      is_final: true,
      timestamp_ms: m.duration_ms,
      metadata: { sample_rate: m.sample_rate, channels: 1, format, duration_ms: m.duration_ms },
      request_id: m.request_id,
    };
  }
}

export function textToSpeechService(ctx: ApiContext): grpc.UntypedServiceImplementation {
  return {
    Synthesize(call: grpc.ServerWritableStream<SynthesisRequestMsg, TtsAudioChunkMsg>) {
      void synthesize(ctx, call);
    },
    StreamingSynthesize(call: grpc.ServerDuplexStream<TextInputMsg, TtsAudioChunkMsg>) {
      streamingSynthesize(ctx, call);
    },
    ListVoices(call: grpc.ServerUnaryCall<{ language: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const denied = denyReason(ctx, call) ?? undecodableError(call.request);
      if (denied) return callback(denied);
      const lang = call.request.language.toLowerCase();
      callback(null, {
        voices: listedVoices(ctx).filter(
          (v) =>
            !lang ||
            v.language.toLowerCase() === lang ||
            v.language.toLowerCase().startsWith(lang + '-') ||
            v.language.toLowerCase().startsWith(lang + '_'),
        ),
      });
    },
  };
}

async function synthesize(ctx: ApiContext, call: grpc.ServerWritableStream<SynthesisRequestMsg, TtsAudioChunkMsg>): Promise<void> {
  const denied = denyReason(ctx, call) ?? undecodableError(call.request);
  if (denied) return void call.emit('error', denied);
  const r = call.request;
  const badVoice = checkVoice(ctx, r.voice);
  if (badVoice) return void call.emit('error', badVoice);
  const releaseSlot = acquireStreamSlot(ctx, call);
  if (!releaseSlot) return;
  const streamClosed = ctx.metrics.streamOpened('tts', 'grpc');
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort());
  // A stop lets the synthesis finish within its grace period, then cuts it with UNAVAILABLE.
  const unregister = ctx.work.add({
    finish: () => undefined,
    cut: (message) => abort.abort(new ShuttingDownError(`${message}; the audio was cut short`)),
  });
  // A long text can stream for minutes: a token rotation ends it too.
  const unbind = bindToToken(ctx, call, (err) => {
    if (abort.signal.aborted) return;
    abort.abort();
    call.emit('error', err);
  });
  const counter = new ChunkCounter();
  const format = (r.format || 'pcm') as TtsFormat;
  try {
    const events = synthesizeOne(
      ctx,
      { text: r.text, ...optionFields(r), ...(r.request_id ? { request_id: r.request_id } : {}) },
      abort.signal,
    );
    for await (const e of events) {
      if (abort.signal.aborted) break;
      if (e.type === 'audio') await writeChunk(call, counter.audio(e.chunk));
      else if (e.type === 'complete') await writeChunk(call, counter.final(e.msg, format));
    }
    if (!abort.signal.aborted) call.end();
    else if (abort.signal.reason instanceof ShuttingDownError) call.emit('error', toGrpcError(abort.signal.reason));
  } catch (err) {
    if (!abort.signal.aborted) call.emit('error', toGrpcError(err));
    else if (abort.signal.reason instanceof ShuttingDownError) call.emit('error', toGrpcError(abort.signal.reason));
  } finally {
    unbind();
    releaseSlot();
    streamClosed();
    unregister();
  }
}

function streamingSynthesize(ctx: ApiContext, call: grpc.ServerDuplexStream<TextInputMsg, TtsAudioChunkMsg>): void {
  const denied = denyReason(ctx, call);
  if (denied) return void call.emit('error', denied);
  const releaseSlot = acquireStreamSlot(ctx, call);
  if (!releaseSlot) return;
  const streamClosed = ctx.metrics.streamOpened('tts', 'grpc');
  const counter = new ChunkCounter();
  const formats = new Map<string, TtsFormat>();
  let ended = false;
  let idle: NodeJS.Timeout | null = null;
  const soft = ctx.limits.sendBufferSoftBytes;
  const session = new TtsSession({
    engine: ctx.engine,
    metrics: ctx.metrics,
    maxTextChars: ctx.limits.maxTtsTextChars,
    maxQueuedRequests: ctx.limits.maxTtsQueuedRequests,
    maxQueuedChars: ctx.limits.maxTtsQueuedChars,
    // Audio is never dropped: synthesis waits while the call's send buffer is over the soft limit.
    waitForDrain: () => (call.writableLength > soft ? new Promise<void>((r) => call.once('drain', () => r())) : undefined),
  });
  // A stop finishes the stream as a client `finish` would (what is buffered is spoken, the call ends OK); out of
  // time, it is cut with UNAVAILABLE.
  const unregister = ctx.work.add({
    finish: () => {
      if (ended || session.isClosed) return;
      try {
        session.finish();
      } catch {
        // Already finishing.
      }
    },
    cut: (message) => fail({ code: grpc.status.UNAVAILABLE, details: `${message}; the audio was cut short` }),
  });
  let unbind = () => undefined as void;
  const release = () => {
    if (idle) clearTimeout(idle);
    idle = null;
    unbind();
    releaseSlot();
    streamClosed();
    unregister();
  };
  const fail = (err: GrpcError) => {
    if (ended) return;
    ended = true;
    session.close();
    release();
    call.emit('error', err);
  };
  unbind = bindToToken(ctx, call, fail);
  const armIdle = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(
      () => fail({ code: grpc.status.DEADLINE_EXCEEDED, details: `no input for ${ctx.limits.idleTimeoutMs} ms; stream closed` }),
      ctx.limits.idleTimeoutMs,
    );
    idle.unref?.();
  };
  armIdle();

  session.on('audio', (c) => {
    formats.set(c.requestId, c.format);
    if (!ended) call.write(counter.audio(c));
  });
  session.on('message', (m) => {
    if (ended) return;
    if (m.type === 'synthesis_started') formats.set(m.request_id, m.format);
    else if (m.type === 'synthesis_complete') {
      call.write(counter.final(m, formats.get(m.request_id) ?? 'pcm'));
      formats.delete(m.request_id);
    } else if (m.type === 'error') fail({ code: grpcStatusFor(m.code), details: m.message });
  });
  session.on('finished', () => {
    if (ended) return;
    ended = true;
    release();
    call.end();
  });

  call.on('data', (input: TextInputMsg) => {
    if (ended) return;
    armIdle();
    const undecodable = undecodableError(input);
    if (undecodable) return fail(undecodable);
    try {
      const fields = optionFields(input.config);
      const bad = checkVoice(ctx, fields.voice);
      if (bad) return fail(bad);
      if (!input.text && !input.flush && !input.finish && !input.cancel && !input.config) {
        throw new SessionError('bad_config', 'empty TextInput: set text, flush, finish, cancel or config');
      }
      if (input.cancel) session.cancel();
      if (input.config) session.configure(fields);
      if (input.text) session.append({ text: input.text });
      if (input.flush) session.flush();
      if (input.finish) session.finish();
    } catch (err) {
      fail(toGrpcError(err));
    }
  });
  // Half-close without `finish`: the same as finish (speak what is buffered, then end).
  call.on('end', () => {
    if (ended || session.isClosed) return;
    try {
      session.finish();
    } catch {
      // Already finishing.
    }
  });
  call.on('cancelled', () => {
    if (ended) return;
    ended = true;
    session.close();
    release();
  });
}
