// `earshot engines`: each speech backend, whether it is available here, and why not.
import type { Command } from 'commander';
import { createEngine } from '../../core/engine/index.js';

export function registerEngines(program: Command): void {
  program
    .command('engines')
    .description('list speech backends (sherpa, pocketsphinx, espeak) and whether each is available')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const engine = await createEngine({ warmup: false });
      try {
        await engine.ready;
        const rows = engine.backends();
        if (opts.json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        for (const b of rows)
          process.stdout.write(
            `${b.id.padEnd(13)} ${b.kind.padEnd(4)} ${(b.available ? 'available' : 'unavailable').padEnd(12)} ${b.detail}\n`,
          );
      } finally {
        await engine.close();
      }
    });
}
