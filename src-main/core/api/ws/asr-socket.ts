// ASR over WebSocket (docs/PROTOCOL.md "ASR WebSocket"): query parameters → AsrSession config, binary frames
// and `audio` messages → audio, `flush`/`end`/`config` → the session; everything the session emits goes back
// as JSON. A bad message gets an `error` and the stream goes on.
import { wsCloseCodeOf } from '../../errors.js';
import type { WebSocket } from 'ws';
import { ASR_CLIENT_TYPES, CLOSE_CODES, type AsrServerMessage } from '../../../../proto/ws-messages.js';
import { MultichannelAsrSession, SessionError } from '../../sessions/index.js';
import type { ApiContext } from '../context.js';
import type { ShutdownSet } from '../work-in-progress.js';
import { decodeJsonAudio } from './json-audio.js';
import { SocketChannel, parseFrame, type Incoming } from './socket-channel.js';

/** How long a stream with no options in its URL waits for a first `config` message before starting. */
const FIRST_MESSAGE_GRACE_MS = 1000;

function jsonTooLarge(size: number, limit: number): string {
  return `JSON message of ${size} bytes exceeds the ${limit}-byte limit (only "audio" messages may be larger)`;
}

/** Connection-level keys that are not stream options. */
const NON_CONFIG_PARAMS = new Set(['token']);

/** Where the cloud-protocol ASR sockets (api/compat) register, so a stop shuts them down too. */
export type LiveAsrSockets = ShutdownSet;

