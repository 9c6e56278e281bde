// One TTS request as an async sequence of events, driven through TtsSession (the class behind the WebSocket
// TTS path), for the transports that answer one text per call: POST /v1/audio/speech, POST /v1/tts/stream
// and gRPC TextToSpeech.Synthesize.
//
// Backpressure: the consumer pulls; while more than `limits.sendBufferSoftBytes` of audio waits to be pulled,
// the session's waitForDrain hook holds synthesis back, so a slow reader never makes the queue grow.
import type { SynthesisCompleteMessage, SynthesisStartedMessage, TtsFormat } from '../../../../proto/ws-messages.js';
import { SessionError } from '../../sessions/index.js';
import { TtsSession, type TtsAudioChunk } from '../../sessions/index.js';
import type { ApiContext } from '../context.js';

export interface OneTextRequest {
  text: string;
  voice?: string;
  language?: string;
  format?: TtsFormat;
  sample_rate?: number;
  speed?: number;
  request_id?: string;
}

export type SynthesisEvent =
  | { type: 'started'; msg: SynthesisStartedMessage }
  | { type: 'audio'; chunk: TtsAudioChunk }
  | { type: 'complete'; msg: SynthesisCompleteMessage };

/**
 * Starts synthesis of one text. Bad requests (empty text, unknown voice, bad options) throw SessionError
 * right here, before any event, so a transport can still answer with an error status. Stopping the
 * iteration early (break, or `signal` aborted) stops synthesis. `pieces`: the text already cut (TtsSession.speak).
 */
export function synthesizeOne(
  ctx: ApiContext,
  req: OneTextRequest,
  signal?: AbortSignal,
  pieces?: readonly string[],
): AsyncIterable<SynthesisEvent> {
  const queue: SynthesisEvent[] = [];
  let queuedBytes = 0;
  let failure: SessionError | null = null;
  let done = false;
  let wakeConsumer: (() => void) | null = null;
  let wakeProducer: (() => void) | null = null;
  const soft = ctx.limits.sendBufferSoftBytes;

  const session = new TtsSession({
    engine: ctx.engine,
    metrics: ctx.metrics,
    maxTextChars: ctx.limits.maxTtsTextChars,
    waitForDrain: () => (queuedBytes > soft ? new Promise<void>((r) => (wakeProducer = r)) : undefined),
  });
  const push = (e: SynthesisEvent) => {
    queue.push(e);
    if (e.type === 'audio') queuedBytes += e.chunk.bytes.byteLength;
    wakeConsumer?.();
  };
  session.on('audio', (chunk) => push({ type: 'audio', chunk }));
  session.on('message', (msg) => {
    if (msg.type === 'synthesis_started') push({ type: 'started', msg });
    else if (msg.type === 'synthesis_complete') {
      push({ type: 'complete', msg });
      done = true;
    } else if (msg.type === 'error') {
      failure = new SessionError(msg.code, msg.message);
      done = true;
      wakeConsumer?.();
    }
  });
  const stop = () => {
    session.close();
    wakeProducer?.();
    wakeConsumer?.();
  };
  if (signal?.aborted) throw new SessionError('internal', 'request aborted');
  signal?.addEventListener('abort', stop, { once: true });
  try {
    session.speak({ ...req, text: req.text }, pieces);
  } catch (err) {
    signal?.removeEventListener('abort', stop);
    session.close();
    throw err;
  }

  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const e = queue.shift();
          if (e) {
            if (e.type === 'audio') {
              queuedBytes -= e.chunk.bytes.byteLength;
              if (queuedBytes <= soft) {
                const w = wakeProducer;
                wakeProducer = null;
                w?.();
              }
            }
            yield e;
            if (e.type === 'complete') return;
            continue;
          }
          if (failure) throw failure;
          if (done || session.isClosed || signal?.aborted) return;
          await new Promise<void>((r) => (wakeConsumer = r));
          wakeConsumer = null;
        }
      } finally {
        signal?.removeEventListener('abort', stop);
        stop();
      }
    },
  };
}
