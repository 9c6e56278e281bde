// The common core of the cloud protocols' streaming TTS sockets (Deepgram /v1/speak, LMNT's speech stream):
// text appended in pieces is spoken sentence by sentence by one TtsSession; a flush completes everything
// appended so far and is acknowledged once its audio has gone out (also when nothing was pending, so a client
// waiting for the acknowledgement never hangs); a clear/reset drops what is pending; a finish speaks the rest
// and closes 1000. Each protocol supplies how its messages look.
//
// Compressed output (LMNT's default mp3, webm, ulaw; Deepgram's mulaw/alaw, and mp3/opus/flac/aac): each
// flushed request's PCM goes through its own streaming encoder (core/audio/encoder.ts), whose bytes go out as
// they are produced, and the flush is acknowledged once that request's encoded audio is all out. So every flush's
// audio is a complete stream of the format (MP3 frames, an Ogg/WebM file, a µ-law WAV), sent in request order.
import { wsErrorCodeOf } from '../../errors.js';
import type { WebSocket } from 'ws';
import { AudioEncoder, type EncodeFormat } from '../../audio/index.js';
import { CLOSE_CODES, type TtsFormat } from '../../../../proto/ws-messages.js';
import { TtsSession } from '../../sessions/index.js';
import type { ApiContext } from '../context.js';
import { SocketChannel, parseFrame } from '../ws/socket-channel.js';
import { ttsJsonLimit, type LiveTtsSockets } from '../ws/tts-socket.js';

export type TtsCommand =
  { op: 'text'; text: string } | { op: 'flush'; ack: unknown } | { op: 'clear'; ack: unknown } | { op: 'finish' } | { op: 'ignore' };

export interface IncrementalTtsProtocol {
  /** Session defaults (voice, format, rate) decided from the handshake or the first message. */
  options: { voice?: string; format: TtsFormat; sampleRate?: number; encode?: { format: EncodeFormat; bitrateKbps?: number } };
  /** One client JSON message → what to do; throw SessionError for a bad message. */
  command(body: Record<string, unknown>): TtsCommand;
  flushed(ack: unknown): object;
  cleared(ack: unknown): object;
  error(code: string, message: string): object;
  /** Sent once the session can take text (Deepgram `Metadata`, LMNT `ready`). */
  opening?: object;
  /** Whether a bad message ends the connection (LMNT closes after an error; Deepgram goes on). */
  closeOnError: boolean;
}

