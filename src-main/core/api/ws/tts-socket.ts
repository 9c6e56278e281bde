// TTS over WebSocket (docs/PROTOCOL.md "TTS WebSocket"): one-shot and incremental JSON requests → TtsSession;
// its audio goes out as binary frames (never mixing two requests), its JSON messages as text frames.
import type { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../../../proto/ws-messages.js';
import { SessionError } from '../../sessions/index.js';
import { MAX_REQUEST_ID_CHARS, TtsSession } from '../../sessions/index.js';
import type { ApiContext } from '../context.js';
import type { ShutdownSet } from '../work-in-progress.js';
import { SocketChannel, parseFrame } from './socket-channel.js';

/**
 * TTS text messages may carry up to `maxTtsTextChars` characters (4 bytes each in the worst case of UTF-8), so
 * their JSON limit is larger than the general one; the frame limit still caps them.
 */
export function ttsJsonLimit(ctx: ApiContext): number {
  return Math.min(ctx.limits.maxFrameBytes, Math.max(ctx.limits.maxJsonBytes, ctx.limits.maxTtsTextChars * 4 + 4096));
}

/** Where the cloud-protocol TTS sockets (api/compat) register, so a stop shuts them down too. */
export type LiveTtsSockets = ShutdownSet;

export function handleTtsSocket(ws: WebSocket, query: URLSearchParams, ctx: ApiContext, release: () => void): void {
  const stopGauge = ctx.metrics.streamOpened('tts', 'ws');
  const channel = new SocketChannel(ws, ctx, () => channel.close(CLOSE_CODES.idle, 'idle timeout'));
  const defaults: Record<string, unknown> = {};
  for (const [k, v] of query) if (k !== 'token') defaults[k] = v;
  const session = new TtsSession({
    engine: ctx.engine,
    maxTextChars: ctx.limits.maxTtsTextChars,
    maxQueuedRequests: ctx.limits.maxTtsQueuedRequests,
    maxQueuedChars: ctx.limits.maxTtsQueuedChars,
    metrics: ctx.metrics,
    waitForDrain: () => channel.drained(),
    // Clients written for other servers name their own voices ("Yara"): serve them, with a `warning`.
    voiceFallback: true,
  });
  // Server stop: TTS output is not stored, so the stream ends at once (synthesis cancelled), close 1001.
  const goAway = () => {
    session.close();
    channel.close(CLOSE_CODES.goingAway, 'server shutting down');
  };
  const unregister = ctx.work.add({ finish: goAway, cut: goAway });
  session.on('message', (msg) => channel.sendJson(msg));
  session.on('audio', (chunk) => channel.sendBinary(chunk.bytes));
  session.on('finished', () => channel.close(CLOSE_CODES.normal, 'finished'));

  const fail = (err: unknown, requestId?: unknown): void => {
    // Only a valid request_id is echoed (tts-session.checkRequestId): never an arbitrary JSON value.
    const extra =
      typeof requestId === 'string' && requestId.length > 0 && requestId.length <= MAX_REQUEST_ID_CHARS ? { request_id: requestId } : {};
    if (err instanceof SessionError) channel.sendError(err.code, err.message, extra);
    else {
      ctx.logger.error({ err }, 'TTS stream failed');
      channel.sendError('internal', err instanceof Error ? err.message : String(err), extra);
    }
  };

  let configError: unknown = null;
  try {
    if (Object.keys(defaults).length) session.configure(defaults);
  } catch (err) {
    configError = err;
  }

  const started = ctx.engine.ready.then(
    () => true,
    (err) => {
      channel.sendError('model_unavailable', `the engine failed to load: ${err instanceof Error ? err.message : String(err)}`);
      channel.close(CLOSE_CODES.internal, 'engine failed to load');
      return false;
    },
  );
  if (configError) {
    fail(configError);
    channel.close(CLOSE_CODES.policyViolation, 'bad query parameters');
  }

  // Messages are handled in arrival order, after the engine is ready.
  let chain: Promise<unknown> = started;
  ws.on('message', (data, isBinary) => {
    channel.touch();
    const m = parseFrame(data, isBinary, ttsJsonLimit(ctx));
    chain = chain.then(async (ok) => {
      if (!ok || session.isClosed) return ok;
      if (m.kind === 'invalid') channel.sendError(m.code, m.message);
      else if (m.kind === 'binary') channel.sendError('bad_json', 'the TTS stream takes JSON text messages, not binary frames');
      else {
        const body = m.body;
        try {
          session.handle(body);
        } catch (err) {
          fail(err, body.request_id);
        }
      }
      return ok;
    });
  });

  ws.on('close', () => {
    unregister();
    channel.clearIdle();
    stopGauge();
    release();
    session.close();
  });
  ws.on('error', (err) => ctx.logger.warn({ err: err.message }, 'TTS WebSocket error'));
}
