// Whole-buffer transcription through the same AsrSession the WebSocket path drives: the bytes go in as fast
// as the engine takes them, endpointing cuts them into utterances, and the finals come back as segments.
// Used by POST /v1/audio/transcriptions and by gRPC SpeechRecognition.Transcribe.
//
// A file is batch work: admitted as a batch job (a few at a time, else OverloadedError → 503/RESOURCE_EXHAUSTED),
// decoded by the workers only in capacity live streams leave idle, and written paced on the engine's progress
// (at most PACE_AHEAD_MS waiting), so it never floods a worker's queue. A client that goes away cancels it.
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

/** Bytes handed to the session per write: bounded, so one upload never becomes one giant worker message. */
const WRITE_BYTES = 64 * 1024;
/** Most audio of a file waiting in the worker at once (ms): enough to keep it busy, little to hold. */
const PACE_AHEAD_MS = 8_000;

/**
 * Transcribe a complete audio buffer (WAV of any supported rate, or raw PCM described by `config`).
 * Throws SessionError with a PROTOCOL.md code (bad_audio, bad_config, model_unavailable, internal).
 */
export async function transcribeBuffer(ctx: ApiContext, audio: Uint8Array, config: AsrConfigInput, signal?: AbortSignal): Promise<FileTranscription> {
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
    maxQueuedAudioMs: Number.POSITIVE_INFINITY,
    batch: true,
    admission: ctx.admission,
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
  try {
    for (let o = 0; o < audio.byteLength; o += WRITE_BYTES) {
      if (signal?.aborted) throw new SessionError('bad_config', 'the client went away; transcription cancelled');
      session.writeAudio(audio.subarray(o, Math.min(audio.byteLength, o + WRITE_BYTES)));
      await session.drained(PACE_AHEAD_MS);
    }
    if (signal?.aborted) throw new SessionError('bad_config', 'the client went away; transcription cancelled');
    const done = await session.end();
    if (failure) throw failure;
    return {
      text: segments.map((s) => s.text).join(' '),
      segments,
      durationMs: done.duration_ms,
      model: ready.model,
      sessionId: session.storedSessionId,
    };
  } finally {
    if (!session.isClosed) await session.abort();
  }
}
