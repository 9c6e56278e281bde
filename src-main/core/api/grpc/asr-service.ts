// earshot.v1.SpeechRecognition: StreamingTranscribe drives an AsrSession exactly as the WebSocket path does
// (one session per call, chunks in, wire messages out, translated to TranscriptionResult); Transcribe runs a
// whole buffer through the same session class; ListModels lists the engine's models.
//
// Errors end the call with a status (gRPC has no in-band error message): bad audio/config → INVALID_ARGUMENT,
// unknown model → NOT_FOUND, limits → RESOURCE_EXHAUSTED, no token where one is required → UNAUTHENTICATED.
import * as grpc from '@grpc/grpc-js';
import type { AsrConfigInput, AsrServerMessage } from '../../../../proto/ws-messages.js';
import { AsrSession, SessionError } from '../../sessions/index.js';
import { listable } from '../../engine/index.js';
import type { ApiContext } from '../context.js';
import { transcribeBuffer } from '../one-shot/transcribe-buffer.js';
import { ShuttingDownError } from '../work-in-progress.js';
import { acquireStreamSlot, bindToToken, denyReason, grpcStatusFor, toGrpcError, type GrpcError } from './call-guard.js';
import { undecodableError } from './undecodable.js';
import type { AudioChunkMsg, StreamConfigMsg, TranscribeRequestMsg, TranscriptionResultMsg } from './proto.js';

/** StreamConfig (zero values and null wrappers = "not given") → the session's config keys. */
export function streamConfigToSession(c: StreamConfigMsg | null | undefined): AsrConfigInput {
  if (!c) return {};
  const out: Record<string, unknown> = {};
  if (c.sample_rate) out.sample_rate = c.sample_rate;
  if (c.encoding) out.encoding = c.encoding;
  if (c.language) out.language = c.language;
  if (c.model) out.model = c.model;
  if (c.interim_results) out.interim_results = c.interim_results.value;
  if (c.endpointing_ms) out.endpointing = c.endpointing_ms.value === 0 ? false : c.endpointing_ms.value;
  if (c.punctuate) out.punctuate = c.punctuate.value;
  if (c.words) out.words = c.words.value;
  if (c.two_pass) out.two_pass = c.two_pass.value;
  if (c.session) out.session = c.session;
  if (c.source) out.source = c.source;
  if (c.vocabulary?.length) out.vocabulary = c.vocabulary;
  if (c.replacements?.length) out.replacements = c.replacements.join('\n');
  return out as AsrConfigInput;
}

function toResult(msg: AsrServerMessage & { type: 'transcript' }, sessionId: string): TranscriptionResultMsg {
  return {
    text: msg.text,
    is_final: msg.is_final,
    confidence: msg.is_final ? msg.confidence : 0,
    segment: msg.segment,
    start_ms: msg.start_ms,
    end_ms: msg.end_ms,
    words: msg.is_final ? (msg.words ?? []) : [],
    latency_ms: msg.is_final ? msg.latency_ms : 0,
    session_id: sessionId,
    language: msg.is_final ? (msg.language ?? '') : '',
  };
}

