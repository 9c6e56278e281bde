// Versioned schema. `PRAGMA user_version` holds the number of migrations applied; opening a database runs
// the missing ones in order, each in its own transaction. Never edit a shipped migration: append a new one.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  up: (db: Database.Database) => void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    description: 'sessions, segments, FTS5 index kept in step by triggers',
    up: (db) => {
      db.exec(`
        CREATE TABLE sessions (
          id          TEXT PRIMARY KEY,
          title       TEXT NOT NULL DEFAULT '',
          started_at  INTEGER NOT NULL,
          ended_at    INTEGER,
          status      TEXT NOT NULL CHECK (status IN ('live', 'complete', 'interrupted')),
          sources     TEXT NOT NULL DEFAULT '[]',
          engine      TEXT NOT NULL,
          model       TEXT NOT NULL,
          language    TEXT NOT NULL
        );
        CREATE INDEX sessions_started ON sessions (started_at);

        CREATE TABLE segments (
          id          INTEGER PRIMARY KEY,
          session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          track       TEXT NOT NULL,
          start_ms    INTEGER NOT NULL,
          end_ms      INTEGER NOT NULL,
          text        TEXT NOT NULL,
          confidence  REAL NOT NULL,
          words       TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX segments_session ON segments (session_id, start_ms);

        -- External-content FTS5 over segments.text; porter stems English, unicode61 handles the rest.
        CREATE VIRTUAL TABLE segments_fts USING fts5 (
          text, content = 'segments', content_rowid = 'id',
          tokenize = 'porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER segments_ai AFTER INSERT ON segments BEGIN
          INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
          INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER segments_au AFTER UPDATE OF text ON segments BEGIN
          INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
          INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
        END;
      `);
    },
  },
  {
    version: 2,
    description: 'session tags; owner pid so crash recovery never touches a live session of another process',
    up: (db) => {
      db.exec(`
        ALTER TABLE sessions ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sessions ADD COLUMN owner_pid INTEGER;
        -- Deleted transcripts must leave no tokens behind in the index (not just delete markers).
        INSERT INTO segments_fts (segments_fts, rank) VALUES ('secure-delete', 1);
      `);
    },
  },
  {
    version: 3,
    description: 'FTS5 prefix index (2 and 3 characters): search-as-you-type prefix queries stay fast',
    up: (db) => {
      // The triggers name segments_fts and are compiled when they fire, so they carry over unchanged.
      db.exec(`
        DROP TABLE segments_fts;
        CREATE VIRTUAL TABLE segments_fts USING fts5 (
          text, content = 'segments', content_rowid = 'id',
          tokenize = 'porter unicode61 remove_diacritics 2',
          prefix = '2 3'
        );
        INSERT INTO segments_fts (segments_fts) VALUES ('rebuild');
        INSERT INTO segments_fts (segments_fts, rank) VALUES ('secure-delete', 1);
      `);
    },
  },
  {
    version: 4,
    description: "owner's process start time beside its pid: a reused pid (PID 1 of a restarted container) is not the owner",
    up: (db) => {
      db.exec(`ALTER TABLE sessions ADD COLUMN owner_started_at INTEGER;`);
    },
  },
];

// The list above is a non-empty literal, so its last entry exists.
export const SCHEMA_VERSION = migrations[migrations.length - 1]!.version;

/** Brings `db` to `target` (default: latest). Returns the version it started from. */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): number {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > SCHEMA_VERSION) {
    throw new Error(`transcript database is schema v${from}, newer than this Earshot (v${SCHEMA_VERSION}); upgrade Earshot`);
  }
  for (const m of migrations) {
    if (m.version <= from || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return from;
}
