// test/run.mjs names the slowest files from test/file-durations-reporter.mjs: one JSON line per file with its time
// and whether it passed, from node:test's own event stream (two throwaway files, plain JS: no tsx needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const reporter = join(import.meta.dirname, '..', 'file-durations-reporter.mjs');

test('one line per file: its duration, and ok false when any of its tests failed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-durations-'));
  try {
    const slow = join(dir, 'slow.test.mjs');
    const failing = join(dir, 'failing.test.mjs');
    writeFileSync(slow, "import { test } from 'node:test';\ntest('waits', () => new Promise((r) => setTimeout(r, 300)));\n");
    writeFileSync(
      failing,
      "import { test } from 'node:test';\ntest('fails', () => { throw new Error('no'); });\ntest('passes', () => {});\n",
    );
    // NODE_TEST_CONTEXT (set for this file by the runner that runs it) would make the inner runner skip its files.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, '--test-reporter-destination=stdout', slow, failing], {
      encoding: 'utf8',
      env,
    });
    assert.equal(r.status, 1, `a failing file fails the run: ${r.stdout}${r.stderr}`);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; ms: number; ok: boolean; whole: boolean });
    const byFile = new Map(lines.map((l) => [l.file, l]));
    assert.equal(lines.length, 2, r.stdout);
    assert.equal(byFile.get(slow)?.ok, true);
    assert.ok(byFile.get(slow)!.ms >= 300, `the slow file took its 300 ms: ${r.stdout}`);
    assert.equal(byFile.get(failing)?.ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
