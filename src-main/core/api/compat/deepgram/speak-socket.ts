// Deepgram live text to speech (`wss://…/v1/speak?model=…&encoding=linear16&sample_rate=…`, what
// `@deepgram/sdk`'s `speak.v1.connect()` opens). Client: `{"type":"Speak","text"}`, `{"type":"Flush"}`,
// `{"type":"Clear"}`, `{"type":"Close"}`. Server: `Metadata` first, audio as binary frames (raw linear16, mulaw or
// alaw as Deepgram sends them; mp3/opus/flac/aac as one complete stream per flush),
// `{"type":"Flushed","sequence_id"}` once a flush's audio is out, `{"type":"Cleared","sequence_id"}`, and
// `{"type":"Warning","description","code"}` for a bad message (the stream goes on).
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../../../../proto/ws-messages.js';
import { SessionError } from '../../../sessions/index.js';
import type { ApiContext } from '../../context.js';
import { SocketChannel } from '../../ws/socket-channel.js';
import type { LiveTtsSockets } from '../../ws/tts-socket.js';
import { runIncrementalTtsSocket } from '../incremental-tts-socket.js';
import { deepgramSpeakOptions } from './speak-options.js';

export function handleDeepgramSpeakSocket(
  ws: WebSocket,
  query: URLSearchParams,
  ctx: ApiContext,
  live: LiveTtsSockets,
  release: () => void,
): void {
  const channel = new SocketChannel(ws, ctx, () => channel.close(CLOSE_CODES.idle, 'idle timeout'));
  let o: ReturnType<typeof deepgramSpeakOptions>;
  try {
    o = deepgramSpeakOptions(query, ctx.engine.voices(), { live: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    channel.sendJson({ type: 'Warning', description: message, code: 'BAD_REQUEST' });
    ws.once('close', release);
    channel.close(CLOSE_CODES.policyViolation, message.slice(0, 120));
    return;
  }
  let sequence = 0;
  runIncrementalTtsSocket(
    ws,
    ctx,
    live,
    release,
    {
      // Deepgram's live default rate is 24 kHz; encoded audio (mulaw, alaw, mp3…) is made from that PCM.
      options: { voice: o.voice, format: 'pcm', sampleRate: o.sampleRate ?? 24000, ...(o.encode ? { encode: o.encode } : {}) },
      opening: {
        type: 'Metadata',
        request_id: randomUUID(),
        model_name: o.model,
        model_version: 'earshot',
        model_uuid: o.voice ?? 'default',
      },
      closeOnError: false,
      command(body) {
        switch (body.type) {
          case 'Speak':
            if (typeof body.text !== 'string') throw new SessionError('bad_json', 'Speak needs a "text" string');
            return { op: 'text', text: body.text };
          case 'Flush':
            return { op: 'flush', ack: sequence++ };
          case 'Clear':
            return { op: 'clear', ack: sequence++ };
          case 'Close':
            return { op: 'finish' };
          default:
            throw new SessionError('bad_json', `unknown message type "${String(body.type)}"; expected Speak, Flush, Clear or Close`);
        }
      },
      flushed: (ack) => ({ type: 'Flushed', sequence_id: ack }),
      cleared: (ack) => ({ type: 'Cleared', sequence_id: ack }),
      error: (code, message) => ({ type: 'Warning', description: message, code: code.toUpperCase() }),
    },
    channel,
  );
}
