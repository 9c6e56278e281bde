// Whole-buffer transcription through the same AsrSession the WebSocket path drives: the bytes go in as fast
// as the engine takes them, endpointing cuts them into utterances, and the finals come back as segments.
// Used by POST /v1/audio/transcriptions, gRPC SpeechRecognition.Transcribe and the cloud protocols' uploads.
// A file is decoded piece by piece (any container core/audio's decodeAudioFileMono knows, by its magic bytes);
// raw PCM is read only when the caller declares `encoding` pcm_s16le / pcm_f32le, because headerless bytes cannot
// be told from a container and reading them as the wrong thing is silently wrong.
//
// A file is batch work: admitted as a batch job (a few at a time, else OverloadedError → 503/RESOURCE_EXHAUSTED),
// decoded by the workers only in capacity live streams leave idle, and written paced on the engine's progress
// (at most PACE_AHEAD_MS waiting), so it never floods a worker's queue. A client that goes away cancels it.
import type { AsrConfigInput, FinalTranscript } from '../../../../proto/ws-messages.js';
import { AudioFormatError, decodeAudioFileMono, StreamingResampler } from '../../audio/index.js';
import { AsrSession, SessionError } from '../../sessions/index.js';
import type { ApiContext } from '../context.js';

export interface FileTranscription {
  text: string;
  segments: FinalTranscript[];
  durationMs: number;
  model: string;
  /** Stored session id when `session` asked for storage, else null. */
  sessionId: string | null;
}

export interface TranscribeOptions {
  /**
   * Abort to cancel at once (the client went away, or a server stop ran out of time); the transcription then
   * rejects with `signal.reason`, the worker drops what is queued (at most PACE_AHEAD_MS), and a stored session is
   * marked interrupted (finals already stored stay).
   */
  signal?: AbortSignal;
  /** Called with each final segment as it is recognized (streamed responses). */
  onSegment?: (segment: FinalTranscript) => void;
  /** Called as decoding advances (after each write, and once at the end). */
  onProgress?: (progress: FileProgress) => void;
  /** Title of the stored session (when `config.session` stores one). */
  title?: string;
  /** Called once the session has started, with its stored session id (null when nothing is stored). */
  onStarted?: (storedSessionId: string | null) => void;
}

/** How far a file transcription has got. */
export interface FileProgress {
  /** Audio decoded by the recognizer so far (ms). */
  decodedMs: number;
  /**
   * The file's audio length (ms): exact for raw PCM; for a container, what the bytes decoded so far predict for
   * the whole file (exact for PCM WAV, close for constant-bitrate codecs), so it may move a little as decoding goes.
   */
  totalMs: number;
}

/** Bytes (raw PCM) handed to the session per write: bounded, so one upload never becomes one giant worker message. */
const WRITE_BYTES = 64 * 1024;
/** Samples handed to the session per write (decoded files), for the same reason. */
const WRITE_SAMPLES = 32 * 1024;
/** Most audio of a file waiting in the worker at once (ms): enough to keep it busy, little to hold or drop. */
const PACE_AHEAD_MS = 8_000;
/** Input rates the sessions take; a decoded file outside them is resampled to RESAMPLE_TO first. */
const MIN_RATE = 8000;
const MAX_RATE = 48000;
const RESAMPLE_TO = 16000;

/** True when the config declares headerless PCM; anything else is a file to decode. */
export function isRawPcm(config: AsrConfigInput): boolean {
  return config.encoding === 'pcm_s16le' || config.encoding === 'pcm_f32le';
}

/**
 * Transcribe a complete audio buffer: an audio file in any supported container, or raw PCM when `config`
 * declares `encoding` pcm_s16le / pcm_f32le (then `sample_rate` describes it).
 * Throws SessionError with a PROTOCOL.md code (bad_audio, bad_config, model_unavailable, internal).
 */
