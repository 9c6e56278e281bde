// POST /v1/audio/transcriptions — OpenAI-compatible: multipart `file` (an audio file in any container
// core/audio decodes — WAV, FLAC, MP3, Ogg/Opus, Ogg/Vorbis, WebM, M4A/AAC… — detected from its bytes; or raw
// PCM when the client says so: the part's content type `audio/pcm` / `audio/L16` or the field `encoding`),
// `model`, `language`, `response_format` = json | text | srt | vtt | verbose_json.
// OpenAI's `prompt`, `temperature`, `timestamp_granularities[]`, `include[]` and `chunking_strategy` are
// accepted and ignored; the model names `whisper-1` and `gpt-4o*-transcribe` mean the default engine
// (openai-names.ts). `stream=true` answers as OpenAI does: Server-Sent Events
// `data: {"type":"transcript.text.delta","delta":"…"}` per recognized segment as it is recognized, then
// `data: {"type":"transcript.text.done","text":"…"}`; an error before the first segment is a normal error
// response, one after it a `data: {"type":"error","error":{…}}` event.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PassThrough } from 'node:stream';
import type { AsrConfigInput, FinalTranscript } from '../../../../proto/ws-messages.js';
import { toSrt, toVtt, type ExportSegment } from '../../store/index.js';
import { TRANSCRIPTION_RESPONSE_FORMATS, TranscriptionFields } from '../../../../proto/rest-audio.js';
import type { ApiContext } from '../context.js';
import { ShuttingDownError } from '../work-in-progress.js';
import { describeZodError, RestError, sendError, toRestError } from './rest-errors.js';
import { transcribeBuffer, type FileTranscription } from '../one-shot/transcribe-buffer.js';
import { resolveAsrModel } from './openai-names.js';

/** Content types that declare headerless PCM, and the encoding each means. */
const RAW_PCM_TYPES: Readonly<Record<string, 'pcm_s16le' | 'pcm_f32le'>> = {
  'audio/pcm': 'pcm_s16le',
  'audio/l16': 'pcm_s16le',
  'audio/x-raw': 'pcm_s16le',
  'audio/raw': 'pcm_s16le',
};

/** The raw-PCM encoding and rate a file part's content type declares (`audio/L16;rate=8000`), or null. */
function rawPcmFromMime(mime: string): { encoding: 'pcm_s16le' | 'pcm_f32le'; rate?: number } | null {
  const [type, ...params] = mime
    .toLowerCase()
    .split(';')
    .map((x) => x.trim());
  const encoding = RAW_PCM_TYPES[type ?? ''];
  if (!encoding) return null;
  const rate = params.map((p) => /^rate=(\d+)$/.exec(p)?.[1]).find(Boolean);
  return rate ? { encoding, rate: Number(rate) } : { encoding };
}

/** Form fields we read or knowingly ignore; anything else is a 400 that names it (catches typos). */
const KNOWN_FIELDS = new Set([
  'model',
  'language',
  'response_format',
  'sample_rate',
  'encoding',
  'vocabulary',
  'replacements',
  'prompt',
  'temperature',
  'timestamp_granularities[]',
  'timestamp_granularities',
  'include[]',
  'include',
  'chunking_strategy',
  'stream',
  'known_speaker_names[]',
  'known_speaker_references[]',
]);
const MAX_FIELD_BYTES = 64 * 1024;

