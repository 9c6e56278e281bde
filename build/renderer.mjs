// The web UI build (out/renderer) on demand: built when missing or older than any of its sources.
// `npm start` calls this before the headless fallback (`earshot serve --open` serves out/renderer), so the
// README's `npm install && npm start` shows the app on a fresh clone, and a `git pull` or an edited view is
// rebuilt on the next start instead of serving a stale UI. (The Electron path needs nothing: electron-vite
// preview builds everything itself.) It is not done in postinstall: the install must never fail on a build,
// and only the command that runs the app can tell whether the build is stale at the time it matters.
// Also used by the end-to-end test harness. Usage as a script: `node build/renderer.mjs [--force]`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(import.meta.dirname, '..');
export const rendererIndex = join(repoRoot, 'out', 'renderer', 'index.html');

/** What the renderer bundle is built from: its own folder, the wire contract it imports, and the dependency set. */
const SOURCES = ['src-renderer', 'proto', 'package-lock.json'];

function newestMtime(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** Why the UI of the checkout at `root` needs a build ('missing' | 'stale'), or null when it is newer than every source. */
export function rendererBuildReason(root = repoRoot) {
  const built = statSync(join(root, 'out', 'renderer', 'index.html'), { throwIfNoEntry: false });
  if (!built) return 'missing';
  return Math.max(...SOURCES.map((p) => newestMtime(join(root, p)))) > built.mtimeMs ? 'stale' : null;
}

/**
 * Builds out/renderer with the renderer's Vite config when it is missing or stale (or always with `force`).
 * Returns what it did: 'built' or 'up-to-date'. Throws with Vite's output when the build fails.
 */
export function ensureRendererBuilt({ force = false } = {}) {
  const reason = force ? 'forced' : rendererBuildReason();
  if (!reason) return 'up-to-date';
  const root = repoRoot;
  let vite;
  try {
    vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    statSync(vite);
  } catch {
    throw new Error(
      `the web UI is ${reason} and Vite is not installed: run \`npm install\` (with dev dependencies), then \`npm run build:renderer\``,
    );
  }
  const r = spawnSync(process.execPath, [vite, 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the web UI build failed (\`npm run build:renderer\`):\n${r.stdout}${r.stderr}`);
  return 'built';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(`earshot: web UI ${ensureRendererBuilt({ force: process.argv.includes('--force') })}`);
  } catch (err) {
    console.error(`earshot: ${err.message}`);
    process.exit(1);
  }
}
