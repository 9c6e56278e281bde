// earshot.v1.SpeechRecognition: StreamingTranscribe drives an AsrSession exactly as the WebSocket path does
// (one session per call, chunks in, wire messages out, translated to TranscriptionResult); Transcribe runs a
// whole buffer through the same session class; ListModels lists the engine's models.
//
// Errors end the call with a status (gRPC has no in-band error message): bad audio/config → INVALID_ARGUMENT,
// unknown model → NOT_FOUND, limits → RESOURCE_EXHAUSTED, no token where one is required → UNAUTHENTICATED.
import * as grpc from '@grpc/grpc-js';
import type { AsrConfigInput, AsrServerMessage } from '../../../../proto/ws-messages.js';
import { AsrSession, SessionError } from '../../sessions/asr-session.js';
import type { ApiContext } from '../context.js';
import { transcribeBuffer } from '../http/openai-file-transcription.js';
import { denyReason, toGrpcError, type GrpcError } from './call-guard.js';
import type {
  AudioChunkMsg,
  StreamConfigMsg,
  TranscribeRequestMsg,
  TranscriptionResultMsg,
} from './proto.js';

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
  if (c.session) out.session = c.session;
  if (c.source) out.source = c.source;
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
  };
}

export function speechRecognitionService(ctx: ApiContext): grpc.UntypedServiceImplementation {
  return {
    StreamingTranscribe(call: grpc.ServerDuplexStream<AudioChunkMsg, TranscriptionResultMsg>) {
      streamingTranscribe(ctx, call);
    },

    async Transcribe(
      call: grpc.ServerUnaryCall<TranscribeRequestMsg, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) {
      const denied = denyReason(ctx, call);
      if (denied) return callback(denied);
      try {
        const audio = call.request.audio;
        const config = streamConfigToSession(call.request.config);
        if (!config.encoding && audio.byteLength >= 4 && audio.toString('latin1', 0, 4) === 'RIFF') config.encoding = 'wav';
        const gone = new AbortController();
        call.once('cancelled', () => gone.abort());
        const r = await transcribeBuffer(ctx, audio, config, gone.signal);
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
      }
    },

    ListModels(call: grpc.ServerUnaryCall<{ kind: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const denied = denyReason(ctx, call);
      if (denied) return callback(denied);
      const kind = call.request.kind;
      callback(null, {
        models: ctx.engine
          .models()
          .filter((m) => !kind || m.kind === kind)
          .map((m) => ({
            id: m.id,
            kind: m.kind,
            language: m.language,
            backend: m.backend,
            installed: m.installed,
            fixture: m.fixture,
            size_bytes: m.sizeBytes ?? 0,
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
  const releaseSlot = ctx.streams.acquire();
  if (!releaseSlot) {
    call.emit('error', {
      code: grpc.status.RESOURCE_EXHAUSTED,
      details: `too many concurrent streams (limit ${ctx.limits.maxConcurrentStreams}); try again later`,
    } satisfies GrpcError);
    return;
  }
  const streamClosed = ctx.metrics.streamOpened('asr', 'grpc');
  let session: AsrSession | null = null;
  let finished = false;
  let idle: NodeJS.Timeout | null = null;

  const cleanup = () => {
    if (idle) clearTimeout(idle);
    idle = null;
    releaseSlot();
    streamClosed();
  };
  /** End the call with an error status; the session (if any) is aborted, keeping finals already stored. */
  const fail = (err: GrpcError) => {
    if (finished) return;
    finished = true;
    cleanup();
    void session?.abort();
    call.emit('error', err);
  };
  /** Flush, send the last final, end the call OK. */
  const finish = () => {
    if (finished) return;
    finished = true;
    if (idle) clearTimeout(idle);
    const done = session && !session.isClosed ? session.end() : Promise.resolve(null);
    done.then(
      () => {
        cleanup();
        call.end();
      },
      (err) => {
        cleanup();
        call.emit('error', toGrpcError(err));
      },
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
    try {
      if (chunk.audio_data.byteLength > ctx.limits.maxFrameBytes) {
        throw new SessionError('too_large', `audio chunk ${chunk.chunk_index} is ${chunk.audio_data.byteLength} bytes; the limit is ${ctx.limits.maxFrameBytes}`);
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
        s.on('message', (msg) => {
          if (msg.type === 'transcript') {
            call.write(toResult(msg, s.storedSessionId ?? ''));
          } else if (msg.type === 'error') {
            fail({ code: toGrpcError(new SessionError(msg.code, msg.message)).code, details: msg.message });
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
  // Client cancelled or the connection dropped: finalize and store what was in progress, send nothing.
  call.on('cancelled', () => {
    if (finished) return;
    finished = true;
    cleanup();
    void session?.abort();
  });
}
