// The real `earshot` CLI as a child process, for the tests of what a person sees when something is wrong
// (test/integration/cli-errors.test.ts, test/slow/cli-errors-serve.test.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export const root = join(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A data dir of its own (removed after the file's tests) and a runner of `earshot <args>` that uses it. */
export function cliWithOwnDataDir(prefix: string): {
  dataDir: string;
  earshot: (args: string[], timeoutMs?: number) => Promise<CliResult>;
} {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const env = { ...process.env, EARSHOT_DATA_DIR: dataDir, EARSHOT_MODELS_DIR: join(dataDir, 'models'), EARSHOT_LOG_LEVEL: 'silent' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const earshot = (args: string[], timeoutMs = 120_000): Promise<CliResult> =>
    new Promise((resolve) => {
      const c = spawn(process.execPath, ['bin/earshot.mjs', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
      c.on('exit', (code) => {
        clearTimeout(t);
        resolve({ code, stdout, stderr });
      });
    });
  return { dataDir, earshot };
}

/** The one `earshot: …` line on stderr; fails on raw errno text or a stack trace. */
export function errorLine(r: { code: number | null; stderr: string }): string {
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('earshot: '));
  assert.equal(lines.length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

/** A loopback port held by another listener (what a second Earshot would find). */
export function occupy(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server }));
  });
}
