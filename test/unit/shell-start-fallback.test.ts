// `npm start` where Electron's binary is missing (as on this machine and in CI): exactly one line says so,
// then `earshot serve --open` runs with the extra arguments (here --help, so it prints and exits).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');

function start(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [join(root, 'bin', 'start.mjs'), '--help'], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('no Electron binary: one line, then earshot serve --open', () => {
  // ELECTRON_OVERRIDE_DIST_PATH points electron's resolver at an empty folder: no binary, whatever is installed.
  const empty = mkdtempSync(join(tmpdir(), 'earshot-no-electron-'));
  try {
    const r = start({ ELECTRON_OVERRIDE_DIST_PATH: empty });
    const lines = (r.stderr + r.stdout).split('\n');
    const electronLines = lines.filter((l) => /electron/i.test(l));
    assert.equal(electronLines.length, 1, r.stderr + r.stdout);
    assert.match(electronLines[0]!, /^earshot: Electron is unavailable \(.+\); starting `earshot serve --open` instead\.$/);
    assert.equal(r.stderr.split('\n')[0], electronLines[0]);
    // The serve command really ran: its own help came out, and it exited cleanly.
    assert.match(r.stdout, /Usage: earshot serve/);
    assert.match(r.stdout, /--open/);
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('the missing-download case names the reason', () => {
  const r = start({ ELECTRON_OVERRIDE_DIST_PATH: '' });
  // With no override, this machine's electron package has no downloaded binary (ELECTRON_SKIP_BINARY_DOWNLOAD).
  assert.match(
    r.stderr.split('\n')[0]!,
    /^earshot: Electron is unavailable \((its binary was not downloaded|the Electron binary .+ does not exist)\)/,
  );
});
