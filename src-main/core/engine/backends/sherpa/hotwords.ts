// Custom vocabulary for sherpa transducers (issue 14): sherpa biases modified_beam_search toward the lines of a
// hotwords file, each a sequence of the model's own tokens. sherpa-onnx-node creates online streams without
// per-stream hotwords, so a vocabulary gets its own recognizer (same model, hotwords config), shared by every
// stream with that vocabulary; the worker keeps a bounded number of them.
import type { OnlineRecognizerConfig } from 'sherpa-onnx-node';
import { MAX_VOCABULARY_WORD_CHARS, MAX_VOCABULARY_WORDS } from '../../types.js';

/** How strongly a hotword is preferred (sherpa's hotwords_score; its default is 1.5). */
export const HOTWORDS_SCORE = 1.5;
/** Beam width when biased (greedy search cannot take hotwords). */
export const HOTWORDS_BEAM = 4;
/** Different vocabularies with a loaded recognizer at once, per model (each loads the model again). */
export const MAX_BIASED_RECOGNIZERS = 4;
/** At most this many custom words or phrases per stream, each at most MAX_HOTWORD_CHARS long. */
export const MAX_HOTWORDS = MAX_VOCABULARY_WORDS;
export const MAX_HOTWORD_CHARS = MAX_VOCABULARY_WORD_CHARS;

/** sherpa's word separator token in character-level vocabularies. */
const WORD_SEPARATOR = '▁';

export class HotwordError extends Error {}

/**
 * The hotwords file lines for `words`, for a model whose tokens are single characters (sherpa's `cjkchar`
 * modelling unit): each character a token, `▁` between the words of a phrase where the model has one.
 * Throws HotwordError naming the first word the model cannot spell.
 */
export function spellHotwords(words: readonly string[], tokens: ReadonlySet<string>): string[] {
  if (words.length > MAX_HOTWORDS) throw new HotwordError(`at most ${MAX_HOTWORDS} custom words, got ${words.length}`);
  const lines: string[] = [];
  for (const raw of words) {
    const phrase = raw.trim().toLowerCase();
    if (!phrase) continue;
    if (phrase.length > MAX_HOTWORD_CHARS)
      throw new HotwordError(`custom word "${phrase.slice(0, 20)}…" is longer than ${MAX_HOTWORD_CHARS} characters`);
    const units: string[] = [];
    for (const [i, word] of phrase.split(/\s+/).entries()) {
      if (i > 0 && tokens.has(WORD_SEPARATOR)) units.push(WORD_SEPARATOR);
      for (const ch of word) {
        if (!tokens.has(ch)) throw new HotwordError(`custom word "${raw.trim()}": "${ch}" is not a letter this model writes`);
        units.push(ch);
      }
    }
    lines.push(units.join(' '));
  }
  return [...new Set(lines)];
}

/** The recognizer config for one vocabulary: the model's own config, beam search, the hotwords file. */
export function biasedRecognizerConfig(base: OnlineRecognizerConfig, hotwordsFile: string, modelingUnit: string): OnlineRecognizerConfig {
  return {
    ...base,
    decodingMethod: 'modified_beam_search',
    maxActivePaths: HOTWORDS_BEAM,
    hotwordsFile,
    hotwordsScore: HOTWORDS_SCORE,
    modelConfig: { ...base.modelConfig, modelingUnit },
  };
}