export async function registerTranscriptionRoute(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: ctx.limits.maxUploadBytes, files: 1, fields: 32, fieldSize: MAX_FIELD_BYTES, parts: 40 },
    throwFileSizeLimit: true,
  });

  app.post('/v1/audio/transcriptions', async (req, reply) => {
    // Cancelled at once when the client goes away (upload abandoned or response no longer wanted), or when a
    // server stop runs out of time (503 `unavailable`); a stop otherwise lets it finish.
    const cancel = new AbortController();
    const clientGone = () => {
      if (!reply.raw.writableFinished) cancel.abort(new Error('the client went away'));
    };
    reply.raw.once('close', clientGone);
    const unregister = ctx.work.add({
      finish: () => undefined,
      cut: (message) =>
        cancel.abort(new ShuttingDownError(`${message}; the transcription was stopped — send the file again when the server is back`)),
    });
    let readingBody = false;
    try {
      if (!req.isMultipart()) {
        throw new RestError(
          'bad_config',
          'send multipart/form-data with a `file` part (the audio) and optional `model`, `language`, `response_format`',
        );
      }
      const fields: Record<string, string> = {};
      let audio: Buffer | null = null;
      let declaredRaw: ReturnType<typeof rawPcmFromMime> = null;
      readingBody = true;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file')
            throw new RestError('bad_config', `unexpected file part "${part.fieldname}"; the audio goes in "file"`);
          declaredRaw = rawPcmFromMime(part.mimetype ?? '');
          audio = await untilAborted(part.toBuffer(), cancel.signal);
        } else {
          if (!KNOWN_FIELDS.has(part.fieldname)) throw new RestError('bad_config', `unknown form field "${part.fieldname}"`);
          fields[part.fieldname] = String(part.value);
        }
      }
      readingBody = false;
      if (!audio) throw new RestError('bad_audio', 'the `file` part (the audio to transcribe) is missing');
      const parsed = TranscriptionFields.safeParse(fields);
      if (!parsed.success) throw new RestError('bad_config', describeZodError(parsed.error));
      const f = parsed.data;
      const model = resolveAsrModel(f.model, ctx.engine.models());
      const encoding = f.encoding ?? declaredRaw?.encoding;
      const rate = f.sample_rate ?? declaredRaw?.rate;
      const config = {
        // No encoding: a file, decoded by its own header; never raw PCM by default.
        ...(encoding ? { encoding, ...(rate ? { sample_rate: rate } : {}) } : {}),
        ...(f.language ? { language: f.language } : {}),
        ...(model ? { model } : {}),
        ...(f.vocabulary ? { vocabulary: f.vocabulary } : {}),
        ...(f.replacements ? { replacements: f.replacements } : {}),
      };
      if (f.stream === 'true') return await streamTranscription(ctx, reply, audio, config, cancel.signal);
      const result = await transcribeBuffer(ctx, audio, config, { signal: cancel.signal });
      return renderTranscription(reply, f.response_format, result, f.language);
    } catch (err) {
      // The client is gone: there is nobody to answer.
      if (cancel.signal.aborted && !(cancel.signal.reason instanceof ShuttingDownError)) return reply;
      // A stop cut the upload or the transcription: answer 503, and close the connection (the body may be unread).
      if (err instanceof ShuttingDownError) {
        reply.header('connection', 'close');
        return sendError(reply, err);
      }
      // Multipart limit errors come as Fastify errors (413 / 400). A body busboy cannot parse (no boundary,
      // bad part headers, cut short) throws a plain Error: that is the client's malformed request, not ours.
      const malformed =
        readingBody && !(err instanceof RestError) && typeof (err as { statusCode?: unknown } | null)?.statusCode !== 'number';
      const e = malformed
        ? new RestError('bad_config', `malformed multipart/form-data body: ${err instanceof Error ? err.message : String(err)}`)
        : toRestError(err);
      // Over capacity (503 + Retry-After) is a refusal like a 4xx, not a failure of ours.
      if (e.status >= 500 && e.retryAfterS === null) req.log.error({ err }, 'transcription request failed');
      else req.log.warn({ code: e.code, status: e.status, reason: e.message }, 'transcription request refused');
      return sendError(reply, e);
    } finally {
      reply.raw.off('close', clientGone);
      unregister();
    }
  });
}

/** `work`, or `signal.reason` as soon as the signal aborts (the work itself is left to fail on its own). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** OpenAI's streamed transcription: SSE deltas per final segment, then the whole text. */
async function streamTranscription(
  ctx: ApiContext,
  reply: FastifyReply,
  audio: Buffer,
  config: AsrConfigInput,
  signal: AbortSignal,
): Promise<FastifyReply> {
  let body: PassThrough | null = null;
  let sent = 0;
  const event = (data: unknown) => body!.write(`data: ${JSON.stringify(data)}\n\n`);
  // Headers go out with the first segment, so a request that fails before it (bad audio, unknown model) still
  // gets its status code.
  const open = () => {
    if (body) return;
    body = new PassThrough();
    void reply
      .code(200)
      .type('text/event-stream; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no')
      .send(body);
  };
  try {
    const result = await transcribeBuffer(ctx, audio, config, {
      signal,
      onSegment: (segment) => {
        open();
        event({ type: 'transcript.text.delta', delta: (sent++ ? ' ' : '') + segment.text });
      },
    });
    open();
    event({ type: 'transcript.text.done', text: result.text });
    body!.end();
    return reply;
  } catch (err) {
    if (!body) return sendError(reply, err);
    const e = toRestError(err);
    event({ type: 'error', error: { code: e.code, message: e.message, type: 'server_error' } });
    (body as PassThrough).end();
    return reply;
  }
}

function exportSegments(segments: readonly FinalTranscript[]): ExportSegment[] {
  return segments.map((s) => ({ startMs: s.start_ms, endMs: s.end_ms, text: s.text }));
}

function renderTranscription(
  reply: import('fastify').FastifyReply,
  format: (typeof TRANSCRIPTION_RESPONSE_FORMATS)[number],
  r: FileTranscription,
  language: string | undefined,
) {
  switch (format) {
    case 'text':
      return reply.type('text/plain; charset=utf-8').send(r.text + '\n');
    case 'srt':
      return reply.type('application/x-subrip; charset=utf-8').send(toSrt(exportSegments(r.segments)));
    case 'vtt':
      return reply.type('text/vtt; charset=utf-8').send(toVtt(exportSegments(r.segments)));
    case 'verbose_json':
      // OpenAI's verbose_json shape (seconds, not ms), plus Earshot's own `model`.
      return reply.send({
        task: 'transcribe',
        language: language ?? 'en',
        duration: r.durationMs / 1000,
        text: r.text,
        model: r.model,
        segments: r.segments.map((s, i) => ({
          id: i,
          seek: 0,
          start: s.start_ms / 1000,
          end: s.end_ms / 1000,
          text: s.text,
          tokens: [],
          temperature: 0,
          avg_logprob: Math.log(Math.max(1e-6, s.confidence)),
          compression_ratio: 1,
          no_speech_prob: 0,
          confidence: s.confidence,
        })),
        words: r.segments.flatMap((s) => (s.words ?? []).map((w) => ({ word: w.word, start: w.start_ms / 1000, end: w.end_ms / 1000 }))),
      });
    case 'json':
    default:
      return reply.send({ text: r.text });
  }
}
