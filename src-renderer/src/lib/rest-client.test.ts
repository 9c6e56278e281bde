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
