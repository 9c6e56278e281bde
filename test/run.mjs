#!/usr/bin/env node
// Runs the Node test suites (node:test through tsx). Node 20 has no --test globs, so we list the files.
// Usage: node test/run.mjs [unit|integration|e2e ...]   (default: all three, in that order)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];

function collect(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files = suites.flatMap((s) => {
  try {
    return collect(join(root, 'test', s));
  } catch {
    return [];
  }
});
if (!files.length) {
  console.error(`no test files under test/{${suites.join(',')}}`);
  process.exit(1);
}
// One file at a time: several suites stream real-time audio and measure latency on a 2-core machine.
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
