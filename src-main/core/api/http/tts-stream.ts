// POST /v1/tts/stream — audio for one text, streamed as it is synthesized. JSON body: `text`, optional
// `voice`, `language`, `format` (pcm | wav | f32, default pcm), `sample_rate`, `speed`, `request_id`.
// The `Accept` header picks the framing:
// - `text/event-stream`: Server-Sent Events — `event: start` (request id, rate, format, voice), one
//   `event: audio` per chunk (`{"sequence","samples","audio":"<base64>"}`), then `event: done` (the
//   synthesis_complete fields), or `event: error` (`{"code","message"}`) if synthesis fails midway;
// - anything else: the audio bytes themselves (chunked transfer), rate in `X-Sample-Rate`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import { TtsStreamBody } from '../../../../proto/rest-audio.js';
import type { TtsFormat } from '../../../../proto/ws-messages.js';
import { AudioEncoder, COMPRESSED_CONTENT_TYPES, type EncodeFormat } from '../../audio/index.js';
import type { ApiContext } from '../context.js';
import { ShuttingDownError } from '../work-in-progress.js';
import { describeZodError, RestError, sendError, toRestError } from './rest-errors.js';
import { synthesizeOne, type OneTextRequest, type SynthesisEvent } from '../one-shot/synthesize-one.js';
import { jsonBodyLimit } from './json-body-limit.js';

const CONTENT_TYPES: Record<TtsFormat, string> = {
  wav: 'audio/wav',
  pcm: 'audio/pcm',
  f32: 'application/octet-stream',
};

export function registerTtsStreamRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/tts/stream', { bodyLimit: jsonBodyLimit(ctx) }, async (req, reply) => {
    try {
      if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
        throw new RestError('bad_json', 'send a JSON object: {"text": "…", "voice": "…", "format": "pcm"}');
      }
      const parsed = TtsStreamBody.safeParse(req.body);
      if (!parsed.success) throw new RestError('bad_config', describeZodError(parsed.error));
      const b = parsed.data;
      if (b.text.length > ctx.limits.maxTtsTextChars) {
        throw new RestError('too_large', `text has ${b.text.length} characters; the limit is ${ctx.limits.maxTtsTextChars}`);
      }
      if (/\btext\/event-stream\b/i.test(req.headers.accept ?? '')) return await streamSse(ctx, req, reply, b);
      return await streamAudioResponse(ctx, req, reply, b);
    } catch (err) {
      return sendError(reply, err);
    }
  });
}

/**
 * Starts synthesis and waits for its first event, so that a request that fails at once (unknown voice,
 * engine unavailable) still gets a proper error status; then streams the body as it is produced.
 */
async function firstEvent(ctx: ApiContext, reply: FastifyReply, r: OneTextRequest) {
  const abort = new AbortController();
  // The response is closed: finished, or the client hung up (then synthesis stops). Not the request's own
  // 'close', which fires as soon as its body has been read.
  reply.raw.once('close', () => abort.abort());
  // A server stop lets the body finish within its grace period, then cuts it (see endCut).
  const unregister = ctx.work.add({
    finish: () => undefined,
    cut: (message) => abort.abort(new ShuttingDownError(`${message}; the audio was cut short`)),
  });
  try {
    const events = synthesizeOne(ctx, r, abort.signal)[Symbol.asyncIterator]();
    const first = await events.next();
    return { events, first, abort, unregister };
  } catch (err) {
    unregister();
    throw err;
  }
}

/** The reason a stop cut this body, or null (finished, or the client went away). */
function cutByStop(abort: AbortController): ShuttingDownError | null {
  return abort.signal.reason instanceof ShuttingDownError ? abort.signal.reason : null;
}

/**
 * Raw audio body, chunked, as the synthesizer produces it (also used by POST /v1/audio/speech and the cloud
 * protocols' REST routes). With `encode`, the PCM is piped through a streaming encoder (MP3, Ogg Opus, FLAC,
 * AAC) and the body carries what it produces.
 */
