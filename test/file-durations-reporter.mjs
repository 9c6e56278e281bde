// A node:test reporter for test/run.mjs: one JSON line per test file, { file, ms, ok, whole }, so that the runner can
// print the slowest files at the end (where a faster loop would have to start) and spread the quick loop's files over
// its processes by duration (test/shards.mjs). Node 20 reports each file as a test of its own whose duration spans the
// file's whole process (start-up, imports, hooks, tests); where a Node version does not, the file's time is the sum
// of its top-level tests (`whole: false`: imports and hooks left out). In the quick loop a process runs several files,
// each as a top-level suite named by the file's path (relative to the working directory): such a suite is reported as
// that file (its hooks and tests; its imports ran when the process started), and the process's own file is left out.
import { resolve } from 'node:path';

const TEST_FILE = /\.test\.[cm]?[jt]s$/;

export default async function* fileDurations(source) {
  /** file -> { ms, ok, whole } */
  const files = new Map();
  /** Processes that ran files as suites (a quick-loop shard): not test files themselves. */
  const shards = new Set();
  for await (const event of source) {
    const { file, name, nesting, details } = event.data ?? {};
    if (!file || nesting !== 0) continue;
    const ms = details?.duration_ms ?? 0;
    if (details?.type === 'suite' && TEST_FILE.test(name) && (event.type === 'test:pass' || event.type === 'test:fail')) {
      shards.add(file);
      files.set(resolve(name), { ms, ok: event.type === 'test:pass', whole: true });
      continue;
    }
    const seen = files.get(file) ?? { ms: 0, ok: true, whole: false };
    // The file's own test (its process) is only completed, never passed or failed; its tests are both.
    if (event.type === 'test:complete' && name === file) files.set(file, { ms, ok: seen.ok && details?.passed !== false, whole: true });
    else if (event.type === 'test:pass' || event.type === 'test:fail') {
      const ok = event.type === 'test:pass';
      files.set(file, { ms: seen.whole ? seen.ms : seen.ms + ms, ok: seen.ok && ok, whole: seen.whole });
    }
  }
  for (const [file, { ms, ok, whole }] of files) {
    // A shard's own entry: its failure (if any) is already on the file whose suite failed, or on the phase line.
    if (shards.has(file)) continue;
    yield `${JSON.stringify({ file, ms: Math.round(ms), ok, whole })}\n`;
  }
}
