// Builds sherpa's OfflineRecognizer config for a non-streaming (offline) model from the catalog: the families
// that decode a whole VAD segment at once (Whisper, Moonshine, SenseVoice, NeMo/Parakeet transducer and CTC,
// offline zipformer transducer and CTC). Catalog entries of kind `asr-offline` name their files by role.
import type { OfflineRecognizerConfig } from 'sherpa-onnx-node';
import type { ResolvedModel } from '../../models/catalog.js';
import { checkRecognizerFiles } from './asr-config.js';

/** The offline families this backend can run, and the file roles each needs (tokens always). */
const FAMILIES: Record<string, string[]> = {
  zipformer_ctc: ['model', 'tokens'],
  nemo_ctc: ['model', 'tokens'],
  transducer: ['encoder', 'decoder', 'joiner', 'tokens'],
  nemo_transducer: ['encoder', 'decoder', 'joiner', 'tokens'],
  whisper: ['encoder', 'decoder', 'tokens'],
  moonshine: ['preprocessor', 'encoder', 'uncached_decoder', 'cached_decoder', 'tokens'],
  sense_voice: ['model', 'tokens'],
};

/** Families whose model detects the spoken language itself (Whisper without a language, SenseVoice with `auto`). */
const DETECTS_LANGUAGE = new Set(['whisper', 'sense_voice']);

export function isOfflineFamily(type: string): boolean {
  return Object.hasOwn(FAMILIES, type);
}

/** Whether the model reports the language it heard (the final carries it). */
export function detectsLanguage(model: ResolvedModel): boolean {
  return DETECTS_LANGUAGE.has(model.type);
}

/**
 * Throws a specific error for anything sherpa would reject (or, worse, exit(-1) on).
 * @param language ISO 639-1 code for models that take one (Whisper, SenseVoice); '' = let the model detect it.
 */
export function offlineRecognizerConfig(model: ResolvedModel, threads: number, language = ''): OfflineRecognizerConfig {
  if (model.kind !== 'asr-offline') throw new Error(`model "${model.id}" is a ${model.kind} model, not an offline ASR model`);
  checkRecognizerFiles(model, FAMILIES, 'offline', threads);
  if (language && !/^[a-z]{2,3}$/.test(language)) throw new Error(`language must be an ISO 639-1 code, got "${language}"`);
  const p = model.paths as Record<string, string>;
  const modelConfig: OfflineRecognizerConfig['modelConfig'] = { tokens: p.tokens!, numThreads: threads, provider: 'cpu', debug: 0 };
  switch (model.type) {
    case 'zipformer_ctc':
      modelConfig.zipformerCtc = { model: p.model! };
      break;
    case 'nemo_ctc':
      modelConfig.nemoCtc = { model: p.model! };
      break;
    case 'transducer':
      modelConfig.transducer = { encoder: p.encoder!, decoder: p.decoder!, joiner: p.joiner! };
      break;
    case 'nemo_transducer':
      modelConfig.transducer = { encoder: p.encoder!, decoder: p.decoder!, joiner: p.joiner! };
      modelConfig.modelType = 'nemo_transducer';
      break;
    case 'whisper':
      // Whisper detects the language when none is given; 'transcribe' keeps the spoken language (no translation).
      modelConfig.whisper = { encoder: p.encoder!, decoder: p.decoder!, language, task: 'transcribe', tailPaddings: -1 };
      break;
    case 'moonshine':
      modelConfig.moonshine = {
        preprocessor: p.preprocessor!,
        encoder: p.encoder!,
        uncachedDecoder: p.uncached_decoder!,
        cachedDecoder: p.cached_decoder!,
      };
      break;
    case 'sense_voice':
      modelConfig.senseVoice = { model: p.model!, language: language || 'auto', useInverseTextNormalization: 1 };
      break;
  }
  return {
    featConfig: { sampleRate: model.sampleRate, featureDim: model.featureDim ?? 80 },
    modelConfig,
    // Greedy everywhere: CTC accepts little else, and it is the cheapest per segment.
    decodingMethod: 'greedy_search',
  };
}