export async function streamAudioResponse(
  ctx: ApiContext,
  _req: FastifyRequest,
  reply: FastifyReply,
  r: OneTextRequest,
  encode?: { format: EncodeFormat; bitrateKbps?: number },
): Promise<FastifyReply> {
  const { events, first, abort, unregister } = await firstEvent(ctx, reply, encode ? { ...r, format: 'pcm' } : r);
  const format = encode ? 'pcm' : (r.format ?? 'pcm');
  const body = new PassThrough();
  const rate = first.done
    ? undefined
    : first.value.type === 'started'
      ? first.value.msg.sample_rate
      : first.value.type === 'audio'
        ? first.value.chunk.sampleRate
        : undefined;
  if (encode && !rate) {
    unregister();
    throw new RestError('internal', 'the voice produced no audio to encode');
  }
  const encoder = encode && rate ? new AudioEncoder({ format: encode.format, inputRate: rate, bitrateKbps: encode.bitrateKbps }) : null;
  const write = async (bytes: Buffer) => {
    if (!body.write(bytes)) await new Promise((res) => body.once('drain', res));
  };
  const drained = encoder
    ? (async () => {
        for await (const b of encoder.output()) await write(b);
      })()
    : Promise.resolve();
  abort.signal.addEventListener('abort', () => encoder?.abort(), { once: true });
  const pump = async (e: IteratorResult<SynthesisEvent>) => {
    try {
      for (; !e.done; e = await events.next()) {
        if (e.value.type !== 'audio') continue;
        if (encoder) await encoder.write(e.value.chunk.bytes);
        else await write(e.value.chunk.bytes);
        if (abort.signal.aborted) break;
      }
      // Cut by a stop: the body must not look complete, so it is aborted (the client sees a truncated stream).
      const cut = cutByStop(abort);
      if (cut) {
        encoder?.abort();
        body.destroy(cut);
      } else {
        encoder?.end();
        await drained;
        body.end();
      }
    } catch (err) {
      // Headers are gone: all we can do is cut the body short (the client sees a truncated stream).
      ctx.logger.warn({ err }, 'TTS stream failed after the response started');
      encoder?.abort();
      body.destroy(err as Error);
    } finally {
      unregister();
    }
  };
  reply
    .header('content-type', encoder ? COMPRESSED_CONTENT_TYPES[encoder.format] : CONTENT_TYPES[format])
    .header('cache-control', 'no-store');
  if (encoder) reply.header('x-sample-rate', String(encoder.sampleRate));
  else if (rate) reply.header('x-sample-rate', String(rate));
  if (!encoder) reply.header('x-audio-format', format === 'f32' ? 'f32le' : 's16le');
  void pump(first);
  return reply.send(body);
}

/** Server-Sent Events: base64 audio events framed by start/done, so browsers can use EventSource-style readers. */
async function streamSse(ctx: ApiContext, _req: FastifyRequest, reply: FastifyReply, r: OneTextRequest): Promise<FastifyReply> {
  const { events, first, abort, unregister } = await firstEvent(ctx, reply, r);
  const body = new PassThrough();
  const write = async (event: string, data: unknown) => {
    if (!body.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)) await new Promise((res) => body.once('drain', res));
  };
  const pump = async (e: IteratorResult<SynthesisEvent>) => {
    try {
      for (; !e.done; e = await events.next()) {
        const v = e.value;
        if (v.type === 'started') await write('start', v.msg);
        else if (v.type === 'audio') {
          await write('audio', {
            request_id: v.chunk.requestId,
            sequence: v.chunk.sequence,
            samples: v.chunk.samples,
            sample_rate: v.chunk.sampleRate,
            format: v.chunk.format,
            audio: v.chunk.bytes.toString('base64'),
          });
        } else await write('done', v.msg);
        if (abort.signal.aborted) break;
      }
      const cut = cutByStop(abort);
      if (cut) await write('error', { code: cut.code, message: cut.message });
    } catch (err) {
      const e = toRestError(err);
      await write('error', { code: e.code, message: e.message }).catch(() => undefined);
    }
    unregister();
    body.end();
  };
  reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-store').header('x-accel-buffering', 'no');
  void pump(first);
  return reply.send(body);
}
