// Builds sherpa's OnlineRecognizer config for a streaming model from the catalog.
import { existsSync } from 'node:fs';
import type { OnlineRecognizerConfig } from 'sherpa-onnx-node';
import type { ResolvedModel } from '../../models/catalog.js';

/** The streaming model families this backend can run, and the file roles each needs. */
const FAMILIES: Record<string, string[]> = {
  transducer: ['encoder', 'decoder', 'joiner', 'tokens'],
  nemo_ctc: ['model', 'tokens'],
  zipformer2_ctc: ['model', 'tokens'],
};

export function isStreamingFamily(type: string): boolean {
  return Object.hasOwn(FAMILIES, type);
}

/**
 * The checks every sherpa recognizer config starts with (streaming and offline): the family is one `backend` runs,
 * each file its family needs is listed and present, and the thread count is sane. Throws a specific error.
 */
export function checkRecognizerFiles(model: ResolvedModel, families: Record<string, string[]>, backend: string, threads: number): void {
  const roles = families[model.type];
  if (!roles)
    throw new Error(`model "${model.id}" has type "${model.type}"; the sherpa ${backend} backend runs ${Object.keys(families).join(', ')}`);
  for (const role of roles) {
    const p = model.paths[role];
    if (!p) throw new Error(`model "${model.id}" (${model.type}) lists no "${role}" file`);
    if (!existsSync(p)) throw new Error(`model "${model.id}": ${role} file is missing: ${p}`);
  }
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new Error(`threads must be an integer 1..64, got ${threads}`);
}

/** Throws a specific error for anything sherpa would reject (or, worse, exit(-1) on). */
export function onlineRecognizerConfig(model: ResolvedModel, threads: number): OnlineRecognizerConfig {
  if (model.kind !== 'asr-streaming') throw new Error(`model "${model.id}" is a ${model.kind} model, not a streaming ASR model`);
  checkRecognizerFiles(model, FAMILIES, 'streaming', threads);
  const p = model.paths;
  const modelConfig: OnlineRecognizerConfig['modelConfig'] = { tokens: p.tokens!, numThreads: threads, provider: 'cpu', debug: 0 };
  if (model.type === 'transducer') modelConfig.transducer = { encoder: p.encoder!, decoder: p.decoder!, joiner: p.joiner! };
  else if (model.type === 'nemo_ctc') modelConfig.nemoCtc = { model: p.model! };
  else modelConfig.zipformer2Ctc = { model: p.model! };
  return {
    featConfig: { sampleRate: model.sampleRate, featureDim: model.featureDim ?? 80 },
    modelConfig,
    // CTC models accept only greedy search (anything else makes sherpa exit(-1)); greedy is also the
    // cheapest for transducers in live use.
    decodingMethod: 'greedy_search',
    // Endpointing is per stream (each stream has its own trailing-silence setting), done by us from
    // num_trailing_blanks; sherpa's rules are per recognizer.
    enableEndpoint: 0,
  };
}
