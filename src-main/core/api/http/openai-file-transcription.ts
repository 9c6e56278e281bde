// Whole-buffer transcription through the same AsrSession the WebSocket path drives: the bytes go in as fast
// as the engine takes them, endpointing cuts them into utterances, and the finals come back as segments.
// Used by POST /v1/audio/transcriptions and by gRPC SpeechRecognition.Transcribe.
import type { AsrConfigInput, FinalTranscript } from '../../../../proto/ws-messages.js';
import { parseWavHeader } from '../../audio/wav.js';
import { AsrSession, SessionError } from '../../sessions/asr-session.js';
import type { ApiContext } from '../context.js';

export interface FileTranscription {
  text: string;
  segments: FinalTranscript[];
  durationMs: number;
  model: string;
  /** Stored session id when `session` asked for storage, else null. */
  sessionId: string | null;
}

/**
 * Bytes handed to the session per write: bounded, so one upload never becomes one giant worker message, and at
 * most two writes wait in the worker at any time — a cancel (client gone, server stop) leaves little to decode.
 */
const WRITE_BYTES = 64 * 1024;

/**
 * Transcribe a complete audio buffer (WAV of any supported rate, or raw PCM described by `config`).
 * Throws SessionError with a PROTOCOL.md code (bad_audio, bad_config, model_unavailable, internal).
 * `signal`: abort to cancel at once (the client went away, or a server stop ran out of time); the transcription
 * then rejects with `signal.reason`, decoding stops after at most two writes, and a stored session is marked
 * interrupted (finals already stored stay).
 */
export async function transcribeBuffer(ctx: ApiContext, audio: Uint8Array, config: AsrConfigInput, signal?: AbortSignal): Promise<FileTranscription> {
  signal?.throwIfAborted();
  if (audio.byteLength === 0) throw new SessionError('bad_audio', 'the audio is empty');
  if (config.encoding === 'wav') {
    // The whole file is here: a header that never completes is an error now, not a wait for more bytes.
    try {
      parseWavHeader(audio);
    } catch (err) {
      throw new SessionError('bad_audio', `invalid WAV file: ${(err as Error).message}`);
    }
  }
  const session = new AsrSession({
    engine: ctx.engine,
    store: ctx.store,
    // A file is all there at once: running ahead of real time is the point, so no rate limit here
    // (the upload size limit bounds the work instead).
    audioAheadBudgetMs: Number.POSITIVE_INFINITY,
    config: { interim_results: false, ...config },
    metrics: ctx.metrics,
  });
  const segments: FinalTranscript[] = [];
  let failure: SessionError | null = null;
  session.on('message', (msg) => {
    if (msg.type === 'transcript' && msg.is_final) segments.push(msg);
    else if (msg.type === 'error' && !failure) failure = new SessionError(msg.code, msg.message);
  });
  const ready = session.start();
  const cancel = () => session.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    // Pipelined: write piece k+1 while the worker decodes piece k, then wait for piece k.
    let previous: Promise<void> = Promise.resolve();
    for (let o = 0; o < audio.byteLength; o += WRITE_BYTES) {
      signal?.throwIfAborted();
      session.writeAudio(audio.subarray(o, Math.min(audio.byteLength, o + WRITE_BYTES)));
      const written = session.drained();
      written.catch(() => undefined);
      await previous.catch((err) => {
        signal?.throwIfAborted();
        throw err;
      });
      previous = written;
    }
    await previous;
    signal?.throwIfAborted();
    const done = await session.end();
    signal?.throwIfAborted();
    if (failure) throw failure;
    return {
      text: segments.map((s) => s.text).join(' '),
      segments,
      durationMs: done.duration_ms,
      model: ready.model,
      sessionId: session.storedSessionId,
    };
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  } finally {
    signal?.removeEventListener('abort', cancel);
    if (!session.isClosed) await session.abort();
  }
}
