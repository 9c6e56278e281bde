// The Python that runs the official Python clients in tests (the `wyoming` package and friends): a venv that
// `.ci/run` creates from test/python/requirements.txt. Fails loudly when missing: tests never skip.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../../src-main/core/paths.js';

export function testPython(): string {
  const python = join(appRoot, '.cache', 'test-venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(
      `${python} is missing: run \`python3 -m venv .cache/test-venv && .cache/test-venv/bin/pip install -r test/python/requirements.txt\` (as .ci/run does)`,
    );
  }
  return python;
}
