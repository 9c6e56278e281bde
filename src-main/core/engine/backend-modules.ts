// The optional backends, in one typed table. Each entry is a literal dynamic import, so tsc checks the module's
// exports against the shape the engine uses (`satisfies` below) while the module still loads only when asked for.
// A module that cannot load (its native addon or system library missing, a broken build) is not a crash: the
// engine reports that backend "not available, because …" with the loader's reason (loadBackendModule).
import type { AsrEngine, BackendStatus, Synthesizer } from './types.js';
import type { ResolvedModel } from './models/catalog.js';

export interface BackendModules {
  pocketsphinx: () => Promise<{
    pocketsphinxStatus(): BackendStatus;
    loadPocketsphinxAsr(opts: { workers?: number; vadModel?: string | null }): Promise<AsrEngine>;
  }>;
  espeak: () => Promise<{
    espeakStatus(): BackendStatus;
    createEspeakSynthesizer(): Synthesizer | Promise<Synthesizer>;
  }>;
  sherpaTts: () => Promise<{ loadSherpaTts(model: ResolvedModel): Promise<Synthesizer> }>;
}

export const BACKEND_MODULES = {
  pocketsphinx: () => import('./backends/pocketsphinx/index.js'),
  espeak: () => import('./backends/espeak/index.js'),
  sherpaTts: () => import('./backends/sherpa/tts.js'),
} satisfies BackendModules;

export type BackendModuleId = keyof BackendModules;
export type BackendModule<K extends BackendModuleId> = Awaited<ReturnType<BackendModules[K]>>;

/** The backend's module, or an Error saying why it could not be loaded (the engine reports it as unavailable). */
export async function loadBackendModule<K extends BackendModuleId>(
  id: K,
  table: BackendModules = BACKEND_MODULES,
): Promise<BackendModule<K> | Error> {
  try {
    const load: BackendModules[K] = table[id];
    return (await load()) as BackendModule<K>;
  } catch (err) {
    return new Error(`the ${id} backend could not be loaded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}
