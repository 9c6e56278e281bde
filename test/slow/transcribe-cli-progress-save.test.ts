// In test/slow (the complete gate, not test:quick): `earshot transcribe` of real speech through pocketsphinx, three times, about 20 CPU-seconds.
// `earshot transcribe` on a terminal shows percent and time left on stderr (run under a real pseudo-terminal with
// util-linux `script`), writes nothing of the kind when stderr is a pipe, and `--save` stores the transcript as a
// session titled from the file name and prints its id.
/* eslint-disable no-control-regex -- the terminal's escape codes are what this test reads */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appRoot } from '../../src-main/core/paths.js';
import { openStore } from '../../src-main/core/store/index.js';
import { LIBRISPEECH } from '../helpers/shared.js';

const CLI = join(appRoot, 'bin', 'earshot.mjs');
let tmp: string;
let file: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'earshot-cli-save-'));
  file = join(tmp, 'Team call 2026.wav');
  copyFileSync(join(LIBRISPEECH, '251-118436-0000.wav'), file);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const env = () => ({ ...process.env, EARSHOT_DATA_DIR: tmp });

test('on a terminal: percent and time left on stderr, the line cleared at the end; in a pipe: none of it', () => {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, CLI, 'transcribe', file, '--engine', 'pocketsphinx'].map(quote).join(' ');
  const tty = spawnSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], { cwd: appRoot, env: env(), encoding: 'utf8', timeout: 180_000 });
  assert.equal(tty.status, 0, tty.stdout + tty.stderr);
  const draws = tty.stdout.match(/\r\x1b\[Ktranscribing \d+ %[^\r]*/g) ?? [];
  assert.ok(draws.length >= 2, `progress lines: ${JSON.stringify(tty.stdout.slice(0, 500))}`);
  const percents = draws.map((d) => Number(/(\d+) %/.exec(d)![1]));
  for (let i = 1; i < percents.length; i++) assert.ok(percents[i]! >= percents[i - 1]!, `percent goes back: ${percents}`);
  assert.ok(
    draws.some((d) => /about \d+ s left/.test(d)),
    `a time left: ${draws.join(' | ')}`,
  );

  const piped = spawnSync(process.execPath, [CLI, 'transcribe', file, '--engine', 'pocketsphinx'], {
    cwd: appRoot,
    env: env(),
    encoding: 'utf8',
  });
  assert.equal(piped.status, 0, piped.stderr);
  assert.doesNotMatch(piped.stderr, /%|\r|\x1b/);
  // The transcript is the same either way.
  const ttyText = tty.stdout
    .replace(/\r\x1b\[K(transcribing [^\r\n]*)?/g, '')
    .replace(/\r/g, '')
    .trim();
  assert.equal(ttyText, piped.stdout.trim());
});

test('--save stores a complete session titled from the file name, prints its id; JSON output names it too', () => {
  const db = join(tmp, 'sessions.db');
  const r = spawnSync(process.execPath, [CLI, 'transcribe', file, '--engine', 'pocketsphinx', '--save', '--db', db], {
    cwd: appRoot,
    env: env(),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const id = /saved as session ([0-9a-f-]{36}) \("Team call 2026"\)/.exec(r.stderr)?.[1];
  assert.ok(id, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.join(' ').split(' ').length > 5, r.stdout);

  const j = spawnSync(process.execPath, [CLI, 'transcribe', file, '--engine', 'pocketsphinx', '--save', '--db', db, '--format', 'json'], {
    cwd: appRoot,
    env: env(),
    encoding: 'utf8',
  });
  assert.equal(j.status, 0, j.stderr);
  const json = JSON.parse(j.stdout) as { session_id: string; text: string };
  assert.match(json.session_id, /^[0-9a-f-]{36}$/);
  assert.notEqual(json.session_id, id);

  const store = openStore({ path: db });
  try {
    const s = store.getSession(id)!;
    assert.equal(s.title, 'Team call 2026');
    assert.equal(s.titleAuto, false);
    assert.equal(s.status, 'complete');
    assert.deepEqual(s.sources, ['file']);
    assert.deepEqual(
      s.segments.map((g) => g.text),
      lines,
    );
    assert.equal(
      store
        .getSession(json.session_id)!
        .segments.map((g) => g.text)
        .join(' '),
      json.text,
    );
    assert.equal(store.listSessions().total, 2);
  } finally {
    store.close();
  }
});
