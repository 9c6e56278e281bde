// `earshot sessions list|show|search|export|delete`: the stored transcripts, straight from the database file
// (no server needed). The database is `--db <path>`, else $EARSHOT_DB, else <user data dir>/earshot.db.
// Opening the file while `earshot serve` writes to it is safe: SQLite WAL allows one writer and many readers,
// and the store leaves sessions of a running server alone.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  EXPORT_FORMATS,
  exportSession,
  formatTimestamp,
  openStore,
  searchHitJson,
  sessionDetailJson,
  sessionJson,
  type ExportFormat,
  type SessionSummary,
  type Store,
} from '../../core/store/index.js';
import { checkOutputFile } from '../errors.js';

interface DbOption {
  db?: string;
  json?: boolean;
}

function withStore<T>(opts: DbOption, fn: (store: Store) => T): T {
  const store = openStore(opts.db ? { path: opts.db } : {});
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') || text === '' ? text : text + '\n');
}

function positiveInt(name: string, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name} must be an integer in 0..${max}, got ${JSON.stringify(v)}`);
    return n;
  };
}

function requireSession(store: Store, id: string) {
  const s = store.getSession(id);
  if (!s) throw new Error(`no session with id ${JSON.stringify(id)} in ${store.path} (see: earshot sessions list)`);
  return s;
}

function summaryLine(s: SessionSummary): string {
  const when = new Date(s.startedAt).toISOString().replace('T', ' ').slice(0, 16);
  const tags = s.tags.length ? `  [${s.tags.join(', ')}]` : '';
  const title = s.title || '(untitled)';
  return `${s.id}  ${when}  ${formatTimestamp(s.durationMs, '.').slice(0, 8)}  ${s.status.padEnd(11)}  ${String(s.segmentCount).padStart(5)} seg  ${title}${tags}`;
}

export function registerSessions(program: Command): void {
  const sessions = program
    .command('sessions')
    .description('list, search, show, export and delete stored transcripts')
    .option('--db <path>', 'transcript database (default: $EARSHOT_DB, else the user data dir)');

  // Sub-commands read the parent's --db as well as their own, so it may come before or after the verb.
  const dbOf = (cmdOpts: DbOption): DbOption => ({ ...cmdOpts, db: cmdOpts.db ?? (sessions.opts() as DbOption).db });

  sessions
    .command('list')
    .description('sessions, newest first')
    .option('--db <path>', 'transcript database')
    .option('-n, --limit <n>', 'how many', positiveInt('limit', 500), 50)
    .option('--offset <n>', 'skip this many', positiveInt('offset', 1e9), 0)
    .option('--tag <tag>', 'only sessions with this tag')
    .option('-q, --query <text>', 'only sessions whose title or text matches')
    .option('--json', 'JSON output')
    .action((o: DbOption & { limit: number; offset: number; tag?: string; query?: string }) =>
      withStore(dbOf(o), (store) => {
        if (o.limit === 0) throw new Error('--limit must be at least 1');
        const page = store.listSessions({ limit: o.limit, offset: o.offset, tag: o.tag, q: o.query });
        if (o.json) return out(JSON.stringify({ total: page.total, sessions: page.sessions.map(sessionJson) }, null, 2));
        if (!page.sessions.length) return out(`no sessions (${page.total} in total) in ${store.path}`);
        out(page.sessions.map(summaryLine).join('\n'));
        if (page.total > o.offset + page.sessions.length) {
          out(`… ${page.total - o.offset - page.sessions.length} more (use --offset ${o.offset + page.sessions.length})`);
        }
      }),
    );

  sessions
    .command('show <id>')
    .description('one session with its transcript')
    .option('--db <path>', 'transcript database')
    .option('--json', 'JSON output')
    .action((id: string, o: DbOption) =>
      withStore(dbOf(o), (store) => {
        const s = requireSession(store, id);
        if (o.json) return out(JSON.stringify(sessionDetailJson(s), null, 2));
        out(summaryLine(s));
        out(`engine ${s.engine}, model ${s.model}, language ${s.language}, sources ${s.sources.join(', ') || '-'}`);
        out('');
        out(exportSession(s.segments, 'txt'));
      }),
    );

  sessions
    .command('search <query...>')
    .description('full-text search over every transcript')
    .option('--db <path>', 'transcript database')
    .option('-n, --limit <n>', 'how many hits', positiveInt('limit', 500), 20)
    .option('--json', 'JSON output')
    .action((words: string[], o: DbOption & { limit: number }) =>
      withStore(dbOf(o), (store) => {
        if (o.limit === 0) throw new Error('--limit must be at least 1');
        const hits = store.search(words.join(' '), { limit: o.limit });
        if (o.json) return out(JSON.stringify(hits.map(searchHitJson), null, 2));
        if (!hits.length) return out('no matches');
        for (const h of hits) {
          const at = formatTimestamp(h.startMs, '.').slice(0, 8);
          // The snippet is HTML for the UI; a terminal gets the text with matches in bold.
          const snippet = h.snippet
            .replace(/<mark>/g, process.stdout.isTTY ? '\x1b[1m' : '')
            .replace(/<\/mark>/g, process.stdout.isTTY ? '\x1b[22m' : '')
            .replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
          out(`${h.sessionId}  ${at}  ${h.track}: ${snippet}`);
        }
      }),
    );

  sessions
    .command('export <id>')
    .description(`write a transcript as ${EXPORT_FORMATS.join(', ')}`)
    .option('--db <path>', 'transcript database')
    .option('-f, --format <format>', EXPORT_FORMATS.join('|'), 'txt')
    .option('-o, --output <file>', 'write here instead of stdout')
    .action((id: string, o: DbOption & { format: string; output?: string }) =>
      withStore(dbOf(o), (store) => {
        if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) {
          throw new Error(`unknown --format ${JSON.stringify(o.format)}; expected one of ${EXPORT_FORMATS.join(', ')}`);
        }
        if (o.output) checkOutputFile(o.output);
        const s = requireSession(store, id);
        const text = exportSession(s.segments, o.format as ExportFormat, sessionDetailJson(s));
        if (o.output) {
          writeFileSync(o.output, text);
          process.stderr.write(`wrote ${o.output} (${s.segments.length} segments, ${o.format})\n`);
        } else {
          process.stdout.write(text);
        }
      }),
    );

  sessions
    .command('delete <id>')
    .description('delete a session and its transcript (also from the search index)')
    .option('--db <path>', 'transcript database')
    .action((id: string, o: DbOption) =>
      withStore(dbOf(o), (store) => {
        requireSession(store, id);
        store.deleteSession(id);
        out(`deleted ${id}`);
      }),
    );
}
