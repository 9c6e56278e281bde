// The engine layer's public surface. Layers above import from here, never from a backend directly.
export * from './types.js';
export { SynthesisCache, CachingSynthesizer, type SynthesisCacheStats } from './synthesis-cache.js';
export {
  createEngine,
  listModels,
  DEFAULT_TTS_CACHE_BYTES,
  type EngineConfig,
  type AsrLoadSpec,
  type TtsLoadSpec,
  type PunctLoadSpec,
} from './engine.js';
export {
  loadCatalog,
  catalogModel,
  resolveModel,
  requireModel,
  modelsDirs,
  downloadDir,
  type CatalogModel,
  type CatalogFile,
  type ResolvedModel,
} from './models/catalog.js';
export {
  ASR_KINDS,
  baseLanguage,
  coversLanguage,
  modelLanguages,
  recognizersFor,
  missingLanguageHint,
  downloadBytes,
  formatSize,
} from './models/language-models.js';
export { SPEED_CLASSES, ACCURACY_CLASSES } from './models/catalog.js';
export { importModel, downloadUrl, ModelImportError, type ImportOptions, type ImportResult } from './models/import.js';
export { DEV_FIXTURES_ENV, devFixturesEnabled, listable } from './models/fixture-listing.js';
export { SherpaAsrEngine, MAX_WRITE_SECONDS, defaultAsrThreads } from './backends/sherpa/asr.js';
export { BATCH_NICE, BATCH_WORKER_IDLE_MS } from './worker-asr-stream.js';
export { SileroVadTracker } from './backends/sherpa/vad.js';
export { spawnWorker, RpcClient, serveRpc, withTransfer } from './worker-host.js';
export { splitSentences } from './text/sentences.js';
export { requestSentences, quickStartFor, checkPieces, checkSpeed, TtsRequestError, MAX_PIECE_CHARS } from './text/tts-request.js';
export { SentenceBuffer, QUICK_START_CHARS, quickStart, type SentenceBufferOptions } from './text/sentences.js';
export { languageFromScript } from './text/script-language.js';
export {
  pullModel,
  verifyModel,
  progressPrinter,
  DownloadError,
  type DownloadProgress,
  type PullOptions,
  type VerifyResult,
} from './models/download.js';
