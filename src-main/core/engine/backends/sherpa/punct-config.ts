// Builds sherpa's OnlinePunctuation config for a punctuation model from the catalog.
import { existsSync } from 'node:fs';
import type { OnlinePunctuationConfig } from 'sherpa-onnx-node';
import type { ResolvedModel } from '../../models/catalog.js';

/** The punctuation families this backend runs: sherpa's online CNN-BiLSTM (model + its unigram vocabulary). */
const FAMILIES: Record<string, string[]> = { cnn_bilstm: ['model', 'bpe_vocab'] };

/** Throws a specific error for anything sherpa would reject (it exits the process on a missing vocabulary). */
export function onlinePunctuationConfig(model: ResolvedModel, threads = 1): OnlinePunctuationConfig {
  if (model.kind !== 'punct') throw new Error(`model "${model.id}" is a ${model.kind} model, not a punctuation model`);
  const roles = FAMILIES[model.type];
  if (!roles)
    throw new Error(
      `model "${model.id}" has type "${model.type}"; the sherpa punctuation backend runs ${Object.keys(FAMILIES).join(', ')}`,
    );
  for (const role of roles) {
    const p = model.paths[role];
    if (!p) throw new Error(`model "${model.id}" (${model.type}) lists no "${role}" file`);
    if (!existsSync(p)) throw new Error(`model "${model.id}": ${role} file is missing: ${p}`);
  }
  return { model: { cnnBilstm: model.paths.model!, bpeVocab: model.paths.bpe_vocab!, numThreads: threads, provider: 'cpu', debug: 0 } };
}
