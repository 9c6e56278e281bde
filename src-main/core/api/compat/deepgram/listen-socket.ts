// Deepgram live transcription (`wss://…/v1/listen`, what `@deepgram/sdk`'s `listen.v1.connect()` opens) served
// by the same AsrSession as Earshot's own ASR WebSocket. Query options: listen-options.ts. Client → server:
// binary audio, `{"type":"KeepAlive"}`, `{"type":"Finalize"}` (final of the utterance in progress, marked
// `from_finalize`), `{"type":"CloseStream"}` (last final, then `Metadata`, then close 1000). Server → client:
// `Results` (interims only with `interim_results=true`; an endpoint final has `speech_final: true`),
// `UtteranceEnd` after an endpoint final when `utterance_end_ms` is set, `SpeechStarted` with `vad_events=true`,
// and `Metadata` at the end. Errors: `{"type":"Error","description","message","variant"}`; bad options close 1008.
import { wsErrorCodeOf } from '../../../errors.js';
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type AsrServerMessage } from '../../../../../proto/ws-messages.js';
import { MultichannelAsrSession, OverloadedError, SessionError } from '../../../sessions/index.js';
import type { ApiContext } from '../../context.js';
import { SocketChannel, parseFrame } from '../../ws/socket-channel.js';
import type { LiveAsrSockets } from '../../ws/asr-socket.js';
import { deepgramListenOptions, earshotModelFor } from './listen-options.js';
import { metadataMessage, resultsMessage } from './results.js';

export function handleDeepgramListenSocket(
  ws: WebSocket,
  query: URLSearchParams,
  ctx: ApiContext,
  live: LiveAsrSockets,
  release: () => void,
): void {
  const requestId = randomUUID();
  const createdAt = new Date();
  const channel = new SocketChannel(ws, ctx, () => void closeStream(CLOSE_CODES.idle, 'idle timeout'));
  const sendError = (description: string, variant = 'bad_request') =>
    channel.sendJson({ type: 'Error', description, message: description, variant });

  let opts: ReturnType<typeof deepgramListenOptions>;
  try {
    opts = deepgramListenOptions(query, { live: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    sendError(message, 'bad_config');
    ws.once('close', release);
    channel.close(CLOSE_CODES.policyViolation, message.slice(0, 120));
    return;
  }
  const installed = ctx.engine
    .models()
    .filter((m) => m.installed)
    .map((m) => m.id);
  const model = earshotModelFor(opts.requestedModel, installed);
  // channels=N: mixed to one transcript, or one per channel with multichannel=true (channel_index [i, N]).
  const session = new MultichannelAsrSession({
    engine: ctx.engine,
    store: ctx.store,
    config: { ...opts.config, ...(model ? { model } : {}), source: 'deepgram' },
    metrics: ctx.metrics,
    audioAheadBudgetMs: ctx.limits.audioAheadBudgetMs,
    // Live streams are admitted as on Earshot's own socket: one slot per channel transcribed.
    admission: ctx.admission,
  });
  const stopGauge = ctx.metrics.streamOpened('asr', 'ws');
  let modelName = opts.requestedModel ?? 'earshot';
  let finalizing = false;
  let ended = false;

  const closeStream = async (code: number, reason: string) => {
    if (ended) return;
    ended = true;
    try {
      const done = session.isClosed ? null : await session.end();
      channel.sendJson(
        metadataMessage({ requestId, model: modelName, durationMs: done?.duration_ms ?? 0, createdAt, channels: session.channelCount }),
      );
    } catch (err) {
      sendError(err instanceof Error ? err.message : String(err), 'internal');
    }
    channel.close(code, reason);
  };
  const entry = { shutdown: () => closeStream(CLOSE_CODES.goingAway, 'server shutting down') };
  live.add(entry);

  session.on('message', (msg: AsrServerMessage) => {
    switch (msg.type) {
      case 'ready':
        modelName = opts.requestedModel ?? msg.model;
        return;
      case 'transcript': {
        if (!msg.is_final && !opts.interimResults) return;
        const speechFinal = msg.is_final && !finalizing && !ended;
        channel.sendJson(
          resultsMessage(msg, {
            requestId,
            model: modelName,
            speechFinal,
            fromFinalize: msg.is_final && (finalizing || ended),
            channels: session.laneCount,
          }),
          !msg.is_final,
        );
        const lastWord = msg.is_final ? msg.words?.at(-1) : undefined;
        if (speechFinal && opts.utteranceEndMs !== null && lastWord) {
          channel.sendJson({ type: 'UtteranceEnd', channel: [msg.channel ?? 0, session.laneCount], last_word_end: lastWord.end_ms / 1000 });
        }
        return;
      }
      case 'speech_started':
        if (opts.vadEvents) channel.sendJson({ type: 'SpeechStarted', channel: [msg.channel ?? 0], timestamp: msg.at_ms / 1000 });
        return;
      case 'error':
        sendError(msg.message, msg.code);
        return;
      default:
        return;
    }
  });

  session.on('closed', () => {
    if (!ended) channel.close(CLOSE_CODES.internal, 'the recognizer stopped');
  });

  const fail = (err: unknown) =>
    sendError(err instanceof SessionError ? err.message : `internal error: ${String(err)}`, wsErrorCodeOf(err));

  let started = false;
  const pending: Buffer[] = [];
  ws.on('message', (data, isBinary) => {
    channel.touch();
    const m = parseFrame(data, isBinary, ctx.limits.maxJsonBytes);
    if (m.kind === 'binary') {
      if (!started) {
        if (pending.reduce((a, b) => a + b.byteLength, 0) > ctx.limits.maxFrameBytes * 8)
          return sendError('too much audio before the engine was ready', 'rate_limited');
        pending.push(m.data);
        return;
      }
      try {
        session.writeAudio(m.data);
      } catch (err) {
        fail(err);
      }
      return;
    }
    if (m.kind === 'invalid') return sendError(m.message, m.code);
    switch (m.type) {
      case 'KeepAlive':
        return;
      case 'Finalize':
        if (!started || session.isClosed) return;
        finalizing = true;
        void session
          .flush()
          .catch(fail)
          .finally(() => (finalizing = false));
        return;
      case 'CloseStream':
        void closeStream(CLOSE_CODES.normal, 'stream closed');
        return;
      default:
        return sendError(`unknown message type "${String(m.type)}"; expected KeepAlive, Finalize or CloseStream`, 'bad_json');
    }
  });

  ws.on('close', () => {
    live.delete(entry);
    channel.clearIdle();
    stopGauge();
    release();
    void session.abort().catch((err) => ctx.logger.error({ err }, 'Deepgram stream abort failed'));
  });
  ws.on('error', (err) => ctx.logger.warn({ err: err.message }, 'Deepgram WebSocket error'));

  void ctx.engine.ready
    .then(() => {
      if (ws.readyState !== ws.OPEN) return;
      try {
        session.start();
      } catch (err) {
        fail(err);
        const code = err instanceof OverloadedError ? CLOSE_CODES.tryAgainLater : CLOSE_CODES.policyViolation;
        channel.close(code, err instanceof Error ? err.message.slice(0, 120) : 'cannot start');
        return;
      }
      started = true;
      for (const b of pending.splice(0)) session.writeAudio(b);
    })
    .catch((err) => {
      sendError(`the engine failed to load: ${err instanceof Error ? err.message : String(err)}`, 'model_unavailable');
      channel.close(CLOSE_CODES.internal, 'engine failed to load');
    });
}
