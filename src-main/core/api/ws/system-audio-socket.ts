// System-audio captions for any client of the API (the browser app above all): opening
// `/v1/system-audio/stream` makes the SERVER record what its machine plays — the default sink's monitor, through
// PulseAudio/PipeWire (`parec` / `pw-record`) — into an AsrSession with source `system`, exactly as the desktop
// shell does; the socket carries that session's messages, as the ASR WebSocket would. Opening the socket starts
// the capture, `{"type":"end"}` (or closing the socket) stops it: a client that goes away never leaves a
// recording running. `session=<id>` adds the `system` track to a running mic session (one stored session, two
// tracks); `new` stores it alone; `none` (default) stores nothing.
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type AsrServerMessage } from '../../../../proto/ws-messages.js';
import { OverloadedError, SessionError } from '../../sessions/index.js';
import { LinuxSystemAudioCapture, SystemAudioCaptions, SystemAudioError } from '../../sessions/index.js';
import type { ApiContext } from '../context.js';
import { SocketChannel, parseFrame } from './socket-channel.js';

/** Query keys this stream takes (the capture decides rate and encoding). */
const KEYS = new Set(['session', 'language', 'model', 'endpointing', 'interim_results', 'token']);

/** Why this server cannot record its own system audio, or null when it can try. */
export function systemAudioUnsupported(): string | null {
  if (process.platform === 'linux') return null;
  return (
    `the server records system audio on Linux (PulseAudio/PipeWire monitor sources); on ${process.platform} ` +
    'the desktop app captures it (Windows: WASAPI loopback; macOS: ScreenCaptureKit or a loopback driver)'
  );
}

export function handleSystemAudioSocket(ws: WebSocket, query: URLSearchParams, ctx: ApiContext, release: () => void): void {
  let captions: SystemAudioCaptions | null = null;
  let ended = false;
  // Silence on the speakers is not an idle client: the stream lives while the client is connected.
  const channel = new SocketChannel(ws, ctx, () => channel.touch());
  const refuse = (code: SessionError['code'], message: string, close: number = CLOSE_CODES.policyViolation) => {
    channel.sendError(code, message);
    channel.close(close, message.slice(0, 120));
  };
  const unknown = [...query.keys()].filter((k) => !KEYS.has(k));
  const unsupported = systemAudioUnsupported();
  const stopGauge = ctx.metrics.streamOpened('asr', 'ws');

  const unregister = ctx.work.add({
    finish: async () => {
      if (captions && !ended) {
        ended = true;
        await captions.stop().catch(() => undefined);
      }
      channel.close(CLOSE_CODES.goingAway, 'server shutting down');
    },
    cut: () => {
      void captions?.abort();
      channel.close(CLOSE_CODES.goingAway, 'server shutting down');
    },
  });

  ws.on('close', () => {
    channel.clearIdle();
    stopGauge();
    release();
    const c = captions;
    captions = null;
    void (c && !ended ? c.abort() : Promise.resolve())
      .catch((err) => ctx.logger.error({ err }, 'system audio abort failed'))
      .finally(unregister);
  });
  ws.on('error', (err) => ctx.logger.warn({ err: err.message }, 'system audio WebSocket error'));

  if (unknown.length)
    return refuse('bad_config', `unknown option ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}; known: ${[...KEYS].join(', ')}`);
  if (unsupported) return refuse('bad_config', unsupported);

  const endStream = async () => {
    if (!captions || ended) return;
    ended = true;
    await captions.stop().catch((err) => channel.sendError('internal', err instanceof Error ? err.message : String(err)));
    channel.close(CLOSE_CODES.normal, 'session complete');
  };

  ws.on('message', (data, isBinary) => {
    channel.touch();
    const m = parseFrame(data, isBinary, ctx.limits.maxJsonBytes);
    if (m.kind === 'invalid') return channel.sendError(m.code, m.message);
    if (m.kind === 'binary')
      return channel.sendError('bad_audio', 'this stream records the server’s system audio; it takes no audio from the client');
    if (m.type === 'end' || m.type === 'eof') return void endStream();
    if (m.type === 'flush') return void captions?.flush().catch((err) => channel.sendError('internal', String(err)));
    channel.sendError('bad_json', `unknown message type "${String(m.type)}"; expected flush or end`);
  });

  const endpointing = query.get('endpointing');
  const interim = query.get('interim_results');
  void ctx.engine.ready
    .then(async () => {
      if (ws.readyState !== ws.OPEN) return;
      const source = new LinuxSystemAudioCapture({ sampleRate: 16000 });
      const c = new SystemAudioCaptions({
        engine: ctx.engine,
        source,
        store: ctx.store,
        admission: ctx.admission,
        session: query.get('session') ?? 'none',
        ...(query.get('language') ? { language: query.get('language')! } : {}),
        ...(query.get('model') ? { model: query.get('model')! } : {}),
        ...(endpointing !== null ? { endpointing: endpointing === 'false' ? false : Number(endpointing) } : {}),
        ...(interim !== null ? { interimResults: interim === 'true' || interim === '1' } : {}),
        onMessage: (msg: AsrServerMessage) => channel.sendJson(msg, msg.type === 'transcript' && !msg.is_final),
      });
      try {
        await c.start();
      } catch (err) {
        if (err instanceof OverloadedError) return refuse('rate_limited', err.message, CLOSE_CODES.tryAgainLater);
        if (err instanceof SessionError) return refuse(err.code, err.message);
        if (err instanceof SystemAudioError)
          return refuse('bad_config', `system audio capture cannot start: ${err.message}`, CLOSE_CODES.internal);
        throw err;
      }
      if (ws.readyState !== ws.OPEN) return void c.abort();
      captions = c;
      // ready was sent by the session; the capture itself reports where it records from.
      channel.sendJson({ type: 'capture', device: source.device, tool: source.tool, sample_rate: source.sampleRate });
    })
    .catch((err) => refuse('internal', `system audio failed: ${err instanceof Error ? err.message : String(err)}`, CLOSE_CODES.internal));
}
