// Schema migrations: from an empty file and from every earlier version, data preserved and searchable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, migrations, openStore, SCHEMA_VERSION } from '../../src-main/core/store/index.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-mig-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('there is a real upgrade path: at least two versions, numbered 1..N in order', () => {
  assert.ok(migrations.length >= 2);
  assert.deepEqual(
    migrations.map((m) => m.version),
    migrations.map((_, i) => i + 1),
  );
  assert.equal(SCHEMA_VERSION, migrations.length);
});

test('an empty database is brought to the latest version', () => {
  withDir((dir) => {
    const path = join(dir, 'a.db');
    openStore({ path }).close();
    const db = new Database(path);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const cols = (db.prepare(`PRAGMA table_info(sessions)`).all() as { name: string }[]).map((c) => c.name);
    assert.ok(cols.includes('tags') && cols.includes('owner_pid'));
    db.close();
  });
});

for (const earlier of migrations.slice(0, -1)) {
  test(`upgrade from v${earlier.version} keeps sessions and segments, and their text stays searchable`, () => {
    withDir((dir) => {
      const path = join(dir, 'old.db');
      const db = new Database(path);
      assert.equal(migrate(db, earlier.version), 0);
      assert.equal(db.pragma('user_version', { simple: true }), earlier.version);
      // Rows written with the columns every version has; an old session left live by a crash.
      db.prepare(
        `INSERT INTO sessions (id, title, started_at, status, sources, engine, model, language)
         VALUES ('s1', 'Old meeting', 1000, 'live', '["mic"]', 'pocketsphinx', 'en-us', 'en')`,
      ).run();
      db.prepare(
        `INSERT INTO segments (session_id, track, start_ms, end_ms, text, confidence, words)
         VALUES ('s1', 'mic', 100, 2500, 'quarterly budget review', 0.8, '[]')`,
      ).run();
      db.close();

      const store = openStore({ path });
      const s = store.getSession('s1')!;
      assert.equal(s.title, 'Old meeting');
      assert.deepEqual(s.tags, []);
      assert.equal(s.status, 'interrupted', 'a live session with no owner is a crash leftover');
      assert.equal(s.endedAt, 1000 + 2500);
      assert.deepEqual(
        s.segments.map((g) => g.text),
        ['quarterly budget review'],
      );
      assert.equal(store.search('budget')[0]?.sessionId, 's1');
      store.setTags('s1', ['finance']);
      assert.equal(store.listSessions({ tag: 'finance' }).total, 1);
      store.close();

      const check = new Database(path, { readonly: true });
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      check.close();
    });
  });
}

test('a database from a newer Earshot is refused with a clear message, not modified', () => {
  withDir((dir) => {
    const path = join(dir, 'new.db');
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openStore({ path }), /newer than this Earshot/);
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
    check.close();
  });
});
