// The quick loop's processes. `node test/run.mjs quick` runs its files in a few long-lived Node processes (shards)
// instead of one process per file: a file pays about 0.3 CPU-seconds to start Node and tsx, and an integration file
// about 1 more to load the app's modules through tsx's loader (the server, engine and store: 2.1 CPU-s through tsx,
// 1.0 as plain JS), which was half of the loop's CPU. A shard pays that once.
//
// Each file still runs as a suite of its own, named by its path: its top-level hooks stay its own, and the output and
// any failure name the file. A shard's suites run one after another (node:test runs a process's top-level suites in
// order), but all its files are imported when the shard starts, so a file's top-level code runs before the files
// ahead of it have finished: a test file changes shared state (process.env, globals) in its hooks, never at its top
// level, and restores it in `after`. What files share is the process (module cache, environment, event loop), so the
// complete gate (`npm test`: one process per file) is what decides.
//
// Files are spread over the shards by their last measured duration (DURATIONS_FILE, written by test/run.mjs after
// every run), longest first onto the least loaded shard. A file with no history weighs the median of those with one;
// with no history at all, every file weighs its size in bytes.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Per test file (relative to the repository root), its last duration in ms. */
export const DURATIONS_FILE = join('.cache', 'test-durations.json');

/** @returns {Map<string, number>} */
export function readDurations(path) {
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(path, 'utf8'))).filter(([, ms]) => typeof ms === 'number' && ms >= 0));
  } catch {
    return new Map();
  }
}

/** Adds the run's durations (relative file -> ms) to the history, keeping files this run did not touch. */
export function writeDurations(path, durations) {
  const merged = readDurations(path);
  for (const [file, ms] of durations) merged.set(file, Math.round(ms));
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(Object.fromEntries([...merged].sort(([a], [b]) => a.localeCompare(b))), null, 1)}\n`);
}

/**
 * `count` lists of files with about equal total weight (longest processing time first). Deterministic whatever order
 * the files come in: equal weights are taken by path, and a tie between shards goes to the lower-numbered one.
 * @param {string[]} files relative to root
 * @param {Map<string, number>} durations
 * @returns {string[][]}
 */
export function planShards(root, files, count, durations) {
  const known = files.map((f) => durations.get(f)).filter((ms) => ms !== undefined);
  const sorted = [...known].sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined;
  const weight = new Map(files.map((f) => [f, known.length ? (durations.get(f) ?? median) : statSync(join(root, f)).size]));
  const shards = Array.from({ length: Math.min(count, files.length) }, () => ({ load: 0, files: [] }));
  for (const f of [...files].sort((a, b) => weight.get(b) - weight.get(a) || a.localeCompare(b))) {
    const lightest = shards.reduce((min, s) => (s.load < min.load ? s : min));
    lightest.load += weight.get(f);
    lightest.files.push(f);
  }
  return shards.map((s) => s.files);
}

/**
 * Writes one entry file per shard into `dir` (emptied first) and returns their paths. An entry registers each of its
 * files as a suite named by the file's path and imports the file inside it, so the file's tests and hooks belong to
 * that suite.
 */
export function writeShardEntries(root, dir, shards) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return shards.map((files, i) => {
    const entries = files.map((f) => [f, pathToFileURL(join(root, f)).href]);
    const path = join(dir, `shard-${i + 1}.mjs`);
    writeFileSync(
      path,
      [
        `// Written by test/shards.mjs for \`node test/run.mjs quick\`: these test files in one process, each a suite.`,
        `import { describe } from 'node:test';`,
        `for (const [name, url] of ${JSON.stringify(entries)}) describe(name, () => import(url));`,
        '',
      ].join('\n'),
    );
    return path;
  });
}
