// Full-text search: hostile query text never throws, hits carry times and an HTML-safe highlighted snippet,
// the index follows inserts/updates/deletes, and list filters combine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, toFtsQuery, type Store } from '../../src-main/core/store/index.js';

const META = { engine: 'pocketsphinx', model: 'en-us', language: 'en' };

function fixture(): { store: Store; a: string; b: string } {
  const store = openStore({ path: ':memory:' });
  const a = store.createSession({ ...META, title: 'Budget meeting', tags: ['work'] });
  const b = store.createSession({ ...META, title: 'Cooking class', tags: ['home'] });
  const add = (id: string, startMs: number, text: string, track = 'mic') =>
    store.appendSegment(id, { track, startMs, endMs: startMs + 900, text, confidence: 0.9, words: [] });
  add(a, 0, 'Welcome everyone to the quarterly budget review.');
  add(a, 1000, 'The marketing budget grew by ten percent.', 'system');
  add(a, 2000, 'Let us talk about hiring <script>alert(1)</script> next.');
  add(b, 0, 'First we chop the onions and garlic.');
  add(b, 1000, 'Then the budget for groceries: twenty dollars.');
  return { store, a, b };
}

test('toFtsQuery quotes every term and makes the last one a prefix', () => {
  assert.equal(toFtsQuery('hello world'), '"hello" "world"*');
  assert.equal(toFtsQuery('say "hi"'), '"say" """hi"""*');
  assert.equal(toFtsQuery('  - * " ( )  '), null);
  assert.equal(toFtsQuery('NOT budget'), '"NOT" "budget"*');
  assert.equal(toFtsQuery('budget a'), '"budget" "a"', 'no one-letter prefix');
});

test('search returns segment, session and times, ranked, with <mark> highlights', () => {
  const { store, a, b } = fixture();
  try {
    const hits = store.search('budget');
    assert.equal(hits.length, 3);
    for (const h of hits) {
      assert.match(h.snippet, /<mark>budget<\/mark>/i);
      assert.ok([a, b].includes(h.sessionId));
      assert.equal(h.endMs - h.startMs, 900);
    }
    const grew = hits.find((h) => h.text.includes('grew'))!;
    assert.deepEqual(
      [grew.sessionId, grew.track, grew.startMs, grew.endMs, grew.sessionTitle],
      [a, 'system', 1000, 1900, 'Budget meeting'],
    );
    // Stemming and prefix: "reviews" stems to review, "quart" is a prefix of quarterly.
    assert.equal(store.search('reviews')[0]?.startMs, 0);
    assert.equal(store.search('quart')[0]?.sessionId, a);
    // Several terms are ANDed.
    assert.deepEqual(
      store.search('budget groceries').map((h) => h.sessionId),
      [b],
    );
    assert.deepEqual(
      store.search('budget', { sessionId: b }).map((h) => h.sessionId),
      [b],
    );
    assert.equal(store.search('budget', { limit: 2 }).length, 2);
    assert.equal(store.search('budget', { limit: 2, offset: 2 }).length, 1);
  } finally {
    store.close();
  }
});

test('results are newest first by default, best match first with order: relevance', () => {
  const { store, b } = fixture();
  try {
    const best = store.appendSegment(b, {
      track: 'mic',
      startMs: 5000,
      endMs: 5100,
      text: 'budget budget budget',
      confidence: 1,
      words: [],
    });
    const newest = store.appendSegment(b, {
      track: 'mic',
      startMs: 6000,
      endMs: 6100,
      text: 'and one last passing mention of the budget among many other words said today',
      confidence: 1,
      words: [],
    });
    const recent = store.search('budget');
    assert.equal(recent[0]?.segmentId, newest);
    const ids = recent.map((h) => h.segmentId);
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => y - x),
    );
    // bm25: the segment that is all "budget" outranks the newer passing mention.
    const relevant = store.search('budget', { order: 'relevance' });
    assert.equal(relevant[0]?.segmentId, best);
    assert.notEqual(relevant.at(-1)!.segmentId, best);
    assert.deepEqual(new Set(relevant.map((h) => h.segmentId)), new Set(ids));
    assert.throws(() => store.search('budget', { order: 'random' as 'recent' }), /order/);
  } finally {
    store.close();
  }
});

test('snippets are HTML-escaped: stored text cannot inject markup', () => {
  const { store } = fixture();
  try {
    const [hit] = store.search('hiring');
    assert.ok(hit, 'a hit');
    assert.ok(hit.text.includes('<script>'));
    assert.ok(!hit.snippet.includes('<script>'));
    assert.match(hit.snippet, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.equal(hit.snippet.replace(/<\/?mark>/g, '').includes('<'), false);
  } finally {
    store.close();
  }
});

test('FTS syntax and hostile input in user text never throws', () => {
  const { store } = fixture();
  try {
    const inputs = [
      '"',
      '""',
      '"budget',
      'budget"',
      '*',
      'budget*',
      '-budget',
      'budget -review',
      'AND',
      'OR budget',
      'NOT',
      'budget AND',
      'NEAR(budget review)',
      'text:budget',
      '^budget',
      '(',
      ')',
      '{budget}',
      "'; DROP TABLE segments; --",
      '\u0000',
      '   ',
      '',
      '💥 budget',
      'budget\nreview',
      '+',
      'a:b:c',
      '[x]',
    ];
    for (const q of inputs) {
      assert.doesNotThrow(() => store.search(q), `search(${JSON.stringify(q)})`);
      assert.doesNotThrow(() => store.listSessions({ q }), `listSessions(${JSON.stringify(q)})`);
    }
    assert.equal(store.search('-budget').length, 3, '"-" is not negation here: it is just text');
    assert.equal(store.search('"budget').length, 3);
    assert.equal(store.search('text:budget').length, 0, 'no column filter: "text:budget" is one phrase');
    assert.equal(store.listSessions().total, 2, 'the table is still there');
  } finally {
    store.close();
  }
});

test('the index follows deletes and title search; list filters combine with paging', () => {
  const { store, a, b } = fixture();
  try {
    assert.deepEqual(new Set(store.listSessions({ q: 'budget' }).sessions.map((s) => s.id)), new Set([a, b]));
    assert.deepEqual(
      store.listSessions({ q: 'cooking' }).sessions.map((s) => s.id),
      [b],
      'title match',
    );
    assert.deepEqual(store.listSessions({ q: '100%' }).total, 0, 'LIKE wildcards are escaped');
    assert.deepEqual(
      store.listSessions({ q: 'budget', tag: 'HOME' }).sessions.map((s) => s.id),
      [b],
    );
    const all = store.listSessions();
    assert.equal(all.total, 2);
    assert.equal(store.listSessions({ limit: 1, offset: 1 }).sessions.length, 1);
    const future = Date.now() + 60_000;
    assert.equal(store.listSessions({ from: future }).total, 0);
    assert.equal(store.listSessions({ to: future }).total, 2);
    store.deleteSession(a);
    assert.deepEqual(
      store.search('budget').map((h) => h.sessionId),
      [b],
    );
    assert.equal(store.search('marketing').length, 0);
  } finally {
    store.close();
  }
});
