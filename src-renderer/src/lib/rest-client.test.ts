import { describe, expect, it } from 'vitest';
import { RestClient } from './rest-client.js';

// /readyz is protected like every route but /healthz (docs/PROTOCOL.md "Auth and origin"): a browser sends an
// Origin, so the UI must send the token with it or the readiness check would read 401 as "not ready" forever.
describe('RestClient.readyz', () => {
  it('sends the API token', async () => {
    const seen: Headers[] = [];
    const fetchFn = (async (_url: string, init?: RequestInit) => {
      seen.push(new Headers(init?.headers));
      return new Response(JSON.stringify({ ready: true, detail: 'ok' }), { status: 200 });
    }) as typeof fetch;
    const rest = new RestClient({ apiBase: 'http://127.0.0.1:8088', token: 't0k', shell: null, view: 'main' }, fetchFn);
    expect((await rest.readyz()).ready).toBe(true);
    expect(seen[0]!.get('authorization')).toBe('Bearer t0k');
  });

  it('sends no Authorization header when there is no token', async () => {
    const seen: Headers[] = [];
    const fetchFn = (async (_url: string, init?: RequestInit) => {
      seen.push(new Headers(init?.headers));
      return new Response('{}', { status: 503 });
    }) as typeof fetch;
    const rest = new RestClient({ apiBase: 'http://127.0.0.1:8088', token: null, shell: null, view: 'main' }, fetchFn);
    expect((await rest.readyz()).ready).toBe(false);
    expect(seen[0]!.has('authorization')).toBe(false);
  });
});

// Every answer is parsed with its proto/ schema: the client reads the contract's fields and refuses anything else
// by name, instead of guessing between spellings.
describe('RestClient answers follow proto/', () => {
  const session = {
    id: 's1',
    title: 'Weekly sync',
    title_auto: false,
    preview: 'good morning',
    started_at: '2026-01-02T10:00:00.000Z',
    ended_at: null,
    status: 'complete',
    sources: ['mic'],
    engine: 'pocketsphinx',
    model: 'en-us',
    language: 'en',
    tags: [],
    segment_count: 1,
    duration_ms: 2000,
  };
  const hit = {
    session_id: 's1',
    session_title: 'Weekly sync',
    segment_id: 7,
    track: 'mic',
    start_ms: 0,
    end_ms: 2000,
    text: 'good morning',
    snippet: 'good <mark>morning</mark>',
  };
  const client = (body: unknown) =>
    new RestClient(
      { apiBase: 'http://127.0.0.1:8088', token: null, shell: null, view: 'main' },
      (async () => new Response(JSON.stringify(body), { status: 200 })) as typeof fetch,
    );

  it('search returns the hits of the list answer, field for field', async () => {
    const hits = await client({ object: 'list', total: 1, limit: 50, offset: 0, data: [session], hits: [hit] }).search('morning');
    expect(hits).toEqual([hit]);
  });

  it('an answer outside the contract is a bad_response error, not a guess', async () => {
    const renamed = { ...hit, highlight: hit.snippet, snippet: undefined };
    const err = await client({ object: 'list', total: 1, limit: 50, offset: 0, data: [session], hits: [renamed] })
      .search('morning')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_response' });
    expect(String((err as Error).message)).toMatch(/GET \/v1\/sessions/);
    await expect(client({ sessions: [session] }).listSessions()).rejects.toMatchObject({ code: 'bad_response' });
  });
});
