// Transcript search at scale: 1,000 sessions × 200 segments (200,000 segments) written through the real
// Store (one committed transaction per segment, as live sessions do), then full-text search latency.
// Reference ("raw"): a bare FTS5 MATCH returning 20 rowids in the same order (newest first, or bm25 rank), on
// the same database in the same run — the ratio shows what the store adds (joins, snippet, HTML escaping).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, toFtsQuery } from '../../src-main/core/store/index.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import { rng } from '../helpers/random.js';

const SESSIONS = 1000;
const SEGMENTS_PER_SESSION = 200;
const QUERIES = 400;

function percentile(sorted: number[], p: number): number {
  const v = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  if (v === undefined) throw new Error('percentile of no samples');
  return v;
}

function stats(ms: number[]): { p50_ms: number; p95_ms: number; max_ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { p50_ms: r(percentile(s, 50)), p95_ms: r(percentile(s, 95)), max_ms: r(percentile(s, 100)) };
}

function time(fn: () => unknown): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export async function run(): Promise<Record<string, unknown>> {
  // Real vocabulary and word frequencies: the LibriSpeech references, lower-cased.
  const tokens = readFileSync(join(LIBRISPEECH, 'refs.tsv'), 'utf8')
    .split('\n')
    .flatMap((l) => l.split('\t')[1]?.toLowerCase().split(/\s+/).filter(Boolean) ?? []);
  const vocabulary = [...new Set(tokens)];
  const rand = rng(42);
  const sentence = () => Array.from({ length: 6 + Math.floor(rand() * 18) }, () => tokens[Math.floor(rand() * tokens.length)]).join(' ');

  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-search-'));
  try {
    const path = join(dir, 'bench.db');
    const store = openStore({ path });
    const started = process.hrtime.bigint();
    for (let s = 0; s < SESSIONS; s++) {
      const id = store.createSession({ engine: 'pocketsphinx', model: 'en-us', language: 'en', title: `Meeting ${s}` });
      let t = 0;
      for (let g = 0; g < SEGMENTS_PER_SESSION; g++) {
        const len = 1000 + Math.floor(rand() * 8000);
        store.appendSegment(id, {
          track: g % 3 ? 'mic' : 'system',
          startMs: t,
          endMs: t + len,
          text: sentence(),
          confidence: 0.8,
          words: [],
        });
        t += len + 500;
      }
      store.endSession(id);
      if (s % 200 === 199) process.stderr.write(`bench: search: ${s + 1} sessions written\n`);
    }
    const writeS = Number(process.hrtime.bigint() - started) / 1e9;
    const segments = SESSIONS * SEGMENTS_PER_SESSION;

    // Query mix: a word drawn uniformly from the vocabulary (mostly rare-to-medium words), two-word queries,
    // and the most frequent word (worst case: it matches most of the corpus and all of it must be ranked).
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    const commonest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!commonest) throw new Error('no words in the LibriSpeech references');
    const qrand = rng(7);
    const pick = () => vocabulary[Math.floor(qrand() * vocabulary.length)]!; // qrand() < 1, so the index is in range
    const single = Array.from({ length: QUERIES }, pick);
    const pairs = Array.from({ length: QUERIES / 2 }, () => `${pick()} ${pick()}`);

    const raw = new Database(path, { readonly: true });
    const rawRecent = raw.prepare(`SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? ORDER BY rowid DESC LIMIT 20`);
    const rawRank = raw.prepare(`SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? ORDER BY rank LIMIT 20`);

    for (const q of single.slice(0, 20)) store.search(q); // warm the page cache
    const measure = (order: 'recent' | 'relevance', queries: string[]) => {
      const rawStmt = order === 'recent' ? rawRecent : rawRank;
      const s = stats(queries.map((q) => time(() => store.search(q, { limit: 20, order }))));
      const r = stats(queries.map((q) => time(() => rawStmt.all(toFtsQuery(q)))));
      return { ...s, raw_fts: r, p95_ratio_to_raw: Math.round((s.p95_ms / r.p95_ms) * 100) / 100 };
    };
    const common = Array.from({ length: 20 }, () => commonest);
    const result = {
      search_one_word: measure('recent', single),
      search_two_words: measure('recent', pairs),
      search_commonest_word: { word: commonest, ...measure('recent', common) },
      relevance_one_word: measure('relevance', single),
      relevance_two_words: measure('relevance', pairs),
      relevance_commonest_word: measure('relevance', common),
      list_sessions: stats(Array.from({ length: 50 }, (_, i) => time(() => store.listSessions({ limit: 50, offset: i * 10 })))),
      list_sessions_q: stats(single.slice(0, 100).map((q) => time(() => store.listSessions({ q, limit: 50 })))),
    };
    raw.close();
    store.close();

    return {
      corpus: { sessions: SESSIONS, segments, vocabulary: vocabulary.length, db_mb: Math.round(statSync(path).size / 1e5) / 10 },
      append: { segments_per_s: Math.round(segments / writeS), us_per_segment: Math.round((writeS / segments) * 1e7) / 10 },
      ...result,
      goal_p95_ms: 50,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
