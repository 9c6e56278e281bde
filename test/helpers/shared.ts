// Test access to ../shared (models and real speech). Fails loudly when it is missing: tests never skip.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireSharedDir } from './shared-dir.js';

export const SHARED = requireSharedDir();
export const MODELS = join(SHARED, 'models');
export const TONE_ALPHABET = join(MODELS, 'fixtures', 'tone-alphabet');
export const COMPUTE_20M = join(MODELS, 'fixtures', 'compute-20m');
export const SILERO_VAD = join(MODELS, 'silero_vad', 'silero_vad.onnx');
export const LIBRISPEECH = join(SHARED, 'audio', 'librispeech-dev');
export const LONGFORM = join(SHARED, 'audio', 'longform');

/** utterance id -> reference text, from refs.tsv. */
export function librispeechRefs(): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of readFileSync(join(LIBRISPEECH, 'refs.tsv'), 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) refs.set(line.slice(0, tab), line.slice(tab + 1).trim());
  }
  return refs;
}
