// Settings against a fake REST client: installing a model shows a labelled progress bar, then the installed
// state; a failed install says why; the token is hidden by default and Regenerate (after a confirmation)
// switches the app to the new token.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP_CONTEXT_KEY, type AppContext } from '../lib/app-context.js';
import type { LiveCaptions } from '../lib/live-controller.svelte.js';
import type { ModelInfo, PullProgress, RestClient } from '../lib/rest-client.js';
import SettingsView from './SettingsView.svelte';
import { ONBOARDING_KEY, onboarding } from '../lib/onboarding.svelte.js';

const ID = 'zipformer-en-20m';

function mount(opts: { pulls: PullProgress[]; regenerate?: () => Promise<string>; punctuation?: string | null }) {
  let installed = false;
  const cfg = { apiBase: 'http://127.0.0.1:8088', token: 'old-token-0123456789abcdef', shell: null, view: 'main' as const };
  const steps = [...opts.pulls];
  const rest = {
    models: vi.fn(async (): Promise<ModelInfo[]> => [
      { id: ID, kind: 'asr-streaming', language: 'en', backend: 'sherpa', installed, fixture: false },
    ]),
    punctuationModel: vi.fn(async () => opts.punctuation ?? null),
    engines: vi.fn(async () => []),
    startModelPull: vi.fn(async () => steps.shift()!),
    modelPull: vi.fn(async () => {
      const p = steps.shift()!;
      if (p.state === 'done') installed = true;
      return p;
    }),
    regenerateToken: vi.fn(
      opts.regenerate ??
        (async () => {
          cfg.token = 'new-token-0123456789abcdef';
          return cfg.token;
        }),
    ),
  };
  const ctx: AppContext = { cfg, rest: rest as unknown as RestClient, live: {} as LiveCaptions };
  render(SettingsView, { context: new Map([[APP_CONTEXT_KEY, ctx]]) });
  return { rest, cfg };
}

afterEach(() => vi.restoreAllMocks());

describe('SettingsView model install', () => {
  it('Install shows a labelled progress bar while downloading, then the model is installed', async () => {
    const { rest } = mount({
      pulls: [
        { id: ID, state: 'downloading', received: 0, total: 1000 },
        { id: ID, state: 'downloading', received: 500, total: 1000 },
        { id: ID, state: 'verifying', received: 1000, total: 1000 },
        { id: ID, state: 'done', received: 1000, total: 1000 },
      ],
    });
    await fireEvent.click(await screen.findByRole('button', { name: `Install ${ID}` }));
    expect(rest.startModelPull).toHaveBeenCalledWith(ID);
    const bar = (await screen.findByRole('progressbar', { name: `Download progress of ${ID}` })) as HTMLProgressElement;
    await waitFor(() => expect(bar.value).toBe(500), { timeout: 3000 });
    expect(bar.max).toBe(1000);
    expect(screen.getByText(/Downloading 50%/)).toBeTruthy();
    await waitFor(() => expect(screen.getByText('Installed')).toBeTruthy(), { timeout: 3000 });
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.queryByRole('button', { name: `Install ${ID}` })).toBeNull();
  });

  it('a failed install says why and offers Install again', async () => {
    mount({
      pulls: [
        { id: ID, state: 'downloading', received: 0, total: null },
        { id: ID, state: 'error', received: 10, total: null, error: 'tokens.txt: sha256 mismatch' },
      ],
    });
    await fireEvent.click(await screen.findByRole('button', { name: `Install ${ID}` }));
    const alert = await screen.findByRole('alert', {}, { timeout: 3000 });
    expect(alert.textContent).toContain(`Install of ${ID} failed: tokens.txt: sha256 mismatch`);
    expect(screen.getByRole('button', { name: `Install ${ID}` })).toBeTruthy();
  });
});

describe('SettingsView punctuation option', () => {
  it('is shown only when the engine has a punctuation model, naming it', async () => {
    mount({ pulls: [], punctuation: 'punct-en-online-2024-08-06' });
    const box = await screen.findByRole('checkbox', { name: /Add punctuation and capitals/ });
    expect(box).toBeTruthy();
    expect(screen.getByTestId('punctuate-option').textContent).toContain('punct-en-online-2024-08-06');
  });

  it('is absent when the engine has none', async () => {
    const { rest } = mount({ pulls: [], punctuation: null });
    await waitFor(() => expect(rest.punctuationModel).toHaveBeenCalled());
    await screen.findByRole('button', { name: `Install ${ID}` });
    expect(screen.queryByRole('checkbox', { name: /punctuation/i })).toBeNull();
  });
});

describe('SettingsView welcome guide', () => {
  it('"Show the welcome guide again" clears the first-run flag and goes to the Live view', async () => {
    localStorage.setItem(ONBOARDING_KEY, '1');
    onboarding.show = false;
    location.hash = '#/settings';
    mount({ pulls: [] });
    await fireEvent.click(screen.getByRole('button', { name: 'Show the welcome guide again' }));
    expect(localStorage.getItem(ONBOARDING_KEY)).toBeNull();
    expect(onboarding.show).toBe(true);
    expect(location.hash).toBe('#/live');
  });
});

describe('SettingsView token', () => {
  it('is hidden by default; Regenerate asks first, then shows and uses the new token', async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    const { rest, cfg } = mount({ pulls: [] });
    expect(screen.getByTestId('token').textContent).not.toContain('old-token');
    await fireEvent.click(screen.getByRole('button', { name: 'Regenerate token' }));
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(rest.regenerateToken).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByRole('button', { name: 'Regenerate token' }));
    expect(await screen.findByText(/New token in use/)).toBeTruthy();
    expect(cfg.token).toBe('new-token-0123456789abcdef');
    await fireEvent.click(screen.getByRole('button', { name: 'Show token' }));
    expect(screen.getByTestId('token').textContent).toBe('new-token-0123456789abcdef');
    expect(sessionStorage.getItem('earshot.token')).toBe('new-token-0123456789abcdef');
  });

  it('a refused regeneration is reported and the old token stays', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    mount({ pulls: [], regenerate: async () => Promise.reject(new Error('The API token is missing or wrong.')) });
    await fireEvent.click(screen.getByRole('button', { name: 'Regenerate token' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Could not regenerate the token: The API token is missing or wrong.');
    await fireEvent.click(screen.getByRole('button', { name: 'Show token' }));
    expect(screen.getByTestId('token').textContent).toBe('old-token-0123456789abcdef');
  });
});
