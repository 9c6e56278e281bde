// The store's session/segment lifecycle, crash recovery, limits and secure delete, on real SQLite files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, StoreError, type NewSegment } from '../../src-main/core/store/index.js';

function tempDb(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-store-'));
  return { path: join(dir, 'sub', 'earshot.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const META = { engine: 'pocketsphinx', model: 'en-us', language: 'en' };
const seg = (startMs: number, endMs: number, text: string, track = 'mic'): NewSegment => ({
  track,
  startMs,
  endMs,
  text,
  confidence: 0.75,
  words: text.split(' ').map((word, i) => ({ word, startMs: startMs + i * 10, endMs: startMs + i * 10 + 9 })),
});

test('creates the database file mode 0600 in a new folder, WAL mode', () => {
  const { path, cleanup } = tempDb();
  try {
    const store = openStore({ path });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    store.close();
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  } finally {
    cleanup();
  }
});

test('defaults to $EARSHOT_DB, else userDataDir()/earshot.db', () => {
  const { path, cleanup } = tempDb();
  const saved = { db: process.env.EARSHOT_DB, data: process.env.EARSHOT_DATA_DIR };
  try {
    process.env.EARSHOT_DB = path;
    const a = openStore();
    assert.equal(a.path, path);
    a.close();
    delete process.env.EARSHOT_DB;
    process.env.EARSHOT_DATA_DIR = join(path, '..', 'data');
    const b = openStore();
    assert.equal(b.path, join(path, '..', 'data', 'earshot.db'));
    assert.equal(statSync(b.path).mode & 0o777, 0o600);
    b.close();
  } finally {
    if (saved.db === undefined) delete process.env.EARSHOT_DB;
    else process.env.EARSHOT_DB = saved.db;
    if (saved.data === undefined) delete process.env.EARSHOT_DATA_DIR;
    else process.env.EARSHOT_DATA_DIR = saved.data;
    cleanup();
  }
});

test('session lifecycle: create, append, get (ordered), rename, tags, end', () => {
  const store = openStore({ path: ':memory:' });
  try {
    const id = store.createSession({ ...META, title: 'Standup', sources: ['mic', 'system'], tags: ['Work', 'work', ' team '] });
    const late = store.appendSegment(id, seg(5000, 6000, 'second thing', 'system'));
    const early = store.appendSegment(id, seg(1000, 2000, 'first thing'));
    assert.ok(early > late, 'ids are insertion order');
    let s = store.getSession(id)!;
    assert.equal(s.status, 'live');
    assert.equal(s.endedAt, null);
    assert.deepEqual(s.sources, ['mic', 'system']);
    assert.deepEqual(s.tags, ['work', 'team']);
    assert.equal(s.segmentCount, 2);
    assert.equal(s.durationMs, 6000);
    assert.deepEqual(
      s.segments.map((g) => g.text),
      ['first thing', 'second thing'],
    );
    assert.deepEqual(s.segments[1], { ...seg(5000, 6000, 'second thing', 'system'), id: late, sessionId: id });

    store.rename(id, '  Daily standup ');
    store.setTags(id, ['Planning']);
    store.endSession(id);
    s = store.getSession(id)!;
    assert.equal(s.title, 'Daily standup');
    assert.deepEqual(s.tags, ['planning']);
    assert.equal(s.status, 'complete');
    assert.ok(s.endedAt! >= s.startedAt);

    store.resumeSession(id);
    assert.equal(store.getSession(id)!.status, 'live');
    store.endSession(id, 'interrupted');
    assert.equal(store.getSession(id)!.status, 'interrupted');
  } finally {
    store.close();
  }
});

test('bad input is a StoreError naming the problem; the store keeps working', () => {
  const store = openStore({ path: ':memory:' });
  try {
    const id = store.createSession(META);
    const bad: [() => unknown, string, RegExp][] = [
      [() => store.appendSegment('nope', seg(0, 1, 'x')), 'not_found', /no session/],
      [() => store.appendSegment(id, { ...seg(0, 1, 'x'), startMs: NaN }), 'bad_input', /startMs/],
      [() => store.appendSegment(id, { ...seg(0, 1, 'x'), endMs: -1 }), 'bad_input', /endMs/],
      [() => store.appendSegment(id, seg(500, 100, 'x')), 'bad_input', /before startMs/],
      [() => store.appendSegment(id, { ...seg(0, 1, 'x'), confidence: 1.5 }), 'bad_input', /confidence/],
      [() => store.appendSegment(id, { ...seg(0, 1, 'x'), text: 'a'.repeat(20_001) }), 'bad_input', /text is too long/],
      [
        () => store.appendSegment(id, { ...seg(0, 1, 'x'), words: [{ word: 'a', startMs: Infinity, endMs: 1 }] }),
        'bad_input',
        /words\[0\]\.startMs/,
      ],
      [() => store.appendSegment(id, { ...seg(0, 1, 'x'), track: 42 as unknown as string }), 'bad_input', /track/],
      [() => store.createSession({ ...META, tags: [''] }), 'bad_input', /tag/],
      [() => store.createSession({ ...META, title: 't'.repeat(501) }), 'bad_input', /title/],
      [() => store.rename('missing', 'x'), 'not_found', /no session/],
      [() => store.deleteSession('missing'), 'not_found', /no session/],
      [() => store.endSession(id, 'live' as 'complete'), 'bad_input', /status/],
      [() => store.listSessions({ limit: 0 }), 'bad_input', /limit/],
      [() => store.listSessions({ limit: 501 }), 'bad_input', /limit/],
      [() => store.search('x', { offset: -1 }), 'bad_input', /offset/],
      [() => store.search('x'.repeat(1001)), 'bad_input', /q is too long/],
    ];
    for (const [fn, code, message] of bad) {
      assert.throws(fn, (err: unknown) => err instanceof StoreError && err.code === code && message.test(err.message));
    }
    assert.equal(store.getSession(id)!.segmentCount, 0, 'nothing half-written');
    store.appendSegment(id, seg(0, 10, 'still works'));
    assert.equal(store.getSession(id)!.segmentCount, 1);
    assert.equal(store.getSession('missing'), null);
  } finally {
    store.close();
  }
});

test('on open, sessions left live by a dead process become interrupted, ending at their last segment', () => {
  const { path, cleanup } = tempDb();
  try {
    // A child process creates a session, commits two segments and is SIGKILLed before ending it.
    const script = `
      import { openStore } from ${JSON.stringify(new URL('../../src-main/core/store/index.ts', import.meta.url).pathname)};
      const s = openStore({ path: ${JSON.stringify(path)} });
      const id = s.createSession({ engine: 'e', model: 'm', language: 'en' });
      s.appendSegment(id, { track: 'mic', startMs: 0, endMs: 1200, text: 'one', confidence: 1, words: [] });
      s.appendSegment(id, { track: 'mic', startMs: 1500, endMs: 4321, text: 'two', confidence: 1, words: [] });
      process.stdout.write(id + '\\n');
      process.kill(process.pid, 'SIGKILL');
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    const id = r.stdout.trim();

    // Another live session owned by this (running) process must be left alone by a second open.
    const mine = openStore({ path });
    const ours = mine.createSession(META);
    const crashed = mine.getSession(id)!;
    assert.equal(crashed.status, 'interrupted');
    assert.equal(crashed.endedAt, crashed.startedAt + 4321);
    assert.deepEqual(
      crashed.segments.map((g) => g.text),
      ['one', 'two'],
    );

    const reader = openStore({ path });
    assert.equal(reader.getSession(ours)!.status, 'live');
    reader.close();
    assert.equal(mine.getSession(ours)!.status, 'live');
    mine.close(); // closing the owner ends its open sessions as interrupted
    const after = openStore({ path });
    assert.equal(after.getSession(ours)!.status, 'interrupted');
    after.close();
  } finally {
    cleanup();
  }
});

test('deleteSession removes the segments, their FTS entries and leaves no text in the file', () => {
  const { path, cleanup } = tempDb();
  try {
    const store = openStore({ path });
    const keep = store.createSession(META);
    store.appendSegment(keep, seg(0, 100, 'ordinary words kept'));
    const gone = store.createSession(META);
    store.appendSegment(gone, seg(0, 100, 'the zebrafishsecret password is here'));
    store.appendSegment(gone, seg(200, 300, 'another zebrafishsecret mention'));
    assert.equal(store.search('zebrafishsecret').length, 2);
    store.close();
    assert.ok(readFileSync(path).includes('zebrafishsecret'), 'control: the text is in the checkpointed file');

    const again = openStore({ path });
    again.deleteSession(gone);
    assert.equal(again.getSession(gone), null);
    assert.deepEqual(again.search('zebrafishsecret'), []);
    assert.equal(again.search('ordinary').length, 1);
    again.close();
    const db = new Database(path);
    // FTS5 integrity: the index agrees with the content table after the delete.
    db.exec(`INSERT INTO segments_fts (segments_fts) VALUES ('integrity-check')`);
    db.close();
    assert.ok(!readFileSync(path).includes('zebrafishsecret'), 'no residue of the deleted text in the database file');
  } finally {
    cleanup();
  }
});

test('the FTS index follows an UPDATE of segment text (trigger), e.g. a later correction', () => {
  const { path, cleanup } = tempDb();
  try {
    const store = openStore({ path });
    const id = store.createSession(META);
    const segId = store.appendSegment(id, seg(0, 100, 'recognise the kernel'));
    const db = new Database(path);
    db.prepare(`UPDATE segments SET text = 'recognise the colonel' WHERE id = ?`).run(segId);
    db.close();
    assert.deepEqual(store.search('kernel'), []);
    assert.equal(store.search('colonel')[0]?.segmentId, segId);
    store.close();
  } finally {
    cleanup();
  }
});

test('a closed store says so', () => {
  const store = openStore({ path: ':memory:' });
  store.close();
  store.close(); // idempotent
  assert.throws(() => store.createSession(META), /closed/);
});
