// The quick loop's shards (test/shards.mjs): files spread over a few processes by their last duration, and each file
// run as a suite of its own inside its shard, so one file's top-level hooks never reach another file's tests and the
// durations reporter still names the files, not the shard (throwaway plain-JS files: no tsx needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { planShards, readDurations, writeDurations, writeShardEntries } from '../shards.mjs';

const reporter = join(import.meta.dirname, '..', 'file-durations-reporter.mjs');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'earshot-shards-'));
}

const sum = (files: string[], ms: Map<string, number>) => files.reduce((t, f) => t + ms.get(f)!, 0);

test('files are spread longest first onto the least loaded shard, the same way every time', () => {
  const ms = new Map([
    ['a', 9000],
    ['b', 7000],
    ['c', 5000],
    ['d', 4000],
    ['e', 3000],
    ['f', 2000],
    ['g', 1000],
    ['h', 1000],
  ]);
  const files = [...ms.keys()];
  const shards = planShards('/nowhere', files, 3, ms);
  assert.equal(shards.length, 3);
  assert.deepEqual(shards.flat().sort(), [...files].sort(), 'every file in exactly one shard');
  // 32 s over 3 shards: LPT gives 11/11/10 here, where a round-robin of the same order gives 15/12/5.
  const loads = shards.map((s) => sum(s, ms)).sort((x, y) => y - x);
  assert.deepEqual(loads, [11000, 11000, 10000]);
  assert.deepEqual(planShards('/nowhere', [...files].reverse(), 3, ms), shards, 'the order files are listed in changes nothing');
  assert.equal(planShards('/nowhere', ['a', 'b'], 4, ms).length, 2, 'no empty shards');
});

test('a file with no history weighs the median of the others; with no history at all, its size', () => {
  const history = new Map([
    ['slow', 10_000],
    ['mid', 3000],
    ['fast', 1000],
  ]);
  // "new" weighs 3000 (the median), so it joins the lighter shard, not the one holding "slow".
  const shards = planShards('/nowhere', ['slow', 'mid', 'fast', 'new'], 2, history);
  assert.deepEqual(shards, [['slow'], ['mid', 'new', 'fast']]);

  const root = tempDir();
  try {
    writeFileSync(join(root, 'big.test.mjs'), 'x'.repeat(9000));
    writeFileSync(join(root, 'one.test.mjs'), 'x'.repeat(3000));
    writeFileSync(join(root, 'two.test.mjs'), 'x'.repeat(3000));
    writeFileSync(join(root, 'three.test.mjs'), 'x'.repeat(2000));
    const bySize = planShards(root, ['one.test.mjs', 'two.test.mjs', 'three.test.mjs', 'big.test.mjs'], 2, new Map());
    assert.deepEqual(bySize, [['big.test.mjs'], ['one.test.mjs', 'two.test.mjs', 'three.test.mjs']]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('durations are kept between runs: a run adds its files and keeps the others', () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'cache', 'durations.json');
    assert.equal(readDurations(path).size, 0, 'no file yet: no history');
    writeDurations(path, [
      ['test/unit/a.test.ts', 120.4],
      ['test/unit/b.test.ts', 80],
    ]);
    writeDurations(path, [['test/unit/a.test.ts', 300]]);
    assert.deepEqual(
      [...readDurations(path)],
      [
        ['test/unit/a.test.ts', 300],
        ['test/unit/b.test.ts', 80],
      ],
    );
    writeFileSync(path, '{ not json');
    assert.equal(readDurations(path).size, 0, 'a damaged history is no history');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in a shard each file is its own suite: its hooks stay its own, and the reporter names each file', () => {
  const root = tempDir();
  try {
    mkdirSync(join(root, 't'));
    const log = join(root, 'log.txt');
    // File one's top-level beforeEach and after must run for its own tests only; file two fails one test.
    writeFileSync(
      join(root, 't', 'one.test.mjs'),
      `import { after, beforeEach, test } from 'node:test';
import { appendFileSync } from 'node:fs';
const log = (s) => appendFileSync(${JSON.stringify(log)}, s + '\\n');
beforeEach((t) => log('one:beforeEach ' + t.name));
after(() => log('one:after'));
test('first', () => log('one:first'));
test('second', () => new Promise((r) => setTimeout(r, 200)).then(() => log('one:second')));
`,
    );
    writeFileSync(
      join(root, 't', 'two.test.mjs'),
      `import { test } from 'node:test';
import { appendFileSync } from 'node:fs';
const log = (s) => appendFileSync(${JSON.stringify(log)}, s + '\\n');
test('passes', () => log('two:passes'));
test('fails', () => { log('two:fails'); throw new Error('no'); });
`,
    );
    const [entry, ...more] = writeShardEntries(root, join(root, 'shards'), [['t/one.test.mjs', 't/two.test.mjs']]);
    assert.equal(more.length, 0);
    // NODE_TEST_CONTEXT (set for this file by the runner that runs it) would make the inner runner skip its files.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, '--test-reporter-destination=stdout', entry!], {
      cwd: root,
      encoding: 'utf8',
      env,
    });
    assert.equal(r.status, 1, `a failing file fails the shard: ${r.stdout}${r.stderr}`);
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      'one:beforeEach first',
      'one:first',
      'one:beforeEach second',
      'one:second',
      'one:after',
      'two:passes',
      'two:fails',
    ]);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; ms: number; ok: boolean });
    assert.deepEqual(
      lines.map((l) => [l.file, l.ok]),
      [
        [join(root, 't', 'one.test.mjs'), true],
        [join(root, 't', 'two.test.mjs'), false],
      ],
      'one line per test file, none for the shard',
    );
    assert.ok(lines[0]!.ms >= 200, `file one's time includes its 200 ms test: ${r.stdout}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
