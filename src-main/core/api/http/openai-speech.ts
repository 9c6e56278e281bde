// POST /v1/audio/speech — OpenAI-compatible text to speech. JSON body: `model`, `input`, `voice`,
// `response_format` = mp3 (OpenAI's default) | wav | pcm | opus (Ogg) | aac (ADTS) | flac, `speed` (0.25..4), `stream_format` = audio | sse, plus Earshot's optional `language` and
// `sample_rate`. As OpenAI: 24 kHz unless `sample_rate` asks for another; `pcm` is raw s16le mono.
// - `mp3`, `pcm`, `opus`, `aac` and `flac` stream as they are synthesized (mp3 in-process with lamejs; opus, aac
//   and flac through the bundled ffmpeg, core/audio/encoder.ts);
// - `wav` is sent whole, once synthesis ends, with its true sizes and a Content-Length (a streamed WAV must
//   declare an unknown length, which tools such as soxi read as 27 hours); stream it with `pcm`, or with
//   POST /v1/tts/stream, whose streamed WAV uses the 0xFFFFFFFF convention;
// - `stream_format: "sse"`: OpenAI's speech events, `data: {"type":"speech.audio.delta","audio":"<base64>"}`
//   per chunk (bytes of `response_format`), then `data: {"type":"speech.audio.done","usage":{…}}`.
// The rate is also in the `X-Sample-Rate` header.
//
// Voices: OpenAI's names (alloy, nova, …) and "default" mean Earshot's default voice; an Earshot voice id or
// name picks it; anything else is a 400 (openai-names.ts). `model` (tts-1, …) is accepted and ignored.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PassThrough } from 'node:stream';
import {
  AudioEncoder,
  COMPRESSED_CONTENT_TYPES,
  concatFloat32,
  createStreamEncoder,
  encodeWav,
  f32leToFloat32,
  float32ToS16le,
  MP3_RATES,
  type EncodedFormat,
} from '../../audio/index.js';
import { SpeechBody, type SpeechFormat } from '../../../../proto/rest-audio.js';
import type { ApiContext } from '../context.js';
import { describeZodError, RestError, sendError, toRestError } from './rest-errors.js';
import { resolveVoice } from './openai-names.js';
import { synthesizeOne, type SynthesisEvent } from '../one-shot/synthesize-one.js';
import { jsonBodyLimit } from './json-body-limit.js';
import { ShuttingDownError } from '../work-in-progress.js';

/** Encoded by the bundled ffmpeg (asynchronous, a child process); the others in-process. */
const FFMPEG_FORMATS = new Set<SpeechFormat>(['opus', 'aac', 'flac']);
/** OpenAI's output rate for every format. */
export const OPENAI_SPEECH_RATE = 24000;

export function registerSpeechRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/audio/speech', { bodyLimit: jsonBodyLimit(ctx) }, async (req, reply) => {
    /** This request's entry in the server's work in progress, until its body ends. */
    let unregister: (() => void) | null = null;
    try {
      if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
        throw new RestError('bad_json', 'send a JSON object: {"input": "text", "voice": "…", "response_format": "mp3"}');
      }
      const parsed = SpeechBody.safeParse(req.body);
      if (!parsed.success) throw new RestError('bad_config', describeZodError(parsed.error));
      const b = parsed.data;
      if (b.input.length > ctx.limits.maxTtsTextChars) {
        throw new RestError('too_large', `input has ${b.input.length} characters; the limit is ${ctx.limits.maxTtsTextChars}`);
      }
      const format = b.response_format as SpeechFormat;
      const rate = b.sample_rate ?? OPENAI_SPEECH_RATE;
      if (format === 'mp3' && !MP3_RATES.includes(rate)) {
        throw new RestError('bad_config', `sample_rate ${rate} cannot be carried by MP3; use one of ${MP3_RATES.join(', ')}`);
      }
      const voice = resolveVoice(b.voice, ctx.engine.voices());
      const abort = new AbortController();
      reply.raw.once('close', () => abort.abort());
      // A server stop lets the speech finish within its grace period, then cuts it with a stated reason.
      unregister = ctx.work.add({
        finish: () => undefined,
        cut: (message) => abort.abort(new ShuttingDownError(`${message}; the audio was cut short`)),
      });
      // f32 from the session, encoded here: one path for every output format.
      const events = synthesizeOne(
        ctx,
        { text: b.input, voice, language: b.language, format: 'f32', sample_rate: rate, speed: b.speed },
        abort.signal,
      )[Symbol.asyncIterator]();
      // The first event before any header: a request that fails at once still gets its error status.
      const first = await events.next();
      reply.header('cache-control', 'no-store').header('x-sample-rate', String(rate));
      const done = unregister;
      unregister = null;
      if (b.stream_format === 'sse') return sendSse(ctx, reply, events, first, format, rate, b.input, abort.signal, done);
      if (format === 'wav') return await sendWholeWav(reply, events, first, rate).finally(done);
      return sendStreamed(ctx, reply, events, first, format, rate, abort.signal, done);
    } catch (err) {
      return sendError(reply, err);
    } finally {
      unregister?.();
    }
  });
}

