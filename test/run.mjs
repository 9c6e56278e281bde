#!/usr/bin/env node
// Runs the Node test suites (node:test through tsx). Node 20 has no --test globs, so we list the files.
//
//   node test/run.mjs                the complete gate: the parallel group, then test/accuracy one file at a time
//   node test/run.mjs quick          the fast loop: test/unit and test/integration, in a few shared processes
//   node test/run.mjs <folder> ...   those folders of test/ (unit, integration, slow, e2e, accuracy)
//
// The parallel group's files are independent (servers on free ports, their own temp dirs, nothing written to shared
// paths) and none measures real time, so they run EARSHOT_TEST_CONCURRENCY at once (default: the core count, at
// least 2). test/accuracy holds the suites that stream real-time audio, measure latency or word error rates against
// bounds, or build a whole clone: on a 2-core machine they must not share the CPU with each other or with the
// parallel group, so they run one file at a time, after it. test/slow holds independent files that are simply too
// heavy for the fast loop (each says why in its first line): the complete gate runs them in the parallel group.
// The quick loop runs its files in a few processes, several files each (test/shards.mjs says why and how); the
// complete gate runs each file in a process of its own. At the end the runner names the slowest files
// (test/file-durations-reporter.mjs) and keeps every file's time for the next quick loop's shards.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureRendererBuilt } from '../build/renderer.mjs';
import { DURATIONS_FILE, planShards, readDurations, writeDurations, writeShardEntries } from './shards.mjs';

const root = join(import.meta.dirname, '..');
const PARALLEL = ['unit', 'integration', 'slow', 'e2e'];
const SERIAL = new Set(['accuracy']);
const QUICK = ['unit', 'integration'];

function collect(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

function filesOf(folders) {
  return folders.flatMap((f) => {
    try {
      return collect(join(root, 'test', f));
    } catch {
      console.error(`no folder test/${f}`);
      process.exit(2);
    }
  });
}

/**
 * Files (or, in the quick loop, shards) at once: EARSHOT_TEST_CONCURRENCY, else the core count (at least 2) times
 * `factor`. The quick loop runs twice as many shards as cores: a shard's files run one after another and wait on
 * sockets and timers part of the time, and a second shard per core fills that (measured on 2 cores: the test phase
 * took 72 s with 3 shards, 67 s with 4, 65 s with 6).
 */
function concurrency(factor = 1) {
  const env = process.env.EARSHOT_TEST_CONCURRENCY;
  if (env === undefined) return Math.max(2, availableParallelism()) * factor;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`EARSHOT_TEST_CONCURRENCY must be a whole number >= 1, not ${JSON.stringify(env)}`);
    process.exit(2);
  }
  return n;
}

const args = process.argv.slice(2);
/** Phases in order: each is a set of files and how many of them run at once. */
const phases = [];
if (args.length === 0) {
  phases.push({ name: 'parallel group', files: filesOf(PARALLEL), concurrency: concurrency() });
  phases.push({ name: 'accuracy (serial)', files: filesOf([...SERIAL]), concurrency: 1 });
} else if (args.length === 1 && args[0] === 'quick') {
  phases.push({ name: 'quick', files: filesOf(QUICK), concurrency: concurrency(2), shards: true });
} else {
  const unknown = args.filter((a) => !PARALLEL.includes(a) && !SERIAL.has(a));
  if (unknown.length) {
    console.error(`unknown test folder(s): ${unknown.join(', ')} (use quick, or any of ${[...PARALLEL, ...SERIAL].join(', ')})`);
    process.exit(2);
  }
  const parallel = args.filter((a) => PARALLEL.includes(a));
  const serial = args.filter((a) => SERIAL.has(a));
  if (parallel.length) phases.push({ name: parallel.join('+'), files: filesOf(parallel), concurrency: concurrency() });
  if (serial.length) phases.push({ name: `${serial.join('+')} (serial)`, files: filesOf(serial), concurrency: 1 });
}

/**
 * The shared build outputs tests make on first use (the conformance fixtures under models/fixtures/, the web UI in
 * out/renderer): made once here, before files run side by side, so that no two files build the same output at once.
 */
function prepareSharedOutputs(folders) {
  const fixtures = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/fixtures.ts'], { cwd: root, stdio: 'inherit' });
  if (fixtures.status !== 0) {
    console.error('test/run.mjs: building the conformance fixtures failed (test/helpers/fixtures.ts, output above)');
    process.exit(1);
  }
  if (folders.some((f) => f === 'e2e' || SERIAL.has(f))) console.log(`# test/run.mjs: web UI ${ensureRendererBuilt()}`);
}
prepareSharedOutputs(args.length === 0 ? [...PARALLEL, ...SERIAL] : args[0] === 'quick' ? QUICK : args);

/** How many of the slowest files the closing summary names. */
const SLOWEST = 12;
/** node:test's own default: spec on a terminal, TAP otherwise (naming a second reporter turns the default off). */
const reporter = process.stdout.isTTY ? 'spec' : 'tap';
const durationsDir = mkdtempSync(join(tmpdir(), 'earshot-test-run-'));
const history = readDurations(join(root, DURATIONS_FILE));
/** Per file, from test/file-durations-reporter.mjs: { file, ms, ok, whole }. */
const fileTimes = [];

const summary = [];
let failed = false;
for (const [i, phase] of phases.entries()) {
  if (!phase.files.length) {
    console.error(`no test files in ${phase.name}`);
    process.exit(1);
  }
  const durations = join(durationsDir, `phase-${i}.jsonl`);
  // A shard per process slot, or a process per file.
  const targets = phase.shards
    ? writeShardEntries(root, join(root, '.cache', 'test-shards'), planShards(root, phase.files, phase.concurrency, history))
    : phase.files;
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${phase.concurrency}`,
      `--test-reporter=${reporter}`,
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'test', 'file-durations-reporter.mjs')}`,
      `--test-reporter-destination=${durations}`,
      ...targets,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  const seconds = Math.round((performance.now() - started) / 1000);
  const ok = r.status === 0;
  failed ||= !ok;
  const layout = phase.shards ? `in ${targets.length} processes at once` : `${phase.concurrency} at a time`;
  summary.push(`${phase.name}: ${phase.files.length} files, ${layout}, ${seconds} s, ${ok ? 'passed' : 'FAILED'}`);
  try {
    for (const line of readFileSync(durations, 'utf8').split('\n')) if (line) fileTimes.push(JSON.parse(line));
  } catch {
    // No durations (the runner itself failed to start): the phase line above already says FAILED.
  }
}
rmSync(durationsDir, { recursive: true, force: true });
writeDurations(
  join(root, DURATIONS_FILE),
  fileTimes.map((t) => [relative(root, t.file), t.ms]),
);

/** The slowest files, so the next person sees where a faster loop would start (wall time, files side by side). */
function slowestFiles() {
  const rows = fileTimes
    .sort((a, b) => b.ms - a.ms)
    .slice(0, SLOWEST)
    .map(
      (t) =>
        `#   ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${relative(root, t.file)}${t.ok ? '' : '  FAILED'}${t.whole ? '' : ' (its tests only)'}`,
    );
  return rows.length ? `\n# slowest files (wall time while running beside others):\n${rows.join('\n')}` : '';
}
console.log(`\n# test/run.mjs\n${summary.map((s) => `#   ${s}`).join('\n')}${slowestFiles()}`);
process.exit(failed ? 1 : 0);
