// `earshot models list|pull <id>|import <archive-or-folder>|verify [id]`: the model catalog, downloads (progress,
// resume, sha256), installs of models downloaded elsewhere, and checks.
import type { Command } from 'commander';
import {
  catalogModel,
  devFixturesEnabled,
  downloadDir,
  importModel,
  listable,
  listModels,
  loadCatalog,
  resolveModel,
  recognizersFor,
  coversLanguage,
} from '../../core/engine/index.js';
import { progressPrinter, pullModel, verifyModel } from '../../core/engine/index.js';

export function registerModels(program: Command): void {
  const models = program.command('models').description('list, download and verify speech models');

  models
    .command('list')
    .description('every model in the catalog and whether it is installed')
    .option('--json', 'print JSON')
    .option('--language <code>', 'only the models for this language (ISO 639-1, e.g. de), best recognizers first')
    .option('--dev-fixtures', 'also list the synthetic test fixtures (developers; env EARSHOT_DEV_FIXTURES=1)')
    .action((opts: { json?: boolean; language?: string; devFixtures?: boolean }) => {
      let rows = listable(listModels(), opts.devFixtures === true || devFixturesEnabled());
      if (opts.language !== undefined) {
        const lang = opts.language;
        if (!/^[a-z]{2,3}([-_][a-z0-9]+)?$/i.test(lang))
          throw new Error(`--language takes a language code such as de or pt-BR, got "${lang}"`);
        // Recognizers in the catalog's order of preference (recognizersFor), then the other kinds (voices...).
        const order = recognizersFor(loadCatalog(), lang).map((m) => m.id);
        const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
        rows = rows.filter((m) => m.language !== '*' && coversLanguage(m, lang)).sort((a, b) => rank(a.id) - rank(b.id));
        if (!rows.length) throw new Error(`no model in the catalog covers language "${lang}"`);
      }
      if (opts.json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      process.stdout.write(
        `${'ID'.padEnd(28)} ${'KIND'.padEnd(14)} ${'LANGUAGES'.padEnd(14)} ${'DOWNLOAD'.padStart(9)}  ${'SPEED'.padEnd(9)} ${'ACCURACY'.padEnd(9)} ${'STATE'.padEnd(20)} WHERE\n`,
      );
      for (const m of rows) {
        const where = m.installed ? resolveModel(m.id)!.path : '-';
        // Every upstream file's size is in the catalog, so this is what `pull` will fetch (fixtures: local files).
        const size = m.sizeBytes != null ? formatBytes(m.sizeBytes) : 'unknown';
        const state = (m.installed ? 'installed' : 'not installed') + (m.fixture ? ' (fixture)' : '');
        const langs = m.languages.length > 4 ? `${m.languages.length} languages` : m.languages.join(',');
        process.stdout.write(
          `${m.id.padEnd(28)} ${m.kind.padEnd(14)} ${langs.padEnd(14)} ${size.padStart(9)}  ${(m.speed ?? '-').padEnd(9)} ${(m.accuracy ?? '-').padEnd(9)} ${state.padEnd(20)} ${where}\n`,
        );
      }
      if (
        opts.language !== undefined &&
        !rows.some((m) => m.installed && m.kind.startsWith('asr-')) &&
        rows.some((m) => m.kind.startsWith('asr-'))
      ) {
        process.stdout.write(
          `\nNo recognizer for "${opts.language}" is installed. Install one with: earshot models pull ${rows.find((m) => m.kind.startsWith('asr-'))!.id}\n`,
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
    .command('import <archive-or-folder>')
    .description('install a model downloaded elsewhere (the upstream .tar.bz2, or a folder of its files), verified against the catalog')
    .option('--id <id>', 'the catalog id of the model, when its file or folder name does not say it')
    .option('--into <dir>', 'models folder to write into (default: EARSHOT_MODELS_DIR or the user-data models dir)')
    .action(async (source: string, opts: { id?: string; into?: string }) => {
      const r = await importModel(source, { into: opts.into ?? downloadDir(), id: opts.id });
      for (const f of r.files) {
        process.stdout.write(
          `${r.model.id}/${f.path}: ${f.check === 'catalog' ? 'sha256 ok' : 'sha256 recorded (the catalog has none yet)'}\n`,
        );
      }
      process.stdout.write(`${r.model.id}: installed in ${r.dir}\n`);
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

/** 1.2 GB / 63.2 MB / 899 B: decimal units, as the model hubs show them. */
function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}
