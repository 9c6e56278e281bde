#!/usr/bin/env node
// Builds the pocketsphinx N-API addon (src-main/core/engine/backends/pocketsphinx/native) against the system
// library, when there is one. Never fails the install: the last stdout line says what happened, and without
// the addon the pocketsphinx backend reports itself unavailable with the reason.
// Run by build/postinstall.mjs; also by hand: `node build/native/pocketsphinx.mjs`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const addonDir = join(root, 'src-main', 'core', 'engine', 'backends', 'pocketsphinx', 'native');
const require = createRequire(join(root, 'package.json'));

function say(line) {
  console.log(line);
  process.exit(0);
}

if (process.platform === 'win32') say('skipped: the pocketsphinx backend is built on Linux and macOS only');
const pc = spawnSync('pkg-config', ['--modversion', 'pocketsphinx'], { encoding: 'utf8' });
if (pc.error) say('skipped: pkg-config not found (apt-get install pkg-config libpocketsphinx-dev libsphinxbase-dev)');
if (pc.status !== 0)
  say('skipped: pkg-config cannot find pocketsphinx (apt-get install libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us)');
const version = pc.stdout.trim();

/** node-gyp: ours (devDependency), else the copy bundled with the npm running this install. */
function findNodeGyp() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const npmCli = process.env.npm_execpath;
    const bundled = npmCli ? join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : '';
    return bundled && existsSync(bundled) ? bundled : null;
  }
}
const gyp = findNodeGyp();
if (!gyp) say('skipped: node-gyp not found (npm install --include=dev)');

// Use the running Node's own headers so nothing is downloaded (installs may be offline).
const nodeDir = join(dirname(process.execPath), '..');
const args = [gyp, 'rebuild', `--directory=${addonDir}`];
if (existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodeDir}`);
const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
const addon = join(addonDir, 'build', 'Release', 'pocketsphinx.node');
if (r.status !== 0 || !existsSync(addon)) {
  const lines = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').filter((l) => /error/i.test(l));
  process.stderr.write(`${r.stderr ?? ''}`);
  say(`build failed (pocketsphinx ${version}): ${(lines[0] ?? r.error?.message ?? `exit ${r.status}`).trim()}`);
}
say(`built against pocketsphinx ${version}`);
