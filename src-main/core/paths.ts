// Where Earshot keeps things on disk. A leaf module: every layer may import it, it imports no layer.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root: the folder holding package.json. */
export const appRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('earshot: cannot find package.json above ' + fileURLToPath(import.meta.url));
})();

/** Earshot's version, from package.json. */
export function appVersion(): string {
  return (JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * `../shared` beside the checkout: the development copy of models and test audio.
 * Null when absent (an installed app has none); the tests' `requireSharedDir` (test/helpers/shared.ts) fails loudly.
 */
export function sharedDir(): string | null {
  const dir = process.env.EARSHOT_SHARED_DIR ?? resolve(appRoot, '..', 'shared');
  return existsSync(dir) ? dir : null;
}

/** Per-user data dir (token, database, downloaded models). EARSHOT_DATA_DIR overrides it (tests use a temp dir). */
export function userDataDir(): string {
  if (process.env.EARSHOT_DATA_DIR) return process.env.EARSHOT_DATA_DIR;
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Earshot');
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Earshot');
  return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'earshot');
}
