#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary is installed; otherwise says so in ONE line and runs
// the same engine + web UI headless (`earshot serve --open`), so the command always does the main job.
// Extra arguments go to whichever runs (e.g. `npm start -- --port-asr 0`). The headless path first builds the
// web UI when it is missing or stale (build/renderer.mjs), so a fresh clone's `npm install && npm start` shows it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ensureRendererBuilt, rendererBuildReason } from '../build/renderer.mjs';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

/** The Electron executable, or null with the reason. `require('electron')` throws when the binary was never downloaded. */
function findElectron() {
  try {
    const path = require('electron');
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { reason: `the Electron binary ${path} does not exist` };
  } catch (err) {
    return {
      reason: err instanceof Error && /failed to install/.test(err.message) ? 'its binary was not downloaded' : String(err?.message ?? err),
    };
  }
}

/**
 * Runs a child with our stdio, forwards Ctrl-C/SIGTERM/SIGHUP to it, exits with its status. A terminal's Ctrl-C
 * reaches the child too (same process group), so it gets SIGINT twice within milliseconds: `earshot serve` takes
 * copies that close together as ONE graceful stop (src-main/stop-signals.ts). Forwarding stays so that a
 * signal sent to this launcher alone (`kill <pid>`, a supervisor) still stops the child.
 */
function runForwarding(cmd, argv) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit', env: process.env });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    process.stderr.write(`earshot: cannot run ${cmd}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = findElectron();
if (electron.path) {
  // electron-vite preview builds main/preload/renderer into out/ and starts Electron on it.
  const cli = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  runForwarding(process.execPath, [cli, 'preview', ...(args.length ? ['--', ...args] : [])]);
} else {
  process.stderr.write(`earshot: Electron is unavailable (${electron.reason}); starting \`earshot serve --open\` instead.\n`);
  const reason = rendererBuildReason();
  if (reason) {
    process.stderr.write(`earshot: building the web UI (${reason === 'missing' ? 'first start' : 'its sources changed'})…\n`);
    try {
      ensureRendererBuilt();
    } catch (err) {
      process.stderr.write(`earshot: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    }
  }
  runForwarding(process.execPath, [join(root, 'bin', 'earshot.mjs'), 'serve', '--open', ...args]);
}