export function speechRecognitionService(ctx: ApiContext): grpc.UntypedServiceImplementation {
  return {
    StreamingTranscribe(call: grpc.ServerDuplexStream<AudioChunkMsg, TranscriptionResultMsg>) {
      streamingTranscribe(ctx, call);
    },

    async Transcribe(call: grpc.ServerUnaryCall<TranscribeRequestMsg, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const denied = denyReason(ctx, call) ?? undecodableError(call.request);
      if (denied) return callback(denied);
      if (ctx.work.isStopping)
        return callback({ code: grpc.status.UNAVAILABLE, details: 'the server is shutting down; try again when it is back' });
      // Cancelled at once when the client cancels (or its connection drops), or when a stop runs out of time.
      const cancel = new AbortController();
      call.on('cancelled', () => cancel.abort(new Error('the client cancelled the call')));
      const unregister = ctx.work.add({
        finish: () => undefined,
        cut: (message) =>
          cancel.abort(new ShuttingDownError(`${message}; the transcription was stopped — send the file again when the server is back`)),
      });
      try {
        const audio = call.request.audio;
        const config = streamConfigToSession(call.request.config);
        // No encoding (or `wav`): an audio file in any supported container; raw PCM only when declared.
        const r = await transcribeBuffer(ctx, audio, config, { signal: cancel.signal });
        const sessionId = r.sessionId ?? '';
        callback(null, {
          text: r.text,
          segments: r.segments.map((s) => toResult(s, sessionId)),
          duration_ms: r.durationMs,
          model: r.model,
          session_id: sessionId,
        });
      } catch (err) {
        callback(toGrpcError(err));
      } finally {
        unregister();
      }
    },

    ListModels(call: grpc.ServerUnaryCall<{ kind: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const denied = denyReason(ctx, call) ?? undecodableError(call.request);
      if (denied) return callback(denied);
      const kind = call.request.kind;
      callback(null, {
        models: listable(ctx.engine.models(), ctx.listFixtures)
          .filter((m) => !kind || m.kind === kind)
          .map((m) => ({
            id: m.id,
            kind: m.kind,
            language: m.language,
            backend: m.backend,
            installed: m.installed,
            fixture: m.fixture,
            size_bytes: m.sizeBytes ?? 0,
            languages: m.languages,
            speed: m.speed ?? '',
            accuracy: m.accuracy ?? '',
          })),
      });
    },
  };
}

function streamingTranscribe(ctx: ApiContext, call: grpc.ServerDuplexStream<AudioChunkMsg, TranscriptionResultMsg>): void {
  const denied = denyReason(ctx, call);
  if (denied) {
    call.emit('error', denied);
    return;
  }
  if (ctx.work.isStopping) {
    call.emit('error', {
      code: grpc.status.UNAVAILABLE,
      details: 'the server is shutting down; try again when it is back',
    } satisfies GrpcError);
    return;
  }
  const releaseSlot = acquireStreamSlot(ctx, call);
  if (!releaseSlot) return;
  const streamClosed = ctx.metrics.streamOpened('asr', 'grpc');
  let session: AsrSession | null = null;
  /** No more input is taken (flushing, failed, or cancelled). */
  let finished = false;
  /** The call has its status (OK or an error), or the client is gone: nothing more is written. */
  let callDone = false;
  let idle: NodeJS.Timeout | null = null;

  // A stop finishes the stream as a client `is_final` would (the final of the utterance in progress is sent and
  // stored, the call ends OK); out of time, it is cut with UNAVAILABLE.
  const unregister = ctx.work.add({
    finish: () => finish(),
    cut: (message) => {
      session?.cancel();
      endCall({ code: grpc.status.UNAVAILABLE, details: `${message}; the utterance in progress was not finalized` });
    },
  });
  let released = false;
  let unbind = () => undefined as void;
  const cleanup = () => {
    if (idle) clearTimeout(idle);
    idle = null;
    unbind();
    if (!released) {
      released = true;
      releaseSlot();
      streamClosed();
    }
    settled();
  };
  /** The stop waits for this stream until its call has a status and its session has stored its last final. */
  const settled = () => {
    if (callDone && (!session || session.isClosed)) unregister();
  };
  /** Give the call its status (once): OK when `err` is absent. */
  const endCall = (err?: GrpcError) => {
    if (callDone) return;
    callDone = true;
    finished = true;
    cleanup();
    if (err) call.emit('error', err);
    else call.end();
  };
  /** End the call with an error status; the session (if any) is aborted, keeping finals already stored. */
  const fail = (err: GrpcError) => {
    if (finished) return;
    finished = true;
    void session?.abort();
    endCall(err);
  };
  unbind = bindToToken(ctx, call, fail);
  /** Flush, send the last final, end the call OK. */
  const finish = () => {
    if (finished) return;
    finished = true;
    if (idle) clearTimeout(idle);
    const done = session && !session.isClosed ? session.end() : Promise.resolve(null);
    done.then(
      () => endCall(),
      (err) => endCall(toGrpcError(err)),
    );
  };
  const armIdle = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(
      () => fail({ code: grpc.status.DEADLINE_EXCEEDED, details: `no audio for ${ctx.limits.idleTimeoutMs} ms; stream closed` }),
      ctx.limits.idleTimeoutMs,
    );
    idle.unref?.();
  };
  armIdle();

  call.on('data', (chunk: AudioChunkMsg) => {
    if (finished) return;
    armIdle();
    const undecodable = undecodableError(chunk);
    if (undecodable) return fail(undecodable);
    try {
      if (chunk.audio_data.byteLength > ctx.limits.maxFrameBytes) {
        throw new SessionError(
          'too_large',
          `audio chunk ${chunk.chunk_index} is ${chunk.audio_data.byteLength} bytes; the limit is ${ctx.limits.maxFrameBytes}`,
        );
      }
      if (!session) {
        session = new AsrSession({
          engine: ctx.engine,
          store: ctx.store,
          config: streamConfigToSession(chunk.config),
          metrics: ctx.metrics,
          audioAheadBudgetMs: ctx.limits.audioAheadBudgetMs,
          maxQueuedAudioMs: ctx.limits.maxQueuedAudioMs,
          admission: ctx.admission,
        });
        const s = session;
        s.on('closed', settled);
        // Shed by admission (the server fell behind real time): the last final, then RESOURCE_EXHAUSTED.
        s.on('shed', (details) => {
          if (finished) return;
          finished = true;
          if (idle) clearTimeout(idle);
          void s.end().then(
            () => endCall({ code: grpc.status.RESOURCE_EXHAUSTED, details }),
            (err) => endCall(toGrpcError(err)),
          );
        });
        s.on('message', (msg) => {
          if (msg.type === 'transcript') {
            if (!callDone) call.write(toResult(msg, s.storedSessionId ?? ''));
          } else if (msg.type === 'error') {
            fail({ code: grpcStatusFor(msg.code), details: msg.message });
          }
        });
        s.start();
      } else if (chunk.config) {
        throw new SessionError('bad_config', `config is only allowed on the first chunk (got it on chunk ${chunk.chunk_index})`);
      }
      if (chunk.audio_data.byteLength) session.writeAudio(chunk.audio_data);
      if (chunk.is_final) finish();
    } catch (err) {
      fail(toGrpcError(err));
    }
  });
  // Client half-closed without is_final: same as is_final (flush, last final, end).
  call.on('end', () => finish());
  // Client cancelled or the connection dropped: finalize and store what was in progress, send nothing. The
  // utterance in progress is bounded by the audio-ahead budget; finals already stored stay.
  call.on('cancelled', () => {
    callDone = true;
    if (!finished) {
      finished = true;
      void session?.abort();
    }
    cleanup();
  });
}
