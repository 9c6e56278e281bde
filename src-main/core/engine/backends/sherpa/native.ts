// Loads the sherpa-onnx-node addon. It is CommonJS with a native binary per platform, so it is required
// lazily: a missing or broken binary makes the sherpa backend "unavailable" with the reason, not a crash.
import { createRequire } from 'node:module';

export type SherpaModule = typeof import('sherpa-onnx-node');

let cached: { mod: SherpaModule } | { error: Error } | null = null;

/** The addon, or throws with why it cannot load. */
export function loadSherpa(): SherpaModule {
  cached ??= tryLoad();
  if ('error' in cached) throw cached.error;
  return cached.mod;
}

/** null when the addon loads, else the reason it does not. */
export function sherpaUnavailableReason(): string | null {
  try {
    loadSherpa();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function tryLoad(): { mod: SherpaModule } | { error: Error } {
  try {
    return { mod: createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule };
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { error: new Error(`sherpa-onnx-node cannot be loaded on ${process.platform}-${process.arch}: ${why}`) };
  }
}
