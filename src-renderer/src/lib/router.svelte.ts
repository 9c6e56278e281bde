// Hash routing: #/live, #/overlay, #/sessions, #/sessions/<id>?t=<ms>, #/dictation, #/voices, #/settings.
export const ROUTES = ['live', 'overlay', 'sessions', 'dictation', 'voices', 'settings'] as const;
export type RouteName = (typeof ROUTES)[number];

export interface Route {
  name: RouteName;
  /** Path parts after the name, e.g. the session id. */
  params: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path = '', qs] = hash.replace(/^#\/?/, '').split('?', 2);
  const [name, ...params] = path.split('/').filter(Boolean).map(decodeURIComponent);
  const known = ROUTES.find((r) => r === name) ?? 'live';
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a Route is replaced on each hashchange, never mutated
  return { name: known, params, query: new URLSearchParams(qs ?? '') };
}

export const router = $state({ route: parseHash(typeof location === 'undefined' ? '' : location.hash) });

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    router.route = parseHash(location.hash);
  });
}

export function navigate(hash: string): void {
  location.hash = hash;
}
