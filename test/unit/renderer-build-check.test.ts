// build/renderer.mjs decides whether `npm start` must build the web UI first: missing on a fresh clone, stale
// after a pull or an edit of the renderer, its wire contract (proto/) or the lockfile; otherwise up to date.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { rendererBuildReason } from '../../build/renderer.mjs';

const root = mkdtempSync(join(tmpdir(), 'earshot-renderer-check-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, mtimeS: number): void {
  const p = join(root, path);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, path);
  utimesSync(p, mtimeS, mtimeS);
}

test('missing, then up to date, then stale after any source changes', () => {
  write('src-renderer/src/App.svelte', 1000);
  write('src-renderer/node_modules/dep/index.js', 9999); // dependencies' own files never count
  write('proto/ws-messages.ts', 1000);
  write('package-lock.json', 1000);
  for (const d of ['src-renderer', 'src-renderer/src', 'src-renderer/node_modules', 'src-renderer/node_modules/dep', 'proto'])
    utimesSync(join(root, d), 1000, 1000);
  assert.equal(rendererBuildReason(root), 'missing');
  write('out/renderer/index.html', 2000);
  assert.equal(rendererBuildReason(root), null);
  let t = 2000;
  for (const changed of ['src-renderer/src/App.svelte', 'proto/ws-messages.ts', 'package-lock.json']) {
    write(changed, (t += 1000));
    assert.equal(rendererBuildReason(root), 'stale', changed);
    write('out/renderer/index.html', (t += 1000));
    assert.equal(rendererBuildReason(root), null, `rebuilt after ${changed}`);
  }
  // A new file in a source folder also makes the build stale.
  write('src-renderer/src/views/New.svelte', t + 1000);
  assert.equal(rendererBuildReason(root), 'stale');
});
