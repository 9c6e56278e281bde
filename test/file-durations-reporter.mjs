// A node:test reporter for test/run.mjs: one JSON line per test file, { file, ms, ok }, so that the runner can print
// the slowest files at the end (where a faster loop would have to start). Node 20 reports each file as a test of its
// own whose duration spans the file's whole process (start-up, imports, hooks, tests); where a Node version does
// not, the file's time is the sum of its top-level tests (`whole: false`: imports and hooks left out).
export default async function* fileDurations(source) {
  /** file -> { ms, ok, whole } */
  const files = new Map();
  for await (const event of source) {
    const { file, name, nesting, details } = event.data ?? {};
    if (!file || nesting !== 0) continue;
    const ms = details?.duration_ms ?? 0;
    const seen = files.get(file) ?? { ms: 0, ok: true, whole: false };
    // The file's own test (its process) is only completed, never passed or failed; its tests are both.
    if (event.type === 'test:complete' && name === file) files.set(file, { ms, ok: seen.ok && details?.passed !== false, whole: true });
    else if (event.type === 'test:pass' || event.type === 'test:fail') {
      const ok = event.type === 'test:pass';
      files.set(file, { ms: seen.whole ? seen.ms : seen.ms + ms, ok: seen.ok && ok, whole: seen.whole });
    }
  }
  for (const [file, { ms, ok, whole }] of files) yield `${JSON.stringify({ file, ms: Math.round(ms), ok, whole })}\n`;
}
