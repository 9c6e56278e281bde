// Errors a person can act on (issue 9): the real `earshot` CLI as a child process, for each mistake a newcomer
// makes — a missing file, a folder instead of a file, a port already in use (another Earshot running), a model
// download while offline — prints ONE line naming the problem and the next step, never Node's raw
// ENOENT/EISDIR/EADDRINUSE/getaddrinfo text alone; and `earshot --version` exists.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LIBRISPEECH } from '../helpers/shared.js';

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'earshot-cli-errors-'));
const env = { ...process.env, EARSHOT_DATA_DIR: dataDir, EARSHOT_MODELS_DIR: join(dataDir, 'models'), EARSHOT_LOG_LEVEL: 'silent' };
after(() => rmSync(dataDir, { recursive: true, force: true }));

function earshot(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
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
}

/** The one `earshot: …` line on stderr; fails on raw errno text or a stack trace. */
function errorLine(r: { code: number | null; stderr: string }): string {
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('earshot: '));
  assert.equal(lines.length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

function occupy(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server }));
  });
}

test('earshot --version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = await earshot([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), `earshot ${version}`);
  }
});

test('a missing file: names the path and where it looked', async () => {
  const line = errorLine(await earshot(['transcribe', 'no-such-talk.wav']));
  assert.match(
    line,
    /no-such-talk\.wav: no such file \(looked for .*\/no-such-talk\.wav\) — check the name and folder, or give the full path/,
  );
  assert.doesNotMatch(line, /ENOENT/);
});

test('a folder instead of a file: says so and suggests files inside it', async () => {
  const line = errorLine(await earshot(['transcribe', LIBRISPEECH]));
  assert.match(
    line,
    /librispeech-dev is a folder, not a file — give the path of one audio file inside it \(e\.g\. .*librispeech-dev\/\S+\.wav/,
  );
  assert.doesNotMatch(line, /EISDIR/);
  const say = errorLine(await earshot(['say', 'hello', '-o', dataDir]));
  assert.match(say, /is a folder — give a file name to write, e\.g\. .*out\.wav/);
  const noDir = errorLine(await earshot(['say', 'hello', '-o', join(dataDir, 'nope', 'x.wav')]));
  assert.match(noDir, /the folder .*nope does not exist — create it first/);
});

test('a port in use: asks whether Earshot is already running and names the flag that moves it', async () => {
  const busy = await occupy();
  try {
    const http = errorLine(
      await earshot(['serve', '--engine', 'pocketsphinx', '--port-asr', String(busy.port), '--port-tts', '0', '--no-grpc', '--no-store']),
    );
    assert.equal(
      http,
      `earshot: port ${busy.port} is in use — is Earshot already running? Stop it, or pick another port (\`earshot serve --port-asr N\`; 0 picks a free one)`,
    );
    const grpc = errorLine(
      await earshot([
        'serve',
        '--engine',
        'pocketsphinx',
        '--port-asr',
        '0',
        '--port-tts',
        '0',
        '--grpc-asr',
        String(busy.port),
        '--grpc-tts',
        '0',
        '--no-store',
      ]),
    );
    assert.match(grpc, new RegExp(`port ${busy.port} is in use — is Earshot already running\\? .*\`earshot serve --grpc-asr N\``));
  } finally {
    busy.server.close();
  }
});

test('a download while offline: says it cannot reach the host and how to install the model from elsewhere', async () => {
  // `.invalid` never resolves (RFC 6761): the same getaddrinfo ENOTFOUND an offline machine gets, without the internet.
  const line = errorLine(await earshot(['models', 'pull', 'zipformer-en-20m', '--base-url', 'http://models.earshot.invalid']));
  assert.match(line, /cannot reach models\.earshot\.invalid to download zipformer-en-20m: you seem to be offline/);
  assert.match(line, /\(getaddrinfo ENOTFOUND models\.earshot\.invalid\)/);
  assert.match(
    line,
    /download http:\/\/models\.earshot\.invalid\/\S+ \(and the model's other files\) on a machine that is online, then run `earshot models import <archive-or-folder>` here/,
  );
});