export function runIncrementalTtsSocket(
  ws: WebSocket,
  ctx: ApiContext,
  live: LiveTtsSockets,
  release: () => void,
  protocol: IncrementalTtsProtocol,
  channel?: SocketChannel,
): SocketChannel {
  const ch = channel ?? new SocketChannel(ws, ctx, () => ch.close(CLOSE_CODES.idle, 'idle timeout'));
  const stopGauge = ctx.metrics.streamOpened('tts', 'ws');
  const session = new TtsSession({
    engine: ctx.engine,
    maxTextChars: ctx.limits.maxTtsTextChars,
    metrics: ctx.metrics,
    waitForDrain: () => ch.drained(),
    defaults: { voice: protocol.options.voice, format: protocol.options.format, sampleRate: protocol.options.sampleRate },
  });
  const entry = {
    shutdown: async () => {
      session.close();
      ch.close(CLOSE_CODES.goingAway, 'server shutting down');
    },
  };
  live.add(entry);
  // Acknowledgements waiting for a request's synthesis_complete, one group per flushed request, in order.
  const awaiting: unknown[][] = [];
  let appended = false;

  const fail = (code: string, message: string) => {
    ch.sendJson(protocol.error(code, message));
    if (protocol.closeOnError) ch.close(CLOSE_CODES.policyViolation, message.slice(0, 120));
  };
  const encoding = protocol.options.encode;
  // Per request: its encoder; `sent` resolves once every earlier request's encoded bytes are out.
  const encoders = new Map<string, AudioEncoder>();
  let sent: Promise<void> = Promise.resolve();
  /** Encoders of cancelled requests (clear/reset): whatever they still produce is dropped. */
  const dropped = new WeakSet<AudioEncoder>();
  const encoderFor = (requestId: string, inputRate: number): AudioEncoder => {
    let enc = encoders.get(requestId);
    if (enc) return enc;
    enc = new AudioEncoder({ ...encoding!, inputRate, outputRate: protocol.options.sampleRate });
    encoders.set(requestId, enc);
    const out = enc;
    // Read at once (ffmpeg must never block on a full pipe); send in request order.
    const chunks: Buffer[] = [];
    let turn = false;
    const reading = (async () => {
      for await (const c of out.output()) {
        if (dropped.has(out)) continue;
        if (turn) ch.sendBinary(c);
        else chunks.push(c);
      }
    })();
    sent = sent.then(async () => {
      turn = true;
      for (const c of chunks.splice(0)) if (!dropped.has(out)) ch.sendBinary(c);
      await reading.catch((err) => fail('internal', err instanceof Error ? err.message : String(err)));
    });
    return enc;
  };
  session.on('audio', (chunk) => {
    if (!encoding) return ch.sendBinary(chunk.bytes);
    void encoderFor(chunk.requestId, chunk.sampleRate).write(chunk.bytes);
  });
  session.on('message', (msg) => {
    if (msg.type === 'synthesis_complete') {
      const acks = awaiting.shift() ?? [];
      const enc = encoders.get(msg.request_id);
      encoders.delete(msg.request_id);
      enc?.end();
      // The acknowledgement follows the request's last encoded byte.
      const ack = () => {
        for (const a of acks) ch.sendJson(protocol.flushed(a));
      };
      if (encoding) sent = sent.then(ack);
      else ack();
    } else if (msg.type === 'error') fail(msg.code, msg.message);
  });
  const dropEncoders = () => {
    for (const enc of encoders.values()) {
      dropped.add(enc);
      enc.abort();
    }
    encoders.clear();
  };
  session.on('finished', () => void sent.then(() => ch.close(CLOSE_CODES.normal, 'finished')));

  const apply = (cmd: TtsCommand) => {
    switch (cmd.op) {
      case 'text':
        if (!cmd.text) return;
        session.append({ text: cmd.text });
        appended = true;
        return;
      case 'flush':
        if (appended) {
          session.flush();
          awaiting.push([cmd.ack]);
          appended = false;
        } else if (awaiting.length) awaiting.at(-1)!.push(cmd.ack);
        else ch.sendJson(protocol.flushed(cmd.ack));
        return;
      case 'clear':
        session.cancel();
        dropEncoders();
        awaiting.length = 0;
        appended = false;
        ch.sendJson(protocol.cleared(cmd.ack));
        return;
      case 'finish':
        if (appended) awaiting.push([]);
        session.finish();
        return;
      case 'ignore':
        return;
    }
  };

  const ready = ctx.engine.ready.then(
    () => {
      if (protocol.opening) ch.sendJson(protocol.opening);
      return true;
    },
    (err) => {
      fail('model_unavailable', `the engine failed to load: ${err instanceof Error ? err.message : String(err)}`);
      ch.close(CLOSE_CODES.internal, 'engine failed to load');
      return false;
    },
  );
  let chain: Promise<boolean> = ready;
  ws.on('message', (data, isBinary) => {
    ch.touch();
    const m = parseFrame(data, isBinary, ttsJsonLimit(ctx));
    chain = chain.then((ok) => {
      if (!ok || session.isClosed) return ok;
      if (m.kind === 'invalid') fail(m.code, m.message);
      else if (m.kind === 'binary') fail('bad_json', 'this stream takes JSON text messages, not binary frames');
      else {
        try {
          apply(protocol.command(m.body));
        } catch (err) {
          fail(wsErrorCodeOf(err), err instanceof Error ? err.message : String(err));
        }
      }
      return ok;
    });
  });
  ws.on('close', () => {
    live.delete(entry);
    ch.clearIdle();
    stopGauge();
    release();
    session.close();
    dropEncoders();
  });
  ws.on('error', (err) => ctx.logger.warn({ err: err.message }, 'TTS WebSocket error'));
  return ch;
}