type Events = AsyncIterator<SynthesisEvent>;

function samplesOf(e: SynthesisEvent): Float32Array | null {
  return e.type === 'audio' ? f32leToFloat32(e.chunk.bytes) : null;
}

/** WAV with true sizes: the whole synthesis, then one body with a Content-Length. */
async function sendWholeWav(
  reply: FastifyReply,
  events: Events,
  first: IteratorResult<SynthesisEvent>,
  rate: number,
): Promise<FastifyReply> {
  const parts: Float32Array[] = [];
  for (let e = first; !e.done; e = await events.next()) {
    const x = samplesOf(e.value);
    if (x) parts.push(x);
  }
  const file = encodeWav(concatFloat32(parts), rate);
  return reply.type('audio/wav').header('content-length', String(file.byteLength)).send(file);
}

/**
 * Encodes the synthesized samples as `format` and hands the bytes to `out` as they are produced: pcm/wav/mp3
 * in-process, opus/aac/flac through the bundled ffmpeg.
 */
async function encodeInto(
  format: SpeechFormat,
  rate: number,
  events: Events,
  first: IteratorResult<SynthesisEvent>,
  out: (bytes: Buffer) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> {
  if (!FFMPEG_FORMATS.has(format)) {
    const encoder = createStreamEncoder(format as EncodedFormat, rate);
    for (let e = first; !e.done && !signal?.aborted; e = await events.next()) {
      const x = samplesOf(e.value);
      if (x) await out(encoder.push(x));
    }
    await out(encoder.end());
    return;
  }
  const encoder = new AudioEncoder({ format: format as 'opus' | 'aac' | 'flac', inputRate: rate });
  signal?.addEventListener('abort', () => encoder.abort(), { once: true });
  const reading = (async () => {
    for await (const bytes of encoder.output()) await out(bytes);
  })();
  try {
    for (let e = first; !e.done && !signal?.aborted; e = await events.next()) {
      const x = samplesOf(e.value);
      if (x) await encoder.write(float32ToS16le(x));
    }
    encoder.end();
  } catch (err) {
    encoder.abort();
    throw err;
  }
  await reading;
}

const contentTypeOf = (format: SpeechFormat): string =>
  FFMPEG_FORMATS.has(format)
    ? COMPRESSED_CONTENT_TYPES[format as 'opus' | 'aac' | 'flac']
    : createStreamEncoder(format as EncodedFormat, 24000).contentType;

/** Every format but wav, as it is synthesized (chunked transfer). */
function sendStreamed(
  ctx: ApiContext,
  reply: FastifyReply,
  events: Events,
  first: IteratorResult<SynthesisEvent>,
  format: SpeechFormat,
  rate: number,
  signal: AbortSignal,
  done: () => void,
): FastifyReply {
  const body = new PassThrough();
  const write = async (bytes: Buffer) => {
    if (bytes.byteLength && !body.write(bytes)) await new Promise((res) => body.once('drain', res));
  };
  void (async () => {
    try {
      await encodeInto(format, rate, events, first, write, signal);
      // Cut by a stop: the body must not look complete, so it is aborted (the client sees a truncated stream).
      if (signal.reason instanceof ShuttingDownError) body.destroy(signal.reason);
      else body.end();
    } catch (err) {
      // Headers are gone: all we can do is cut the body short (the client sees a truncated stream).
      ctx.logger.warn({ err }, 'speech stream failed after the response started');
      body.destroy(err as Error);
    } finally {
      done();
    }
  })();
  return reply.type(contentTypeOf(format)).send(body);
}

/** OpenAI's speech SSE: `speech.audio.delta` events with base64 audio, then `speech.audio.done`. */
function sendSse(
  ctx: ApiContext,
  reply: FastifyReply,
  events: Events,
  first: IteratorResult<SynthesisEvent>,
  format: SpeechFormat,
  rate: number,
  input: string,
  signal: AbortSignal,
  done: () => void,
): FastifyReply {
  const body = new PassThrough();
  const send = async (data: unknown) => {
    if (!body.write(`data: ${JSON.stringify(data)}\n\n`)) await new Promise((res) => body.once('drain', res));
  };
  const delta = (bytes: Buffer) => (bytes.byteLength ? send({ type: 'speech.audio.delta', audio: bytes.toString('base64') }) : undefined);
  void (async () => {
    try {
      await encodeInto(format, rate, events, first, delta, signal);
      if (signal.reason instanceof ShuttingDownError) throw signal.reason;
      // Earshot counts no tokens; OpenAI's usage shape with the input's length in characters as a stand-in.
      await send({ type: 'speech.audio.done', usage: { input_tokens: input.length, output_tokens: 0, total_tokens: input.length } });
    } catch (err) {
      const e = toRestError(err);
      ctx.logger.warn({ err }, 'speech SSE failed after the response started');
      await send({ type: 'error', error: { code: e.code, message: e.message } }).catch(() => undefined);
    } finally {
      done();
    }
    body.end();
  })();
  return reply.type('text/event-stream; charset=utf-8').header('x-accel-buffering', 'no').send(body);
}
