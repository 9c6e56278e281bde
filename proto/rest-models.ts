// REST shapes of the model and engine endpoints (docs/PROTOCOL.md "REST"): `GET /v1/models`, `GET /v1/engines`,
// `GET /v1/voices`, `GET|POST /v1/models/:id/pull`, `POST /v1/models/import`. The server serializes its answers with these
// schemas (in each route's definition) and the renderer parses them, so this file imports nothing but zod.
import { z } from 'zod';

/** One catalog model as `GET /v1/models` lists it (OpenAI's list shape, with Earshot's fields). */
export const ModelEntry = z.object({
  id: z.string(),
  object: z.literal('model').optional(),
  /** OpenAI's list fields (always 0 and "earshot" here), for OpenAI clients. */
  created: z.number().optional(),
  owned_by: z.string().optional(),
  /** The catalog's human name, e.g. "Streaming Zipformer English 20M (int8)". */
  name: z.string().optional(),
  /** asr-streaming (live) | asr-offline (decodes finished segments) | tts | vad | punct | kws */
  kind: z.string(),
  /** BCP-47-ish base language ("en", "de"), "mul" for multilingual models, or "*" for language-independent ones (VAD). */
  language: z.string(),
  /** Every language the model covers (ISO 639-1); what `language=` may ask for. */
  languages: z.array(z.string()).optional(),
  /** Speed class: fastest | fast | moderate | slow. */
  speed: z.string().optional(),
  /** Accuracy class: basic | fair | good | best. */
  accuracy: z.string().optional(),
  /** One sentence on what the model is good for. */
  note: z.string().optional(),
  /** The model finds the spoken language itself (Whisper, SenseVoice). */
  detects_language: z.boolean().optional(),
  backend: z.string(),
  installed: z.boolean(),
  /** A synthetic test model: never chosen automatically, never offered to users. */
  fixture: z.boolean(),
  /** Download size in bytes; absent while the catalog does not know every file's size. */
  size_bytes: z.number().int().nonnegative().optional(),
  /** The upstream archive, for downloading elsewhere and `earshot models import <archive>`. */
  download_url: z.string().url().optional(),
  /** OpenAI's model names (`whisper-1`, `tts-1`…, kind `asr-alias`/`tts-alias`): what each stands for here. UIs skip them. */
  alias_of: z.string().nullable().optional(),
});
export type ModelEntry = z.infer<typeof ModelEntry>;

export const ModelList = z.object({
  object: z.literal('list'),
  data: z.array(ModelEntry),
  /** The punctuation model finals get when a client asks for `punctuate`; null when there is none. */
  punctuation: z.object({ model: z.string() }).nullable().optional(),
});
export type ModelList = z.infer<typeof ModelList>;

/** One installed voice as `GET /v1/voices` lists it. */
export const VoiceEntry = z.object({
  id: z.string(),
  name: z.string(),
  language: z.string(),
  backend: z.string(),
  sample_rate: z.number().int().positive(),
  /** A synthetic test voice (listed only with EARSHOT_DEV_FIXTURES=1). */
  fixture: z.boolean(),
});
export type VoiceEntry = z.infer<typeof VoiceEntry>;

/** ElevenLabs' shape of one voice (`voices.getAll()` reads `voices`), so its SDK works on `/v1/voices` too. */
export const ElevenLabsVoice = z.object({
  voice_id: z.string(),
  name: z.string(),
  category: z.string(),
  labels: z.object({ language: z.string(), backend: z.string() }),
  description: z.string(),
  available_for_tiers: z.array(z.string()),
  settings: z.object({ speed: z.number() }),
});

export const VoiceList = z.object({ object: z.literal('list'), data: z.array(VoiceEntry), voices: z.array(ElevenLabsVoice) });
export type VoiceList = z.infer<typeof VoiceList>;

/** One speech backend as `GET /v1/engines` lists it. */
export const EngineEntry = z.object({
  /** sherpa | pocketsphinx | espeak */
  id: z.string(),
  kind: z.enum(['asr', 'tts']),
  available: z.boolean(),
  /** What it uses when available; why not (and what to do) when not. */
  detail: z.string(),
  /** ASR, when available: the languages its loaded models caption. */
  languages: z.array(z.string()).optional(),
});
export type EngineEntry = z.infer<typeof EngineEntry>;

export const EngineList = z.object({ object: z.literal('list'), data: z.array(EngineEntry) });
export type EngineList = z.infer<typeof EngineList>;

/** `POST|GET /v1/models/:id/pull`: how an install is going. */
export const PullProgress = z.object({
  id: z.string(),
  state: z.enum(['downloading', 'verifying', 'done', 'error']),
  received: z.number().nonnegative(),
  /** null while the size is unknown. */
  total: z.number().nonnegative().nullable(),
  error: z.string().optional(),
});
export type PullProgress = z.infer<typeof PullProgress>;

/** `POST /v1/models/import?filename=<archive>[&id=<id>]` (body: the archive) → 201: what was installed. */
export const ModelImportResult = z.object({
  id: z.string(),
  name: z.string(),
  files: z.array(z.object({ path: z.string(), size: z.number(), sha256: z.string(), check: z.enum(['catalog', 'recorded']) })),
});
export type ModelImportResult = z.infer<typeof ModelImportResult>;
