// The sessions REST plugin on a bare Fastify instance: through app.inject and through a real listening socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { sessionsRoutes } from '../../src-main/core/api/http/sessions-routes.js';
import { openStore, type Store } from '../../src-main/core/store/index.js';

const META = { engine: 'pocketsphinx', model: 'en-us', language: 'en' };

async function setup(): Promise<{ app: FastifyInstance; store: Store; id: string; other: string }> {
  const store = openStore({ path: ':memory:' });
  const id = store.createSession({ ...META, title: 'Budget review', sources: ['mic'], tags: ['work'] });
  store.appendSegment(id, {
    track: 'mic',
    startMs: 500,
    endMs: 2500,
    text: 'Welcome to the budget review.',
    confidence: 0.9,
    words: [{ word: 'Welcome', startMs: 500, endMs: 900 }],
  });
  store.appendSegment(id, { track: 'system', startMs: 3000, endMs: 4200, text: 'Numbers <look> good & fine.', confidence: 0.8, words: [] });
  store.endSession(id);
  const other = store.createSession({ ...META, title: 'Lunch' });
  store.appendSegment(other, { track: 'mic', startMs: 0, endMs: 1000, text: 'pizza or sushi', confidence: 0.7, words: [] });
  const app = Fastify();
  await app.register(sessionsRoutes, { store });
  return { app, store, id, other };
}

async function teardown(app: FastifyInstance, store: Store): Promise<void> {
  await app.close();
  store.close();
}

test('list, search, get, export, patch, delete through inject', async () => {
  const { app, store, id, other } = await setup();
  try {
    let r = await app.inject('/v1/sessions');
    assert.equal(r.statusCode, 200);
    const list = r.json();
    assert.equal(list.total, 2);
    assert.deepEqual(new Set(list.data.map((s: { id: string }) => s.id)), new Set([id, other]));
    assert.equal(list.hits, undefined);
    const s = list.data.find((x: { id: string }) => x.id === id);
    assert.equal(s.status, 'complete');
    assert.equal(s.segment_count, 2);
    assert.equal(s.duration_ms, 4200);
    assert.ok(!Number.isNaN(Date.parse(s.started_at)));

    r = await app.inject('/v1/sessions?q=budget');
    const found = r.json();
    assert.deepEqual(
      found.data.map((x: { id: string }) => x.id),
      [id],
    );
    assert.equal(found.hits.length, 1);
    assert.deepEqual([found.hits[0].session_id, found.hits[0].start_ms, found.hits[0].end_ms], [id, 500, 2500]);
    assert.match(found.hits[0].snippet, /<mark>budget<\/mark>/);
    assert.equal((await app.inject('/v1/sessions?q=' + encodeURIComponent('"AND -*'))).statusCode, 200);
    assert.equal((await app.inject('/v1/sessions?limit=1&offset=1')).json().data.length, 1);
    assert.equal((await app.inject('/v1/sessions?q=budget&order=relevance')).json().hits[0].session_id, id);
    assert.equal((await app.inject('/v1/sessions?tag=work')).json().total, 1);
    assert.equal((await app.inject('/v1/sessions?from=2000-01-01T00:00:00Z')).json().total, 2, 'ISO from');
    assert.equal((await app.inject(`/v1/sessions?to=${Date.parse('2000-01-01T00:00:00Z')}`)).json().total, 0, 'epoch-ms to');

    r = await app.inject(`/v1/sessions/${id}`);
    assert.equal(r.statusCode, 200);
    const detail = r.json();
    assert.equal(detail.title, 'Budget review');
    assert.deepEqual(
      detail.segments.map((g: { text: string }) => g.text),
      ['Welcome to the budget review.', 'Numbers <look> good & fine.'],
    );
    assert.deepEqual(detail.segments[0].words, [{ word: 'Welcome', start_ms: 500, end_ms: 900 }]);

    r = await app.inject(`/v1/sessions/${id}/export?format=srt`);
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /application\/x-subrip/);
    assert.match(r.headers['content-disposition'] as string, /filename="Budget-review\.srt"/);
    assert.equal(
      r.body,
      '1\n00:00:00,500 --> 00:00:02,500\nWelcome to the budget review.\n\n2\n00:00:03,000 --> 00:00:04,200\nNumbers <look> good & fine.\n',
    );
    r = await app.inject(`/v1/sessions/${id}/export?format=vtt`);
    assert.match(r.headers['content-type'] as string, /text\/vtt/);
    assert.ok(r.body.startsWith('WEBVTT\n\n00:00:00.500 --> 00:00:02.500\n'));
    assert.ok(r.body.includes('Numbers &lt;look&gt; good &amp; fine.'));
    r = await app.inject(`/v1/sessions/${id}/export?format=txt`);
    assert.equal(r.body, '[00:00:00] mic: Welcome to the budget review.\n[00:00:03] system: Numbers <look> good & fine.\n');
    r = await app.inject(`/v1/sessions/${id}/export?format=json`);
    assert.deepEqual(JSON.parse(r.body), detail);

    r = await app.inject({ method: 'PATCH', url: `/v1/sessions/${id}`, payload: { title: 'Q3 budget', tags: ['Finance', 'q3'] } });
    assert.equal(r.statusCode, 200);
    assert.deepEqual([r.json().title, r.json().tags], ['Q3 budget', ['finance', 'q3']]);
    assert.equal(store.getSession(id)!.title, 'Q3 budget');

    r = await app.inject({ method: 'DELETE', url: `/v1/sessions/${other}` });
    assert.equal(r.statusCode, 204);
    assert.equal(store.getSession(other), null);
    assert.equal((await app.inject('/v1/sessions?q=pizza')).json().total, 0);
  } finally {
    await teardown(app, store);
  }
});

