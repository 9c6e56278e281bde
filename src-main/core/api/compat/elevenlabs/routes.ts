// ElevenLabs' REST API as `@elevenlabs/elevenlabs-js` calls it: text to speech (`/v1/text-to-speech/{voice_id}`,
// `/stream`, `/with-timestamps`, `/stream/with-timestamps`), speech to text (`POST /v1/speech-to-text`) and the
// voice list (`GET /v1/voices`, answered by rest-routes together with Earshot's own list: voicesList()).
// Voice ids are ElevenLabs' own strings on the client side: an installed Earshot voice id or name picks that
// voice, any other id the best installed voice for `language_code` (the voice used is in `x-earshot-voice`).
// Errors: ElevenLabs' `{"detail":{"status","message"}}` with the status of Earshot's error model.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { TtsSpeed } from '../../../../../proto/ws-messages.js';
import { encodePcm } from '../../../audio/index.js';
import { requestSentences, type TtsVoice } from '../../../engine/index.js';
import type { ApiContext } from '../../context.js';
import { describeZodError, RestError, toRestError } from '../../http/rest-errors.js';
import { transcribeBuffer } from '../../one-shot/transcribe-buffer.js';
import { streamAudioResponse } from '../../http/tts-stream.js';
import { synthesizeOne } from '../../one-shot/synthesize-one.js';
import { jsonBodyLimit } from '../../http/json-body-limit.js';
import { pickVoice } from '../tts-voice.js';
import { sentenceAlignment } from './alignment.js';
import { elevenLabsOutput } from './output-format.js';

const TtsBody = z
  .object({
    text: z.string({ error: 'text is required' }).min(1, 'text is empty; nothing to synthesize'),
    model_id: z.string().max(200).optional(),
    language_code: z.string().min(2).max(16).optional(),
    voice_settings: z.object({ speed: TtsSpeed.optional() }).loose().optional(),
  })
  .loose();

function sendElevenLabsError(reply: FastifyReply, err: unknown): FastifyReply {
  const e = toRestError(err);
  return reply.code(e.status).send({ detail: { status: e.code, message: e.message } });
}

/** ElevenLabs' voice objects for Earshot's installed voices (merged into GET /v1/voices). */
export function elevenLabsVoices(voices: readonly TtsVoice[]) {
  return voices
    .filter((v) => !v.fixture)
    .map((v) => ({
      voice_id: v.id,
      name: v.name,
      category: 'premade',
      labels: { language: v.language, backend: v.backend },
      description: `on-device ${v.backend} voice (${v.language})`,
      available_for_tiers: [],
      settings: { speed: 1 },
    }));
}

