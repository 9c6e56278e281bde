// The first-run flag as the app uses it: the onboarding panel shows above the Live view (Start stays usable)
// until "Got it", and a later start of the UI (same localStorage) does not show it again.
import { fireEvent, render, screen, cleanup } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { LiveCaptions } from './lib/live-controller.svelte.js';
import { ONBOARDING_KEY, onboarding, reopenOnboarding } from './lib/onboarding.svelte.js';
import type { RestClient } from './lib/rest-client.js';

function mount() {
  const cfg = { apiBase: 'http://127.0.0.1:1', token: null, shell: null, view: 'main' as const };
  const live = new LiveCaptions(cfg);
  const rest = {
    readyz: vi.fn(async () => ({ ready: true, detail: { ready: true } })),
    models: vi.fn(async () => [
      {
        id: 'zipformer-en-20m',
        name: 'Streaming Zipformer English 20M (int8)',
        kind: 'asr-streaming',
        language: 'en',
        backend: 'sherpa',
        installed: false,
        fixture: false,
      },
    ]),
    engines: vi.fn(async () => [{ id: 'pocketsphinx', kind: 'asr', available: true, detail: 'pocketsphinx', languages: ['en'] }]),
  } as unknown as RestClient;
  render(App, { props: { cfg, rest, live } });
  return live;
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('App first run', () => {
  it('shows onboarding on first start, above a usable Start; "Got it" hides it for good', async () => {
    expect(localStorage.getItem(ONBOARDING_KEY)).toBeNull();
    let live = mount();
    expect(await screen.findByRole('region', { name: 'Welcome to Earshot' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Start' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Got it' }));
    expect(screen.queryByRole('region', { name: 'Welcome to Earshot' })).toBeNull();
    expect(localStorage.getItem(ONBOARDING_KEY)).toBe('1');
    await live.dispose();
    cleanup();
    // A later start of the UI reads the stored flag.
    onboarding.show = !(localStorage.getItem(ONBOARDING_KEY) === '1');
    live = mount();
    await screen.findByRole('button', { name: 'Start' });
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByRole('region', { name: 'Welcome to Earshot' })).toBeNull();
    // Settings → "Show the welcome guide again" brings it back on the Live view.
    reopenOnboarding();
    expect(await screen.findByRole('region', { name: 'Welcome to Earshot' })).toBeTruthy();
    expect(localStorage.getItem(ONBOARDING_KEY)).toBeNull();
    await live.dispose();
  });
});