test('bad input is a 400 and unknown ids a 404, both with the error envelope', async () => {
  const { app, store, id } = await setup();
  try {
    const cases: [string | InjectOptions, number, string, RegExp][] = [
      ['/v1/sessions/nope', 404, 'not_found', /no session/],
      ['/v1/sessions/nope/export?format=srt', 404, 'not_found', /no session/],
      [{ method: 'DELETE', url: '/v1/sessions/nope' }, 404, 'not_found', /no session/],
      [{ method: 'PATCH', url: '/v1/sessions/nope', payload: { title: 'x' } }, 404, 'not_found', /no session/],
      [`/v1/sessions/${id}/export?format=docx`, 400, 'bad_config', /format/],
      ['/v1/sessions?limit=0', 400, 'bad_config', /limit/],
      ['/v1/sessions?limit=abc', 400, 'bad_config', /limit/],
      ['/v1/sessions?offset=-3', 400, 'bad_config', /offset/],
      ['/v1/sessions?from=yesterday', 400, 'bad_config', /from/],
      ['/v1/sessions?bogus=1', 400, 'bad_config', /bogus/],
      ['/v1/sessions?q=x&order=best', 400, 'bad_config', /order/],
      ['/v1/sessions?q=' + 'x'.repeat(1001), 400, 'bad_config', /q/],
      [{ method: 'PATCH', url: `/v1/sessions/${id}`, payload: {} }, 400, 'bad_config', /title and\/or tags/],
      [{ method: 'PATCH', url: `/v1/sessions/${id}`, payload: { title: 5 } }, 400, 'bad_config', /title/],
      [{ method: 'PATCH', url: `/v1/sessions/${id}`, payload: { tags: [''] } }, 400, 'bad_config', /tags/],
      [{ method: 'PATCH', url: `/v1/sessions/${id}`, payload: { owner: 'me' } }, 400, 'bad_config', /owner/],
      [
        { method: 'PATCH', url: `/v1/sessions/${id}`, headers: { 'content-type': 'application/json' }, payload: '{"title":' },
        400,
        'bad_json',
        /JSON/,
      ],
    ];
    for (const [req, status, code, message] of cases) {
      const r = await app.inject(req);
      const label = JSON.stringify(req);
      assert.equal(r.statusCode, status, `${label}: ${r.body}`);
      const body = r.json();
      assert.equal(body.error.code, code, label);
      assert.match(body.error.message, message, label);
    }
    assert.equal(store.getSession(id)!.title, 'Budget review', 'nothing changed');
    assert.equal((await app.inject(`/v1/sessions/${id}`)).statusCode, 200, 'still serving');
  } finally {
    await teardown(app, store);
  }
});

test('works over a real listening socket', async () => {
  const { app, store, id } = await setup();
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    let r = await fetch(`${base}/v1/sessions?q=welcome`);
    assert.equal(r.status, 200);
    const body = (await r.json()) as { data: { id: string }[]; hits: { segment_id: number }[] };
    assert.deepEqual(
      body.data.map((s) => s.id),
      [id],
    );
    assert.equal(body.hits.length, 1);
    r = await fetch(`${base}/v1/sessions/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Renamed' }),
    });
    assert.equal(r.status, 200);
    r = await fetch(`${base}/v1/sessions/${id}/export?format=vtt`);
    assert.equal(r.headers.get('content-type'), 'text/vtt; charset=utf-8');
    assert.match(await r.text(), /^WEBVTT\n\n00:00:00\.500 --> 00:00:02\.500\nWelcome to the budget review\.\n/);
    r = await fetch(`${base}/v1/sessions/${id}`, { method: 'DELETE' });
    assert.equal(r.status, 204);
    r = await fetch(`${base}/v1/sessions/${id}`);
    assert.equal(r.status, 404);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'not_found');
  } finally {
    await teardown(app, store);
  }
});
