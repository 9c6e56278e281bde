// `npm run bench`: every performance figure, as one JSON document on stdout (progress goes to stderr).
// Each section module exports `run()` returning its figures; a figure that has a reference (the raw engine
// or a peer measured in the same run) is reported with its ratio to it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

type Section = { run: () => Promise<Record<string, unknown>> };

const only = process.argv.slice(2);
const dir = import.meta.dirname;
const sections = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((name) => !only.length || only.includes(name))
  .sort();

const report: Record<string, unknown> = {
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
};
for (const name of sections) {
  process.stderr.write(`bench: ${name}…\n`);
  const mod = (await import(join(dir, `${name}.bench.ts`))) as Section;
  const started = Date.now();
  try {
    report[name] = await mod.run();
  } catch (err) {
    report[name] = { error: err instanceof Error ? err.message : String(err) };
  }
  process.stderr.write(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
