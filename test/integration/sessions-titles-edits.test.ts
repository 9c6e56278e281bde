// One title rule everywhere (list, search, detail, export file name), preview and duration in the list, and
// segment corrections that the full-text index follows — through the sessions REST plugin and the store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { sessionsRoutes } from '../../src-main/core/api/http/sessions-routes.js';
import { autoTitle, exportFileName, localMinute, openStore } from '../../src-main/core/store/index.js';

const META = { engine: 'pocketsphinx', model: 'en-us', language: 'en' };

test('automatic title from start time and first words; list, search, detail and export agree; renaming to empty goes back', async () => {
  const store = openStore({ path: ':memory:' });
  const app = Fastify();
  await app.register(sessionsRoutes, { store });
  try {
    const id = store.createSession(META);
    store.appendSegment(id, { track: 'mic', startMs: 0, endMs: 2000, text: 'the quarterly budget looks', confidence: 0.9, words: [] });
    store.appendSegment(id, { track: 'mic', startMs: 2500, endMs: 6400, text: 'healthy this year overall', confidence: 0.9, words: [] });
    store.endSession(id);
    const started = store.getSession(id)!.startedAt;
    const expected = `${localMinute(started)} · the quarterly budget looks healthy this…`;
    assert.equal(autoTitle(started, 'the quarterly budget looks healthy this year overall'), expected);

    const list = (await app.inject('/v1/sessions')).json();
    const row = list.data[0];
    assert.equal(row.title, expected);
    assert.equal(row.title_auto, true);
    assert.equal(row.preview, 'the quarterly budget looks healthy this year overall');
    assert.equal(row.duration_ms, 6400);
    const hits = (await app.inject('/v1/sessions?q=healthy')).json().hits;
    assert.equal(hits[0].session_title, expected);
    assert.equal((await app.inject(`/v1/sessions/${id}`)).json().title, expected);
    const exp = await app.inject(`/v1/sessions/${id}/export?format=srt`);
    const name = `${localMinute(started).replace(/[: ]/g, (c) => (c === ' ' ? '-' : ''))}-the-quarterly-budget-looks-healthy-this.srt`;
    assert.equal(exp.headers['content-disposition'], `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`);
    assert.equal(JSON.parse((await app.inject(`/v1/sessions/${id}/export?format=json`)).body).title, expected);

    // Renamed: every place shows the new title; the export file is named from it.
    await app.inject({ method: 'PATCH', url: `/v1/sessions/${id}`, payload: { title: 'Budget: Q3/Q4 review?' } });
    assert.equal((await app.inject('/v1/sessions')).json().data[0].title, 'Budget: Q3/Q4 review?');
    assert.equal((await app.inject('/v1/sessions')).json().data[0].title_auto, false);
    assert.equal((await app.inject('/v1/sessions?q=healthy')).json().hits[0].session_title, 'Budget: Q3/Q4 review?');
    assert.match(
      String((await app.inject(`/v1/sessions/${id}/export?format=vtt`)).headers['content-disposition']),
      /filename="Budget-Q3Q4-review\.vtt"/,
    );
    // Cleared: back to the automatic title.
    await app.inject({ method: 'PATCH', url: `/v1/sessions/${id}`, payload: { title: '  ' } });
    assert.equal((await app.inject(`/v1/sessions/${id}`)).json().title, expected);

    // A session with no text yet is titled by its start time alone.
    const empty = store.createSession(META);
    assert.equal(store.getSession(empty)!.title, localMinute(store.getSession(empty)!.startedAt));
    assert.equal(store.getSession(empty)!.preview, '');
  } finally {
    await app.close();
    store.close();
  }
});

test('export file names: any script kept, path and header characters removed, never empty', () => {
  assert.equal(exportFileName('اجتماع الميزانية', 'x', 'txt'), 'اجتماع-الميزانية.txt');
  assert.equal(exportFileName('../../etc/passwd', 'x', 'srt'), 'etcpasswd.srt');
  assert.equal(exportFileName('"quoted"\r\nname', 'x', 'srt'), 'quotedname.srt');
  assert.equal(exportFileName('???', 'abc-123', 'json'), 'earshot-abc-123.json');
  assert.ok(exportFileName('w'.repeat(500), 'x', 'vtt').length <= 84);
});

test('editing a segment: the new words are found by search, the old ones no longer; timings of the old words are dropped', async () => {
  const store = openStore({ path: ':memory:' });
  const app = Fastify();
  await app.register(sessionsRoutes, { store });
  try {
    const id = store.createSession({ ...META, title: 'Standup' });
    const seg = store.appendSegment(id, {
      track: 'mic',
      startMs: 0,
      endMs: 1500,
      text: 'we shipped the spear head release',
      confidence: 0.8,
      words: [{ word: 'we', startMs: 0, endMs: 200 }],
    });
    const other = store.createSession({ ...META, title: 'Other' });
    assert.equal((await app.inject('/v1/sessions?q=spear')).json().hits.length, 1);

    const r = await app.inject({
      method: 'PATCH',
      url: `/v1/sessions/${id}/segments/${seg}`,
      payload: { text: ' we shipped the Spearhead release ' },
    });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(
      [r.json().text, r.json().words, r.json().start_ms, r.json().end_ms],
      ['we shipped the Spearhead release', [], 0, 1500],
    );
    assert.equal((await app.inject('/v1/sessions?q=spear')).json().hits.length, 1, 'prefix search finds the corrected word');
    assert.equal((await app.inject('/v1/sessions?q=spearhead')).json().hits[0].segment_id, seg);
    assert.equal((await app.inject('/v1/sessions?q=head')).json().hits.length, 0, 'the old word is gone from the index');
    assert.equal(store.getSession(id)!.segments[0]!.text, 'we shipped the Spearhead release');
    assert.match((await app.inject(`/v1/sessions/${id}/export?format=txt`)).body, /Spearhead/);

    const bad = async (url: string, payload: unknown, status: number, re: RegExp) => {
      const x = await app.inject({ method: 'PATCH', url, payload: payload as object });
      assert.equal(x.statusCode, status, x.body);
      assert.match(x.json().error.message, re);
    };
    await bad(`/v1/sessions/${other}/segments/${seg}`, { text: 'x' }, 404, /no segment/);
    await bad(`/v1/sessions/nope/segments/${seg}`, { text: 'x' }, 404, /no session/);
    await bad(`/v1/sessions/${id}/segments/${seg}`, { text: '   ' }, 400, /must not be empty/);
    await bad(`/v1/sessions/${id}/segments/abc`, { text: 'x' }, 400, /segment/);
    await bad(`/v1/sessions/${id}/segments/${seg}`, { text: 'x', words: [] }, 400, /words/);
    await bad(`/v1/sessions/${id}/segments/${seg}`, { text: 'x'.repeat(20_001) }, 400, /text/);
  } finally {
    await app.close();
    store.close();
  }
});
