// The transcript store over better-sqlite3. Synchronous by design: a call returns only once its transaction
// is committed to the WAL, so a final segment survives a crash or SIGKILL of the process the moment
// appendSegment returns (synchronous=NORMAL: durable against process death, not necessarily power loss).
import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { userDataDir } from '../paths.js';
import { toFtsQuery } from './fts-query.js';
import { migrate } from './migrations.js';
import {
  STORE_LIMITS,
  StoreError,
  type ListQuery,
  type NewSegment,
  type NewSession,
  type SearchHit,
  type SearchOptions,
  type SessionDetail,
  type SessionPage,
  type SessionStatus,
  type SessionSummary,
  type Store,
  type StoredSegment,
} from './types.js';
import type { WordTiming } from '../engine/index.js';
import { OWN_START_MS, ownerAlive } from './process-owner.js';
import { previewOf, sessionTitle, PREVIEW_CHARS } from './session-title.js';

export interface OpenStoreOptions {
  /** Database file, or ':memory:'. Default: $EARSHOT_DB, else <userDataDir>/earshot.db. */
  path?: string;
}

export const DEFAULT_DB_FILE = 'earshot.db';

export function defaultDbPath(): string {
  return process.env.EARSHOT_DB || join(userDataDir(), DEFAULT_DB_FILE);
}

// Private-use code points mark matches inside snippet() output; the text is HTML-escaped afterwards and the
// markers become <mark> tags, so stored text can never inject markup into a results page.
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';

interface SessionRow {
  id: string;
  title: string;
  started_at: number;
  ended_at: number | null;
  status: SessionStatus;
  sources: string;
  engine: string;
  model: string;
  language: string;
  tags: string;
  segment_count: number;
  duration_ms: number;
  first_text: string | null;
}

interface SegmentRow {
  id: number;
  session_id: string;
  track: string;
  start_ms: number;
  end_ms: number;
  text: string;
  confidence: number;
  words: string;
}

/** The first segments' text of session alias `a`, enough for the automatic title and the preview line. */
const FIRST_TEXT = (a: string) => `(SELECT substr(group_concat(f.text, ' '), 1, ${PREVIEW_CHARS * 2}) FROM (
    SELECT g.text FROM segments g WHERE g.session_id = ${a}.id ORDER BY g.start_ms, g.id LIMIT 8) f)`;

const SUMMARY_COLUMNS = `
  s.id, s.title, s.started_at, s.ended_at, s.status, s.sources, s.engine, s.model, s.language, s.tags,
  (SELECT count(*) FROM segments g WHERE g.session_id = s.id) AS segment_count,
  (SELECT coalesce(max(g.end_ms), 0) FROM segments g WHERE g.session_id = s.id) AS duration_ms,
  ${FIRST_TEXT('s')} AS first_text`;

export function openStore(opts: OpenStoreOptions = {}): Store {
  return new SqliteStore(opts.path ?? defaultDbPath());
}

class SqliteStore implements Store {
  readonly path: string;
  private db: Database.Database | null;
  private readonly stmts: ReturnType<SqliteStore['prepare']>;
  /** Sessions this instance made (or resumed) live: close() ends those still live as interrupted. */
  private readonly opened = new Set<string>();

  constructor(path: string) {
    this.path = path === ':memory:' ? path : resolve(path);
    if (this.path !== ':memory:') createPrivateFile(this.path);
    const db = new Database(this.path);
    this.db = db;
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // Freed pages are zeroed, so deleted transcripts do not linger in the file.
      db.pragma('secure_delete = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      this.stmts = this.prepare(db);
      this.recoverInterrupted();
    } catch (err) {
      db.close();
      this.db = null;
      throw err;
    }
  }

