// What every view needs, created once in main.ts and passed down through Svelte context.
import { getContext, setContext } from 'svelte';
import type { ApiConfig } from './api-config.js';
import type { LiveCaptions } from './live-controller.svelte.js';
import type { RestClient } from './rest-client.js';

export interface AppContext {
  cfg: ApiConfig;
  rest: RestClient;
  live: LiveCaptions;
}

export const APP_CONTEXT_KEY = Symbol('earshot-app');

export function provideApp(ctx: AppContext): void {
  setContext(APP_CONTEXT_KEY, ctx);
}

export function useApp(): AppContext {
  const ctx = getContext<AppContext | undefined>(APP_CONTEXT_KEY);
  if (!ctx) throw new Error('useApp() outside <App>');
  return ctx;
}

/** Save text as a file through a temporary download link. */
export function downloadText(name: string, content: string | Uint8Array, type = 'text/plain'): void {
  const blob = new Blob([content as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
