// LMNT's streaming speech socket (`wss://…/v1/ai/speech/stream`, what `lmnt-node`'s `sessions.create()` opens).
// The first message is the init: `{"X-API-Key","voice","format","sample_rate","language","return_timestamps"}`;
// then `{"type":"text","text"}`, `{"type":"flush","nonce"}` (→ `flush_complete` with that nonce once its audio is
// out), `{"type":"reset","nonce"}` (drop pending text → `reset_complete`), `{"type":"finish"}` (speak the rest,
// close 1000). The server answers the init with `{"type":"ready","request_id"}`; audio goes out as binary frames;
// an error is `{"type":"error","error":{"type","message"},"request_id"}` and closes the connection, as LMNT does.
// LMNT's SDK cannot set headers, so the key in the init is the credential (checked like a Bearer token).
import { wsErrorCodeOf } from '../../../errors.js';
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type TtsFormat } from '../../../../../proto/ws-messages.js';
import type { EncodeFormat } from '../../../audio/index.js';
import { SessionError } from '../../../sessions/index.js';
import { tokenMatches } from '../../auth.js';
import type { ApiContext } from '../../context.js';
import { SocketChannel, parseFrame } from '../../ws/socket-channel.js';
import type { LiveTtsSockets } from '../../ws/tts-socket.js';
import { runIncrementalTtsSocket } from '../incremental-tts-socket.js';
import { pickVoice } from '../tts-voice.js';

/** LMNT's socket formats: raw PCM as synthesized, or encoded per flush (incremental-tts-socket.ts). */
const FORMATS: Record<string, { format: TtsFormat; encode?: { format: EncodeFormat; bitrateKbps?: number } }> = {
  mp3: { format: 'pcm', encode: { format: 'mp3', bitrateKbps: 96 } }, // LMNT's default: 96 kbit/s MP3
  pcm_s16le: { format: 'pcm' },
  pcm_f32le: { format: 'f32' },
  ulaw: { format: 'pcm', encode: { format: 'mulaw_wav' } }, // 8-bit G.711 µ-law with a WAV header
  webm: { format: 'pcm', encode: { format: 'webm_opus' } },
};
const RATES = new Set([8000, 16000, 24000]);

function lmntErrorType(code: string): string {
  if (code === 'unauthorized') return 'authentication_error';
  if (code === 'rate_limited') return 'rate_limit_error';
  if (code === 'internal' || code === 'model_unavailable') return 'internal_server_error';
  return 'invalid_request_error';
}

export function handleLmntSpeechSocket(
  ws: WebSocket,
  ctx: ApiContext,
  live: LiveTtsSockets,
  release: () => void,
  authorized: boolean,
): void {
  const requestId = randomUUID();
  const channel = new SocketChannel(ws, ctx, () => channel.close(CLOSE_CODES.idle, 'idle timeout'));
  const error = (code: string, message: string) => ({
    type: 'error',
    error: { type: lmntErrorType(code), message },
    request_id: requestId,
  });
  const refuse = (code: string, message: string, close: number) => {
    channel.sendJson(error(code, message));
    channel.close(close, message.slice(0, 120));
  };
  let released = false;
  const releaseOnce = () => {
    if (!released) {
      released = true;
      release();
    }
  };
  const onEarlyClose = () => releaseOnce();
  ws.once('close', onEarlyClose);

  ws.once('message', (data, isBinary) => {
    ws.off('close', onEarlyClose);
    const m = parseFrame(data, isBinary, ctx.limits.maxJsonBytes);
    if (m.kind !== 'json') {
      ws.once('close', releaseOnce);
      return refuse('bad_json', 'the first message must be the JSON init: {"X-API-Key","voice","format",…}', CLOSE_CODES.policyViolation);
    }
    const init = m.body;
    const key = typeof init['X-API-Key'] === 'string' ? init['X-API-Key'] : null;
    if (!authorized && !(key && tokenMatches(key, ctx.auth.token))) {
      ws.once('close', releaseOnce);
      return refuse('unauthorized', key ? 'invalid API key' : 'API key required (X-API-Key in the init message)', CLOSE_CODES.unauthorized);
    }
    try {
      const format = FORMATS[String(init.format ?? 'mp3')];
      if (!format) {
        throw new SessionError('bad_config', `format "${String(init.format)}" is not one of ${Object.keys(FORMATS).join(', ')}`);
      }
      const rate = init.sample_rate === undefined ? (init.format === 'ulaw' ? 8000 : 24000) : Number(init.sample_rate);
      if (!RATES.has(rate)) throw new SessionError('bad_config', 'sample_rate must be 8000, 16000 or 24000');
      const voices = ctx.engine.voices();
      const language = typeof init.language === 'string' && init.language !== 'auto' ? init.language : null;
      const voice = pickVoice(typeof init.voice === 'string' ? init.voice : null, voices, language);
      runIncrementalTtsSocket(
        ws,
        ctx,
        live,
        releaseOnce,
        {
          options: { voice, format: format.format, sampleRate: rate, ...(format.encode ? { encode: format.encode } : {}) },
          opening: { type: 'ready', request_id: requestId },
          closeOnError: true,
          command(body) {
            switch (body.type) {
              case 'text':
                if (typeof body.text !== 'string') throw new SessionError('bad_json', 'a text message needs a "text" string');
                return { op: 'text', text: body.text };
              case 'flush':
                return { op: 'flush', ack: body.nonce };
              case 'reset':
                return { op: 'clear', ack: body.nonce };
              case 'finish':
                return { op: 'finish' };
              default:
                throw new SessionError('bad_json', `unknown message type "${String(body.type)}"; expected text, flush, reset or finish`);
            }
          },
          flushed: (nonce) => ({ type: 'flush_complete', nonce }),
          cleared: (nonce) => ({ type: 'reset_complete', nonce }),
          error,
        },
        channel,
      );
    } catch (err) {
      ws.once('close', releaseOnce);
      refuse(wsErrorCodeOf(err), err instanceof Error ? err.message : String(err), CLOSE_CODES.policyViolation);
    }
  });
}