export async function registerElevenLabsRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: ctx.limits.maxUploadBytes, files: 1, fields: 32, fieldSize: 64 * 1024, parts: 40 },
    throwFileSizeLimit: true,
  });

  const parse = (body: unknown, voiceId: string, outputFormat: unknown) => {
    const parsed = TtsBody.safeParse(body);
    if (!parsed.success) throw new RestError('bad_json', describeZodError(parsed.error));
    const b = parsed.data;
    if (b.text.length > ctx.limits.maxTtsTextChars)
      throw new RestError('too_large', `text has ${b.text.length} characters; the limit is ${ctx.limits.maxTtsTextChars}`);
    const out = elevenLabsOutput(typeof outputFormat === 'string' ? outputFormat : undefined);
    const voice = pickVoice(voiceId, ctx.engine.voices(), b.language_code);
    return { b, out, voice };
  };

  for (const path of ['/v1/text-to-speech/:voice_id', '/v1/text-to-speech/:voice_id/stream']) {
    app.post<{ Params: { voice_id: string }; Querystring: { output_format?: string } }>(
      path,
      { bodyLimit: jsonBodyLimit(ctx) },
      async (req, reply) => {
        try {
          const { b, out, voice } = parse(req.body, req.params.voice_id, req.query.output_format);
          reply.header('x-earshot-voice', voice ?? 'default');
          return await streamAudioResponse(
            ctx,
            req,
            reply,
            {
              text: b.text,
              voice,
              language: b.language_code,
              format: out.format,
              sample_rate: out.sampleRate,
              speed: b.voice_settings?.speed,
            },
            out.encode,
          );
        } catch (err) {
          return sendElevenLabsError(reply, err);
        }
      },
    );
  }

  // With timestamps: each sentence is its own synthesis, so its start and end are exact; one JSON object per
  // audio chunk (newline-delimited when streamed, one object with all the audio otherwise).
  for (const [path, streamed] of [
    ['/v1/text-to-speech/:voice_id/with-timestamps', false],
    ['/v1/text-to-speech/:voice_id/stream/with-timestamps', true],
  ] as const) {
    app.post<{ Params: { voice_id: string }; Querystring: { output_format?: string } }>(
      path,
      { bodyLimit: jsonBodyLimit(ctx) },
      async (req, reply) => {
        try {
          const { b, out, voice } = parse(req.body, req.params.voice_id, req.query.output_format);
          if (out.format !== 'pcm' || (out.encode && out.encode.format !== 'mp3')) {
            throw new RestError(
              'bad_config',
              'with-timestamps returns base64 audio chunks: ask for output_format=pcm_<rate> or mp3_<rate>_<kbps>',
            );
          }
          // Each sentence's audio is encoded on its own; MP3 frames concatenate into one valid stream.
          const encoded = (pcm: Buffer) =>
            out.encode
              ? encodePcm(pcm, { format: 'mp3', inputRate: out.sampleRate, bitrateKbps: out.encode.bitrateKbps })
              : Promise.resolve(pcm);
          // The text's one cut; each sentence is then spoken as it is (a request of one piece), so its audio is its own.
          const sentences = requestSentences(b.text);
          const abort = new AbortController();
          reply.raw.once('close', () => abort.abort());
          const speakSentence = (i: number) =>
            synthesizeOne(
              ctx,
              {
                text: sentences[i]!,
                voice,
                language: b.language_code,
                format: 'pcm',
                sample_rate: out.sampleRate,
                speed: b.voice_settings?.speed,
              },
              abort.signal,
              sentences.slice(i, i + 1),
            );
          // Fail before the first byte when the request cannot start (unknown option, engine unavailable).
          const first = speakSentence(0);
          const body = new PassThrough();
          const pieces: { audio: Buffer[]; alignment: ReturnType<typeof sentenceAlignment> }[] = [];
          const run = async () => {
            let t = 0;
            try {
              for (let i = 0; i < sentences.length && !abort.signal.aborted; i++) {
                const events = i === 0 ? first : speakSentence(i);
                const chunks: Buffer[] = [];
                let samples = 0;
                for await (const e of events) {
                  if (e.type !== 'audio') continue;
                  chunks.push(e.chunk.bytes);
                  samples += e.chunk.samples;
                }
                const end = t + samples / out.sampleRate;
                const alignment = sentenceAlignment(sentences[i]!, t, end, i > 0);
                t = end;
                const audio = await encoded(Buffer.concat(chunks));
                if (streamed) {
                  body.write(JSON.stringify({ audio_base64: audio.toString('base64'), alignment, normalized_alignment: alignment }) + '\n');
                } else pieces.push({ audio: [audio], alignment });
              }
              if (!streamed) {
                const merged = {
                  characters: [] as string[],
                  character_start_times_seconds: [] as number[],
                  character_end_times_seconds: [] as number[],
                };
                for (const p of pieces) {
                  merged.characters.push(...p.alignment.characters);
                  merged.character_start_times_seconds.push(...p.alignment.character_start_times_seconds);
                  merged.character_end_times_seconds.push(...p.alignment.character_end_times_seconds);
                }
                body.write(
                  JSON.stringify({
                    audio_base64: Buffer.concat(pieces.flatMap((p) => p.audio)).toString('base64'),
                    alignment: merged,
                    normalized_alignment: merged,
                  }),
                );
              }
              body.end();
            } catch (err) {
              ctx.logger.warn({ err }, 'ElevenLabs with-timestamps synthesis failed');
              body.destroy(err as Error);
            }
          };
          void run();
          reply
            .header('content-type', 'application/json')
            .header('x-earshot-voice', voice ?? 'default')
            .header('x-sample-rate', String(out.sampleRate));
          return reply.send(body);
        } catch (err) {
          return sendElevenLabsError(reply, err);
        }
      },
    );
  }

  app.post('/v1/speech-to-text', async (req, reply) => {
    try {
      if (!req.isMultipart()) throw new RestError('bad_config', 'send multipart/form-data with a `file` part and `model_id`');
      const fields: Record<string, string> = {};
      let audio: Buffer | null = null;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file')
            throw new RestError('bad_config', `unexpected file part "${part.fieldname}"; the audio goes in "file"`);
          audio = await part.toBuffer();
        } else fields[part.fieldname] = String(part.value);
      }
      if (!audio) {
        throw new RestError(
          'bad_audio',
          fields.cloud_storage_url ? 'Earshot does not fetch audio from URLs; upload the file' : 'the `file` part (the audio) is missing',
        );
      }
      if (fields.diarize === 'true') throw new RestError('bad_config', 'diarize is a cloud feature Earshot does not offer on-device');
      // An audio file in any container core/audio decodes, or raw 16 kHz s16le when ElevenLabs' file_format says so.
      const raw = fields.file_format === 'pcm_s16le_16';
      const language = fields.language_code?.split(/[-_]/)[0];
      const r = await transcribeBuffer(ctx, audio, {
        ...(raw ? { encoding: 'pcm_s16le', sample_rate: 16000 } : {}),
        ...(language ? { language } : {}),
        source: 'elevenlabs',
      });
      const words: { text: string; start: number; end: number; type: 'word' | 'spacing'; logprob: number }[] = [];
      for (const seg of r.segments) {
        for (const w of seg.words ?? []) {
          if (words.length) {
            const prev = words[words.length - 1]!;
            words.push({ text: ' ', start: prev.end, end: w.start_ms / 1000, type: 'spacing', logprob: 0 });
          }
          words.push({
            text: w.word,
            start: w.start_ms / 1000,
            end: w.end_ms / 1000,
            type: 'word',
            logprob: Math.log(Math.max(1e-6, seg.confidence)),
          });
        }
      }
      return {
        language_code: language ?? 'en',
        language_probability: language ? 1 : 0,
        text: r.text,
        words,
        audio_duration_secs: r.durationMs / 1000,
      };
    } catch (err) {
      return sendElevenLabsError(reply, err);
    }
  });
}
