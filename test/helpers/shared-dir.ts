// ../shared (models and real speech) for tests: its path, or a loud failure when it is missing (tests never skip).
// The app itself only asks whether it exists (src-main/core/paths.ts sharedDir).
import { appRoot, sharedDir } from '../../src-main/core/paths.js';

export function requireSharedDir(): string {
  const dir = sharedDir();
  if (!dir) {
    throw new Error(
      `earshot: ../shared (models and test audio) is missing beside ${appRoot}; ` +
        'tests need it. Set EARSHOT_SHARED_DIR or check out shared/ next to the repo.',
    );
  }
  return dir;
}
