import { beforeEach, describe, expect, it } from 'vitest';
import { resolveApiConfig, takeTokenFromLocation, wsUrl } from './api-config.js';

describe('api config', () => {
  beforeEach(() => {
    sessionStorage.clear();
    delete window.earshot;
    history.replaceState(null, '', '/');
  });

  it('takes the token from the #token= fragment, stores it, and strips it from the URL', () => {
    history.replaceState(null, '', '/#token=abcdef0123456789');
    expect(takeTokenFromLocation(location, sessionStorage, history)).toBe('abcdef0123456789');
    expect(location.hash).toBe('#/live');
    expect(location.href).not.toContain('abcdef');
    // Reload: still there from sessionStorage.
    expect(takeTokenFromLocation(location, sessionStorage, history)).toBe('abcdef0123456789');
  });

  it('keeps a route given after the token', () => {
    history.replaceState(null, '', '/#token=abcdef0123456789&/sessions');
    takeTokenFromLocation(location, sessionStorage, history);
    expect(location.hash).toBe('#/sessions');
  });

  it('prefers the Electron bridge', () => {
    window.earshot = { apiBase: 'http://127.0.0.1:9000/', token: 'tok-from-preload' };
    const cfg = resolveApiConfig(window);
    expect(cfg).toMatchObject({ apiBase: 'http://127.0.0.1:9000', token: 'tok-from-preload' });
  });

  it('builds WebSocket URLs with the token in the query', () => {
    const u = new URL(
      wsUrl({ apiBase: 'http://127.0.0.1:8088', token: 't0k', shell: null, view: 'main' as const }, '/v1/audio/stream', {
        sample_rate: 16000,
      }),
    );
    expect(u.protocol).toBe('ws:');
    expect(u.pathname).toBe('/v1/audio/stream');
    expect(u.searchParams.get('sample_rate')).toBe('16000');
    expect(u.searchParams.get('token')).toBe('t0k');
  });
});
