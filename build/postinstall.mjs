// npm postinstall: optional pieces that must never fail the install.
//  1. Electron's binary. Its own postinstall is disabled (allowScripts) because it fails the whole install
//     on machines without access to Electron's downloads; here we try it and report in one line.
//  2. Native addons for the zero-download engines, built only where their system libraries exist.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return 'electron: not installed (npm start will run `earshot serve --open`)';
  }
  if (existsSync(join(dir, 'path.txt'))) return 'electron: binary present';
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 'electron: binary download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD)';
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  if (r.status === 0) return 'electron: binary downloaded';
  const why =
    String(r.stderr ?? '')
      .split('\n')
      .find((l) => l.trim()) ?? `exit ${r.status}`;
  return `electron: binary unavailable (${why.trim()}); npm start will run \`earshot serve --open\``;
}

const lines = [electronBinary()];
for (const addon of ['pocketsphinx']) {
  const script = join(root, 'build', 'native', `${addon}.mjs`);
  if (!existsSync(script)) continue;
  const r = spawnSync(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  lines.push(`${addon}: ${(r.stdout || r.stderr || '').trim().split('\n').pop() ?? ''}`);
}
for (const l of lines) console.log(`earshot postinstall: ${l}`);
