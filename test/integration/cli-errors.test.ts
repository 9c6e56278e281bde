// Errors a person can act on (issue 9): the real `earshot` CLI as a child process, for each mistake a newcomer
// makes — a missing file, a folder instead of a file, a port already in use (another Earshot running), a model
// download while offline — prints ONE line naming the problem and the next step, never Node's raw
// ENOENT/EISDIR/EADDRINUSE/getaddrinfo text alone; and `earshot --version` exists. (A port in use starts
// `earshot serve` twice: test/slow/cli-errors-serve.test.ts.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliWithOwnDataDir, errorLine, root } from '../helpers/earshot-cli.js';
import { LIBRISPEECH } from '../helpers/shared.js';

const { dataDir, earshot } = cliWithOwnDataDir('earshot-cli-errors-');

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