export async function transcribeBuffer(
  ctx: ApiContext,
  audio: Uint8Array,
  config: AsrConfigInput,
  opts: TranscribeOptions = {},
): Promise<FileTranscription> {
  const { signal, onSegment, onProgress } = opts;
  signal?.throwIfAborted();
  if (audio.byteLength === 0) throw new SessionError('bad_audio', 'the audio is empty');
  const raw = isRawPcm(config);
  const session = new AsrSession({
    engine: ctx.engine,
    store: ctx.store,
    // A file is all there at once: running ahead of real time is the point, so no rate limit here
    // (the upload size limit bounds the work instead).
    audioAheadBudgetMs: Number.POSITIVE_INFINITY,
    maxQueuedAudioMs: Number.POSITIVE_INFINITY,
    batch: true,
    admission: ctx.admission,
    // A file's own header gives its encoding and rate; the client's values describe raw PCM only.
    config: { interim_results: false, ...config, ...(raw ? {} : { encoding: undefined, sample_rate: undefined }) },
    metrics: ctx.metrics,
    title: opts.title,
  });
  const segments: FinalTranscript[] = [];
  let failure: SessionError | null = null;
  session.on('message', (msg) => {
    if (msg.type === 'transcript' && msg.is_final) {
      segments.push(msg);
      onSegment?.(msg);
    } else if (msg.type === 'error' && !failure) failure = new SessionError(msg.code, msg.message);
  });
  // start() first: an unknown model or bad option is reported as such, before any decoding work.
  const ready = session.start();
  opts.onStarted?.(session.storedSessionId);
  const cancel = () => session.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  // Progress: audio written so far, and the audio the decoder produced from the first `bytesRead` bytes of the file,
  // which predicts the whole file's length.
  let writtenMs = 0;
  let bytesRead = 0;
  let producedMs = 0;
  const report = () => {
    if (!onProgress || writtenMs <= 0) return;
    const totalMs = Math.max(writtenMs, bytesRead > 0 ? (producedMs * audio.byteLength) / bytesRead : writtenMs);
    onProgress({ decodedMs: Math.max(0, writtenMs - session.pendingMs), totalMs });
  };
  // Paced on the engine's progress: at most PACE_AHEAD_MS of the file waits in the worker.
  const pace = async () => {
    report();
    await session.drained(PACE_AHEAD_MS);
    signal?.throwIfAborted();
    report();
  };
  try {
    if (raw) {
      for (let o = 0; o < audio.byteLength; o += WRITE_BYTES) {
        signal?.throwIfAborted();
        const end = Math.min(audio.byteLength, o + WRITE_BYTES);
        session.writeAudio(audio.subarray(o, end));
        bytesRead = end;
        writtenMs = ((end / (config.encoding === 'pcm_f32le' ? 4 : 2)) * 1000) / session.config.sampleRate;
        producedMs = writtenMs;
        await pace();
      }
    } else {
      // Decoded piece by piece straight into the session: a long file never sits decoded in memory.
      let resampler: StreamingResampler | null = null;
      let configured = false;
      const write = async (x: Float32Array) => {
        for (let o = 0; o < x.length; o += WRITE_SAMPLES) {
          signal?.throwIfAborted();
          const piece = x.subarray(o, Math.min(x.length, o + WRITE_SAMPLES));
          session.writeSamples(piece);
          writtenMs += (piece.length * 1000) / session.config.sampleRate;
          await pace();
        }
      };
      try {
        await decodeAudioFileMono(audio, async (samples, rate, read) => {
          bytesRead = read;
          producedMs += (samples.length * 1000) / rate;
          if (!configured) {
            configured = true;
            // The sessions take 8-48 kHz; a file outside that range is resampled to 16 kHz first.
            if (rate < MIN_RATE || rate > MAX_RATE) resampler = new StreamingResampler(rate, RESAMPLE_TO);
            session.configure({ encoding: 'pcm_f32le', sample_rate: resampler ? RESAMPLE_TO : rate });
          }
          await write(resampler ? (resampler as StreamingResampler).process(samples) : samples);
        });
        if (resampler) await write((resampler as StreamingResampler).flush());
      } catch (err) {
        if (err instanceof AudioFormatError) throw new SessionError('bad_audio', err.message);
        throw err;
      }
    }
    signal?.throwIfAborted();
    const done = await session.end();
    signal?.throwIfAborted();
    if (failure) throw failure;
    onProgress?.({ decodedMs: writtenMs, totalMs: writtenMs });
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