export function handleAsrSocket(ws: WebSocket, query: URLSearchParams, ctx: ApiContext, release: () => void): void {
  const config: Record<string, string> = {};
  for (const [k, v] of query) if (!NON_CONFIG_PARAMS.has(k)) config[k] = v;
  // One AsrSession, or one per channel for `channels=N&multichannel=true` (multichannel-asr-session.ts).
  const session = new MultichannelAsrSession({
    engine: ctx.engine,
    store: ctx.store,
    config,
    metrics: ctx.metrics,
    audioAheadBudgetMs: ctx.limits.audioAheadBudgetMs,
    maxQueuedAudioMs: ctx.limits.maxQueuedAudioMs,
    admission: ctx.admission,
    recordingsDir: ctx.recordingsDir,
  });
  const stopGauge = ctx.metrics.streamOpened('asr', 'ws');
  // Idle: end the stream as `end` would (final + session_complete), then close 4408.
  const channel = new SocketChannel(ws, ctx, () => {
    idle = true;
    if (session.isClosed) return channel.close(CLOSE_CODES.idle, 'idle timeout');
    void session
      .end()
      .catch(() => undefined)
      .finally(() => channel.close(CLOSE_CODES.idle, 'idle timeout'));
  });
  let idle = false;
  let shuttingDown = false;
  let socketClosed = false;
  const unregister = ctx.work.add({
    // Server stop: end the stream as if the client had sent `end` (final + session_complete), then 1001.
    finish: async () => {
      shuttingDown = true;
      if (!session.isClosed) await session.end().catch(() => undefined);
      channel.close(CLOSE_CODES.goingAway, 'server shutting down');
    },
    // Out of time: say so, drop the rest, close 1001 (finals already sent are stored).
    cut: (message) => {
      shuttingDown = true;
      if (!session.isClosed) channel.sendError('unavailable', `${message}; the utterance in progress was not finalized`);
      session.cancel();
      channel.close(CLOSE_CODES.goingAway, 'server shutting down');
    },
  });
  // The stop waits until the socket is gone and the session has stored its last final.
  const settled = () => {
    if (socketClosed && session.isClosed) unregister();
  };

  session.on('message', (msg: AsrServerMessage) => {
    channel.sendJson(msg, msg.type === 'transcript' && !msg.is_final);
  });
  // Shed by admission (the server fell behind real time): say why, end as `end` would, then 1013.
  session.on('shed', (message) => {
    channel.sendError('rate_limited', message);
    void session.end().catch(() => undefined);
  });
  session.on('closed', () => {
    settled();
    if (shuttingDown) channel.close(CLOSE_CODES.goingAway, 'server shutting down');
    else if (session.shedReason) channel.close(CLOSE_CODES.tryAgainLater, session.shedReason.slice(0, 120));
    else if (idle) channel.close(CLOSE_CODES.idle, `no message for ${ctx.limits.idleTimeoutMs} ms`);
    else channel.close(CLOSE_CODES.normal, 'session complete');
  });

  // Frames that arrive while the engine is still loading wait here (bounded), then replay in order.
  let started = false;
  let backlog: Incoming[] | null = [];
  let backlogBytes = 0;

  const fail = (err: unknown): void => {
    if (err instanceof SessionError) channel.sendError(err.code, err.message);
    else {
      ctx.logger.error({ err }, 'ASR stream failed');
      channel.sendError('internal', err instanceof Error ? err.message : String(err));
    }
  };

  const handle = (m: Incoming): void => {
    // Shed: the client was told why and the stream is ending; what it sends meanwhile is dropped quietly.
    if (session.shedReason) return;
    try {
      if (m.kind === 'invalid') return channel.sendError(m.code, m.message);
      if (m.kind === 'binary') return session.writeAudio(m.data);
      if (m.type !== 'audio' && m.bytes > ctx.limits.maxJsonBytes)
        return channel.sendError('too_large', jsonTooLarge(m.bytes, ctx.limits.maxJsonBytes));
      switch (m.type) {
        case 'audio': {
          const audio = decodeJsonAudio(m.body.audio);
          return audio.kind === 'samples' ? session.writeSamples(audio.samples) : session.writeAudio(audio.data);
        }
        case 'flush':
          void session.flush().catch(fail);
          return;
        case 'end':
        case 'eof':
          void session.end().catch(fail);
          return;
        case 'config': {
          const { type: _t, ...fields } = m.body;
          return session.configure(fields);
        }
        default:
          return channel.sendError(
            'bad_json',
            m.type === undefined
              ? 'message has no "type"'
              : `unknown message type "${m.type}"; expected one of ${ASR_CLIENT_TYPES.join(', ')}`,
          );
      }
    } catch (err) {
      fail(err);
    }
  };

  ws.on('message', (data, isBinary) => {
    channel.touch();
    // `audio` messages may be as large as a binary frame (4096 float samples as JSON text are ~90 KB); every
    // other message keeps the JSON limit, checked once its type is known (handle()).
    const m = parseFrame(data, isBinary, Math.max(ctx.limits.maxJsonBytes, ctx.limits.maxFrameBytes));
    if (started) return handle(m);
    if (!backlog) return;
    backlogBytes += m.kind === 'binary' ? m.data.byteLength : 0;
    if (backlogBytes > ctx.limits.maxFrameBytes * 8) {
      channel.sendError('rate_limited', 'the engine is still loading and too much audio is waiting; this frame was dropped');
      return;
    }
    backlog.push(m);
  });

  ws.on('close', () => {
    socketClosed = true;
    channel.clearIdle();
    stopGauge();
    release();
    backlog = null;
    void session
      .abort()
      .catch((err) => ctx.logger.error({ err }, 'ASR abort failed'))
      .finally(settled);
  });
  ws.on('error', (err) => ctx.logger.warn({ err: err.message }, 'ASR WebSocket error'));

  // A first `config` message is equivalent to query parameters, so when the URL carries no options the session
  // starts at the first message (merged into the initial config when it is a `config`) or after
  // FIRST_MESSAGE_GRACE_MS, whichever comes first; with options in the URL it starts at once.
  const hasQueryConfig = Object.keys(config).length > 0;
  const firstMessage = new Promise<void>((resolve) => {
    if (hasQueryConfig) return resolve();
    const t = setTimeout(resolve, FIRST_MESSAGE_GRACE_MS);
    ws.once('message', () => {
      clearTimeout(t);
      resolve();
    });
  });

  void Promise.all([ctx.engine.ready, firstMessage])
    .then(() => {
      if (!backlog) return; // the client already left
      const first = backlog[0];
      if (first?.kind === 'json' && first.type === 'config') {
        backlog.shift();
        const { type: _t, ...fields } = first.body;
        session.mergeInitialConfig(fields);
      }
      try {
        session.start();
      } catch (err) {
        fail(err);
        // The close code comes from the error table (core/errors.ts): over capacity 1013 "try again later", a bad
        // config 1008, …, with the reason (the error message before it says more).
        channel.close(wsCloseCodeOf(err), err instanceof Error ? err.message.slice(0, 120) : 'cannot start');
        return;
      }
      started = true;
      const pending = backlog;
      backlog = null;
      for (const m of pending) handle(m);
    })
    .catch((err) => {
      channel.sendError('model_unavailable', `the engine failed to load: ${err instanceof Error ? err.message : String(err)}`);
      channel.close(CLOSE_CODES.internal, 'engine failed to load');
    });
}