  private prepare(db: Database.Database) {
    return {
      insertSession: db.prepare(
        `INSERT INTO sessions (id, title, started_at, status, sources, engine, model, language, tags, owner_pid, owner_started_at)
         VALUES (@id, @title, @startedAt, 'live', @sources, @engine, @model, @language, @tags, @pid, @pidStartedAt)`,
      ),
      sessionExists: db.prepare(`SELECT status FROM sessions WHERE id = ?`),
      insertSegment: db.prepare(
        `INSERT INTO segments (session_id, track, start_ms, end_ms, text, confidence, words)
         VALUES (@sessionId, @track, @startMs, @endMs, @text, @confidence, @words)`,
      ),
      endSession: db.prepare(`UPDATE sessions SET status = ?, ended_at = ?, owner_pid = NULL, owner_started_at = NULL WHERE id = ?`),
      resumeSession: db.prepare(`UPDATE sessions SET status = 'live', ended_at = NULL, owner_pid = ?, owner_started_at = ? WHERE id = ?`),
      getSession: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM sessions s WHERE s.id = ?`),
      getSegments: db.prepare(`SELECT * FROM segments WHERE session_id = ? ORDER BY start_ms, id`),
      rename: db.prepare(`UPDATE sessions SET title = ? WHERE id = ?`),
      // segments_au (migration 1) keeps the FTS index in step with the new text.
      editSegment: db.prepare(`UPDATE segments SET text = ?, words = '[]' WHERE id = ? AND session_id = ?`),
      getSegment: db.prepare(`SELECT * FROM segments WHERE id = ? AND session_id = ?`),
      setTags: db.prepare(`UPDATE sessions SET tags = ? WHERE id = ?`),
      deleteSegments: db.prepare(`DELETE FROM segments WHERE session_id = ?`),
      deleteSession: db.prepare(`DELETE FROM sessions WHERE id = ?`),
      liveSessions: db.prepare(`SELECT id, started_at, owner_pid, owner_started_at FROM sessions WHERE status = 'live'`),
      maxEnd: db.prepare(`SELECT coalesce(max(end_ms), 0) AS m FROM segments WHERE session_id = ?`),
    };
  }

  private get conn(): Database.Database {
    if (!this.db) throw new StoreError('closed', 'the transcript store is closed');
    return this.db;
  }

  /**
   * Sessions left `live` by a process that no longer exists (crash, SIGKILL, power loss) become
   * `interrupted`, ending at their last segment. A live session owned by another running process (the
   * server, while the CLI reads the same file) is left alone.
   */
  private recoverInterrupted(): void {
    const rows = this.stmts.liveSessions.all() as {
      id: string;
      started_at: number;
      owner_pid: number | null;
      owner_started_at: number | null;
    }[];
    const dead = rows.filter((r) => r.owner_pid === null || !ownerAlive(r.owner_pid, r.owner_started_at));
    if (!dead.length) return;
    this.conn.transaction(() => {
      for (const r of dead) {
        const { m } = this.stmts.maxEnd.get(r.id) as { m: number };
        this.stmts.endSession.run('interrupted', r.started_at + m, r.id);
      }
    })();
  }

  createSession(meta: NewSession): string {
    this.assertOpen();
    const id = randomUUID();
    this.stmts.insertSession.run({
      id,
      title: checkText(meta.title ?? '', 'title', STORE_LIMITS.titleChars),
      startedAt: Date.now(),
      sources: JSON.stringify(checkList(meta.sources ?? [], 'sources', STORE_LIMITS.sources, STORE_LIMITS.sourceChars)),
      engine: checkText(meta.engine, 'engine', STORE_LIMITS.fieldChars),
      model: checkText(meta.model, 'model', STORE_LIMITS.fieldChars),
      language: checkText(meta.language, 'language', STORE_LIMITS.fieldChars),
      tags: JSON.stringify(normalizeTags(meta.tags ?? [])),
      pid: process.pid,
      pidStartedAt: OWN_START_MS,
    });
    this.opened.add(id);
    return id;
  }

  appendSegment(sessionId: string, seg: NewSegment): number {
    this.requireSession(sessionId);
    if (!seg || typeof seg !== 'object') throw new StoreError('bad_input', 'segment must be an object');
    const startMs = checkMs(seg.startMs, 'startMs');
    const endMs = checkMs(seg.endMs, 'endMs');
    if (endMs < startMs) throw new StoreError('bad_input', `segment endMs (${endMs}) is before startMs (${startMs})`);
    const confidence = seg.confidence;
    if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) {
      throw new StoreError('bad_input', `segment confidence must be a number in 0..1, got ${String(confidence)}`);
    }
    const result = this.stmts.insertSegment.run({
      sessionId,
      track: checkText(seg.track, 'track', STORE_LIMITS.fieldChars),
      startMs,
      endMs,
      text: checkText(seg.text, 'text', STORE_LIMITS.segmentTextChars),
      confidence,
      words: JSON.stringify(checkWords(seg.words)),
    });
    return Number(result.lastInsertRowid);
  }

  endSession(sessionId: string, status: 'complete' | 'interrupted' = 'complete'): void {
    if (status !== 'complete' && status !== 'interrupted') {
      throw new StoreError('bad_input', `status must be 'complete' or 'interrupted', got ${String(status)}`);
    }
    this.requireSession(sessionId);
    this.stmts.endSession.run(status, Date.now(), sessionId);
    this.opened.delete(sessionId);
  }

  resumeSession(sessionId: string): void {
    this.requireSession(sessionId);
    this.stmts.resumeSession.run(process.pid, OWN_START_MS, sessionId);
    this.opened.add(sessionId);
  }

  listSessions(query: ListQuery = {}): SessionPage {
    this.assertOpen();
    const limit = checkPage(query.limit, 50, 'limit');
    const offset = checkOffset(query.offset);
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.q !== undefined && query.q.trim() !== '') {
      const fts = toFtsQuery(checkText(query.q, 'q', STORE_LIMITS.queryChars));
      if (fts === null) return { sessions: [], total: 0 };
      params.fts = fts;
      params.like = `%${query.q.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      where.push(`(s.title LIKE @like ESCAPE '\\' OR s.id IN (
        SELECT g.session_id FROM segments_fts JOIN segments g ON g.id = segments_fts.rowid
        WHERE segments_fts MATCH @fts))`);
    }
    if (query.tag !== undefined) {
      params.tag = checkText(query.tag, 'tag', STORE_LIMITS.tagChars).trim().toLowerCase();
      where.push(`EXISTS (SELECT 1 FROM json_each(s.tags) WHERE json_each.value = @tag)`);
    }
    if (query.from !== undefined) {
      params.from = checkMs(query.from, 'from');
      where.push(`s.started_at >= @from`);
    }
    if (query.to !== undefined) {
      params.to = checkMs(query.to, 'to');
      where.push(`s.started_at < @to`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // One pass: the window count is taken before LIMIT, so the FTS match runs once for page and total; the
    // per-session figures (segment count, duration) are computed for the page's rows only.
    const rows = this.conn
      .prepare(
        `WITH page AS (
           SELECT s.id, count(*) OVER () AS total FROM sessions s ${clause}
           ORDER BY s.started_at DESC, s.id LIMIT @limit OFFSET @offset)
         SELECT ${SUMMARY_COLUMNS}, page.total FROM page JOIN sessions s ON s.id = page.id
         ORDER BY s.started_at DESC, s.id`,
      )
      .all({ ...params, limit, offset }) as (SessionRow & { total: number })[];
    const total =
      rows[0]?.total ??
      (offset > 0 ? (this.conn.prepare(`SELECT count(*) AS n FROM sessions s ${clause}`).get(params) as { n: number }).n : 0);
    return { sessions: rows.map(toSummary), total };
  }

  getSession(id: string): SessionDetail | null {
    this.assertOpen();
    if (typeof id !== 'string') return null;
    const row = this.stmts.getSession.get(id) as SessionRow | undefined;
    if (!row) return null;
    const segments = (this.stmts.getSegments.all(id) as SegmentRow[]).map(toSegment);
    return { ...toSummary(row), segments };
  }

  search(q: string, opts: SearchOptions = {}): SearchHit[] {
    this.assertOpen();
    const fts = toFtsQuery(checkText(q, 'q', STORE_LIMITS.queryChars));
    if (fts === null) return [];
    const limit = checkPage(opts.limit, 20, 'limit');
    const offset = checkOffset(opts.offset);
    const order = opts.order ?? 'recent';
    if (order !== 'recent' && order !== 'relevance') {
      throw new StoreError('bad_input', `order must be 'recent' or 'relevance', got ${String(order)}`);
    }
    const bySession = opts.sessionId !== undefined ? 'AND rowid IN (SELECT id FROM segments WHERE session_id = @sessionId)' : '';
    // Newest first walks the index in rowid order and stops after `limit` rows: a few ms however common the
    // word. Relevance (bm25) must score every match first, so it grows with the number of matches.
    const rows = this.conn
      .prepare(
        `WITH m AS (
           SELECT rowid AS id, rank AS score,
                  snippet(segments_fts, 0, '${MARK_OPEN}', '${MARK_CLOSE}', '…', 16) AS snip
           FROM segments_fts
           WHERE segments_fts MATCH @fts ${bySession}
           ORDER BY ${order === 'recent' ? 'rowid DESC' : 'rank, rowid DESC'}
           LIMIT @limit OFFSET @offset)
         SELECT g.id, g.session_id, g.track, g.start_ms, g.end_ms, g.text, s.title, s.started_at, ${FIRST_TEXT('s')} AS first_text, m.snip
         FROM m JOIN segments g ON g.id = m.id JOIN sessions s ON s.id = g.session_id
         ORDER BY ${order === 'recent' ? 'm.id DESC' : 'm.score, m.id DESC'}`,
      )
      .all({ fts, limit, offset, sessionId: opts.sessionId }) as (Omit<SegmentRow, 'confidence' | 'words'> & {
      title: string;
      started_at: number;
      first_text: string | null;
      snip: string;
    })[];
    return rows.map((r) => ({
      sessionId: r.session_id,
      sessionTitle: sessionTitle(r.title, r.started_at, r.first_text ?? '').title,
      segmentId: r.id,
      track: r.track,
      startMs: r.start_ms,
      endMs: r.end_ms,
      text: r.text,
      snippet: escapeHtml(r.snip).replaceAll(MARK_OPEN, '<mark>').replaceAll(MARK_CLOSE, '</mark>'),
    }));
  }

  rename(id: string, title: string): void {
    this.requireSession(id);
    this.stmts.rename.run(checkText(title, 'title', STORE_LIMITS.titleChars).trim(), id);
  }

  editSegment(sessionId: string, segmentId: number, text: string): StoredSegment {
    this.requireSession(sessionId);
    if (!Number.isSafeInteger(segmentId) || segmentId < 1) throw new StoreError('bad_input', 'segment id must be a positive integer');
    const clean = checkText(text, 'text', STORE_LIMITS.segmentTextChars).trim();
    if (!clean) throw new StoreError('bad_input', 'a segment text must not be empty (delete the session or keep a word)');
    const r = this.stmts.editSegment.run(clean, segmentId, sessionId);
    if (r.changes === 0) throw new StoreError('not_found', `session ${sessionId} has no segment ${segmentId}`);
    return toSegment(this.stmts.getSegment.get(segmentId, sessionId) as SegmentRow);
  }

  setTags(id: string, tags: string[]): void {
    this.requireSession(id);
    this.stmts.setTags.run(JSON.stringify(normalizeTags(tags)), id);
  }

  deleteSession(id: string): void {
    this.requireSession(id);
    this.conn.transaction(() => {
      this.stmts.deleteSegments.run(id); // trigger removes each text from the FTS index
      this.stmts.deleteSession.run(id);
    })();
  }

  close(): void {
    if (!this.db) return;
    // Sessions this store still had open were cut short; say so now rather than at the next open.
    const stillLive = [...this.opened].filter(
      (id) => (this.stmts.sessionExists.get(id) as { status: string } | undefined)?.status === 'live',
    );
    for (const id of stillLive) this.endSession(id, 'interrupted');
    this.db.close();
    this.db = null;
  }

  private assertOpen(): void {
    if (!this.db) throw new StoreError('closed', 'the transcript store is closed');
  }

  private requireSession(id: string): SessionStatus {
    this.assertOpen();
    if (typeof id !== 'string' || !id) throw new StoreError('bad_input', 'session id must be a non-empty string');
    const row = this.stmts.sessionExists.get(id) as { status: SessionStatus } | undefined;
    if (!row) throw new StoreError('not_found', `no session with id ${JSON.stringify(id.slice(0, 100))}`);
    return row.status;
  }
}

/** Creates the database file (and its folder) readable by the user only, before SQLite opens it. */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  // The umask can widen nothing (0600 & ~umask), but an existing file may be wider: narrow it.
  chmodSync(path, 0o600);
}

function toSummary(r: SessionRow): SessionSummary {
  const t = sessionTitle(r.title, r.started_at, r.first_text ?? '');
  return {
    id: r.id,
    title: t.title,
    titleAuto: t.auto,
    preview: previewOf(r.first_text ?? ''),
    startedAt: r.started_at,
    endedAt: r.ended_at,
    status: r.status,
    sources: JSON.parse(r.sources) as string[],
    engine: r.engine,
    model: r.model,
    language: r.language,
    tags: JSON.parse(r.tags) as string[],
    segmentCount: r.segment_count,
    durationMs: r.duration_ms,
  };
}

function toSegment(r: SegmentRow): StoredSegment {
  return {
    id: r.id,
    sessionId: r.session_id,
    track: r.track,
    startMs: r.start_ms,
    endMs: r.end_ms,
    text: r.text,
    confidence: r.confidence,
    words: JSON.parse(r.words) as WordTiming[],
  };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function checkText(v: unknown, name: string, max: number): string {
  if (typeof v !== 'string') throw new StoreError('bad_input', `${name} must be a string`);
  if (v.length > max) throw new StoreError('bad_input', `${name} is too long (${v.length} > ${max} characters)`);
  return v;
}

function checkList(v: unknown, name: string, maxItems: number, maxChars: number): string[] {
  if (!Array.isArray(v)) throw new StoreError('bad_input', `${name} must be an array of strings`);
  if (v.length > maxItems) throw new StoreError('bad_input', `too many ${name} (${v.length} > ${maxItems})`);
  return v.map((x, i) => checkText(x, `${name}[${i}]`, maxChars));
}

/** Tags are case-insensitive labels: trimmed, lower-cased, de-duplicated, none empty. */
function normalizeTags(v: unknown): string[] {
  const tags = checkList(v, 'tags', STORE_LIMITS.tags, STORE_LIMITS.tagChars).map((t) => t.trim().toLowerCase());
  if (tags.some((t) => !t)) throw new StoreError('bad_input', 'a tag must not be empty');
  return [...new Set(tags)];
}

function checkMs(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new StoreError('bad_input', `${name} must be a finite number >= 0, got ${String(v)}`);
  }
  return Math.round(v);
}

function checkWords(v: unknown): WordTiming[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new StoreError('bad_input', 'words must be an array');
  if (v.length > STORE_LIMITS.words) throw new StoreError('bad_input', `too many words (${v.length} > ${STORE_LIMITS.words})`);
  return v.map((w: unknown, i) => {
    const o = w as Partial<WordTiming> | null;
    if (!o || typeof o !== 'object') throw new StoreError('bad_input', `words[${i}] must be an object`);
    return {
      word: checkText(o.word, `words[${i}].word`, STORE_LIMITS.wordChars),
      startMs: checkMs(o.startMs, `words[${i}].startMs`),
      endMs: checkMs(o.endMs, `words[${i}].endMs`),
    };
  });
}

function checkPage(v: unknown, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > STORE_LIMITS.maxPage) {
    throw new StoreError('bad_input', `${name} must be an integer in 1..${STORE_LIMITS.maxPage}`);
  }
  return v;
}

function checkOffset(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new StoreError('bad_input', 'offset must be an integer >= 0');
  return v;
}
