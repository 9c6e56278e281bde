// `earshot models list|pull <id>|verify [id]`: the model catalog, downloads (progress, resume, sha256) and checks.
import type { Command } from 'commander';
import { catalogModel, devFixturesEnabled, downloadDir, listable, listModels, loadCatalog, resolveModel } from '../../core/engine/index.js';
import { progressPrinter, pullModel, verifyModel } from '../../core/engine/models/download.js';

export function registerModels(program: Command): void {
  const models = program.command('models').description('list, download and verify speech models');

  models
    .command('list')
    .description('every model in the catalog and whether it is installed')
    .option('--json', 'print JSON')
    .option('--dev-fixtures', 'also list the synthetic test fixtures (developers; env EARSHOT_DEV_FIXTURES=1)')
    .action((opts: { json?: boolean; devFixtures?: boolean }) => {
      const rows = listable(listModels(), opts.devFixtures === true || devFixturesEnabled());
      if (opts.json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      for (const m of rows) {
        const where = m.installed ? resolveModel(m.id)!.path : '-';
        const size = m.sizeBytes ? `${(m.sizeBytes / 1e6).toFixed(1)} MB` : '';
        process.stdout.write(
          `${m.id.padEnd(28)} ${m.kind.padEnd(14)} ${m.language.padEnd(3)} ${(m.installed ? 'installed' : 'not installed').padEnd(14)}${m.fixture ? ' fixture' : ''} ${size} ${where}\n`,
        );
      }
    });

  models
    .command('pull <id>')
    .description('download a model (resumes a partial download; verifies sha256 before use)')
    .option('--base-url <url>', 'fetch <url>/<model dir>/<file> instead of the upstream URLs (env EARSHOT_MODELS_BASE_URL)')
    .option('--into <dir>', 'models folder to write into (default: EARSHOT_MODELS_DIR or the user-data models dir)')
    .action(async (id: string, opts: { baseUrl?: string; into?: string }) => {
      const model = catalogModel(id);
      const dir = await pullModel(model, {
        into: opts.into ?? downloadDir(),
        baseUrl: opts.baseUrl ?? process.env.EARSHOT_MODELS_BASE_URL,
        onProgress: progressPrinter(),
      });
      process.stdout.write(`${id}: installed in ${dir}\n`);
    });

  models
    .command('verify [id]')
    .description('check installed models against their sha256 (all installed models when no id is given)')
    .action(async (id?: string) => {
      const targets = id ? [catalogModel(id)] : loadCatalog().filter((m) => resolveModel(m));
      let bad = 0;
      for (const m of targets) {
        const found = resolveModel(m);
        if (!found) {
          process.stdout.write(`${m.id}: not installed\n`);
          bad++;
          continue;
        }
        for (const r of await verifyModel(m, found.path)) {
          if (r.status === 'missing' || r.status === 'mismatch') bad++;
          process.stdout.write(`${m.id}/${r.file}: ${r.status}${r.detail ? ` (${r.detail})` : ''}\n`);
        }
      }
      if (bad) {
        process.stderr.write(`earshot: ${bad} problem(s) found\n`);
        process.exitCode = 1;
      }
    });
}
