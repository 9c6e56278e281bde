// sherpa-onnx OfflineTts configuration for a resolved catalog voice (piper/VITS, Kokoro, Matcha).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedModel } from '../../models/catalog.js';

/** espeak-ng data shipped by Debian/Ubuntu (espeak-ng-data), for voices that do not bundle their own. */
const SYSTEM_ESPEAK_DATA = [
  '/usr/lib/x86_64-linux-gnu/espeak-ng-data',
  '/usr/lib/aarch64-linux-gnu/espeak-ng-data',
  '/usr/share/espeak-ng-data',
];

/** What loadSherpaTts needs of a model: the catalog's ResolvedModel satisfies it. */
export type SherpaTtsModel = Pick<ResolvedModel, 'id' | 'name' | 'language' | 'type' | 'path' | 'paths'> & { fixture?: boolean };

/** The phonemizer data: the voice's own `espeak-ng-data/` folder, else the system's (EARSHOT_ESPEAK_DATA overrides). */
export function espeakDataDir(modelDir: string): string {
  const candidates = [process.env.EARSHOT_ESPEAK_DATA, join(modelDir, 'espeak-ng-data'), ...SYSTEM_ESPEAK_DATA];
  const found = candidates.find((d): d is string => !!d && existsSync(d));
  if (!found) throw new Error(`no espeak-ng-data for voice in ${modelDir} (install espeak-ng-data or set EARSHOT_ESPEAK_DATA)`);
  return found;
}

function need(model: SherpaTtsModel, role: string): string {
  const p = model.paths[role];
  if (!p) throw new Error(`voice ${model.id} has no "${role}" file in the catalog`);
  if (!existsSync(p)) throw new Error(`voice ${model.id}: ${role} file missing at ${p} (run: earshot models pull ${model.id})`);
  return p;
}

export function offlineTtsConfig(model: SherpaTtsModel, numThreads: number): Record<string, unknown> {
  const dataDir = espeakDataDir(model.path);
  let modelConfig: Record<string, unknown>;
  switch (model.type) {
    case 'vits':
      modelConfig = { vits: { model: need(model, 'model'), tokens: need(model, 'tokens'), dataDir } };
      break;
    case 'kokoro':
      modelConfig = { kokoro: { model: need(model, 'model'), voices: need(model, 'voices'), tokens: need(model, 'tokens'), dataDir } };
      break;
    case 'matcha':
      modelConfig = {
        matcha: { acousticModel: need(model, 'acoustic_model'), vocoder: need(model, 'vocoder'), tokens: need(model, 'tokens'), dataDir },
      };
      break;
    default:
      throw new Error(`voice ${model.id}: sherpa TTS model type "${model.type}" is not supported (vits, kokoro, matcha)`);
  }
  return {
    model: { ...modelConfig, numThreads, debug: false, provider: 'cpu' },
    // We hand sherpa one sentence at a time (our splitter), so it never needs to batch sentences.
    maxNumSentences: 1,
    // The fixture's "audio" carries token ids and must not be rescaled (shared/models/SOURCES.md).
    silenceScale: model.fixture ? 1.0 : 0.2,
  };
}
