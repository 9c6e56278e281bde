// How OpenAI's model and voice names map onto Earshot's. The `openai` client (and apps written for OpenAI)
// send names like `whisper-1` and `alloy`; Earshot has no such models or voices, so those names mean
// "the default" here. Anything else must be a real Earshot id: a typo in an Earshot voice is an error,
// never a silent fallback.
import type { ModelInfo, TtsVoice } from '../../engine/index.js';
import { RestError } from './rest-errors.js';

/** OpenAI's TTS voices (2025). Each one maps to Earshot's default voice for the language. */
export const OPENAI_VOICES: ReadonlySet<string> = new Set([
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'nova',
  'onyx',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
]);

/** OpenAI's transcription model names; each one maps to Earshot's default ASR engine. */
export const OPENAI_ASR_MODELS: ReadonlySet<string> = new Set([
  'whisper-1',
  'gpt-4o-transcribe',
  'gpt-4o-mini-transcribe',
  'gpt-4o-transcribe-diarize',
]);
/** OpenAI's speech model names; each one maps to Earshot's default voice. */
export const OPENAI_TTS_MODELS: ReadonlySet<string> = new Set(['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts']);
/** Both: OpenAI's transcription and speech model names. */
export const OPENAI_MODELS: ReadonlySet<string> = new Set([...OPENAI_ASR_MODELS, ...OPENAI_TTS_MODELS]);

/**
 * The Earshot voice for an OpenAI `voice` value: undefined (= default voice) for OpenAI's names and for
 * nothing given; the voice's id when it names an installed voice by id or name (case-insensitive);
 * otherwise a 400 `bad_config`, as the WebSocket path answers an unknown voice.
 */
export function resolveVoice(voice: string | undefined, voices: readonly TtsVoice[]): string | undefined {
  if (voice === undefined || voice === '') return undefined;
  const lower = voice.toLowerCase();
  const hit = voices.find((v) => v.id === voice) ?? voices.find((v) => v.id.toLowerCase() === lower || v.name.toLowerCase() === lower);
  if (hit) return hit.id;
  if (OPENAI_VOICES.has(lower) || lower === 'default') return undefined;
  throw new RestError('bad_config', `unknown voice "${voice}"; GET /v1/voices lists the installed voices`);
}

/**
 * The Earshot ASR model for an OpenAI `model` value: undefined (= default) for OpenAI's names and for nothing
 * given; the model's id when it is an installed Earshot ASR model; otherwise a 404 `model_unavailable`.
 */
export function resolveAsrModel(model: string | undefined, models: readonly ModelInfo[]): string | undefined {
  if (model === undefined || model === '') return undefined;
  if (OPENAI_MODELS.has(model.toLowerCase())) return undefined;
  const hit = models.find((m) => m.id === model && m.kind.startsWith('asr'));
  if (hit) return hit.id;
  throw new RestError('model_unavailable', `unknown transcription model "${model}"; GET /v1/models lists the installed models`);
}
