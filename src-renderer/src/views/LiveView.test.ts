// The live view before anything starts: engine state, accessible controls. (Capture itself runs end to end
// in Chromium: test/accuracy/renderer-app.test.ts.)
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { APP_CONTEXT_KEY, type AppContext } from '../lib/app-context.js';
import { LiveCaptions } from '../lib/live-controller.svelte.js';
import type { RestClient } from '../lib/rest-client.js';
import LiveView from './LiveView.svelte';

function mount(readyz: () => Promise<{ ready: boolean; detail: unknown }>) {
  const cfg = { apiBase: 'http://127.0.0.1:1', token: null, shell: null, view: 'main' as const };
  const live = new LiveCaptions(cfg);
  const ctx: AppContext = {
    cfg,
    rest: { readyz: vi.fn(readyz), models: vi.fn(async () => []), engines: vi.fn(async () => []) } as unknown as RestClient,
    live,
  };
  render(LiveView, { context: new Map([[APP_CONTEXT_KEY, ctx]]) });
  return live;
}

describe('LiveView', () => {
  it('says when the engine is not reachable, and offers Start with its shortcut', async () => {
    const live = mount(async () => ({ ready: false, detail: null }));
    expect((await screen.findByText(/not reachable at http:\/\/127\.0\.0\.1:1/)).getAttribute('role')).toBe('status');
    const start = screen.getByRole('button', { name: 'Start' });
    expect(start.getAttribute('aria-keyshortcuts')).toBe('Alt+S');
    expect(screen.getByRole('combobox', { name: 'Microphone' })).toBeTruthy();
    expect(screen.getByRole('meter', { name: 'Input level' })).toBeTruthy();
    await live.dispose();
  });

  it('says when the engine is still loading', async () => {
    const live = mount(async () => ({
      ready: false,
      detail: { ready: false, error: { code: 'not_ready', message: 'warming up pocketsphinx' } },
    }));
    expect(await screen.findByText(/not ready yet: warming up pocketsphinx/)).toBeTruthy();
    await live.dispose();
  });

  it('shows nothing extra when the engine is ready', async () => {
    const live = mount(async () => ({ ready: true, detail: { ready: true } }));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByText(/not (reachable|ready)/)).toBeNull();
    await live.dispose();
  });

  it('a server without a transcript store: a visible note that captions are not saved, before Start', async () => {
    const live = mount(async () => ({ ready: true, detail: { ready: true, detail: 'ok', store: false } }));
    const note = await screen.findByTestId('unsaved-note');
    expect(note.getAttribute('role')).toBe('status');
    expect(note.textContent).toMatch(/Not saved: this engine runs without a transcript store/);
    expect(note.textContent).toMatch(/--no-store/);
    expect(screen.getByText('Not saved')).toBeTruthy();
    await live.dispose();
  });

  it("the stream's store_disabled warning shows the same note (an engine that said nothing at /readyz)", async () => {
    const live = mount(async () => ({ ready: true, detail: { ready: true } }));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('unsaved-note')).toBeNull();
    live.unsaved = 'session=new asked to save the transcript, but this server runs without a transcript store';
    expect(await screen.findByTestId('unsaved-note')).toBeTruthy();
    await live.dispose();
  });

  it('"Saved as a session" with its link only once a final was saved; Clear empties the view; caption size applies', async () => {
    const live = mount(async () => ({ ready: true, detail: { ready: true } }));
    live.sessionId = 'abc';
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId('saved-note')).toBeNull();
    live.log.apply({
      type: 'transcript',
      is_final: true,
      segment: 0,
      text: 'hello there',
      start_ms: 0,
      end_ms: 900,
      confidence: 1,
      latency_ms: 5,
    });
    live.savedFinals = 1;
    live.speechEndToFinalMs = 740;
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId('saved-note').textContent).toMatch(/Saved as a session/);
    expect(screen.getByRole('link', { name: 'Open this session' }).getAttribute('href')).toBe('#/sessions/abc');
    expect(screen.getByTestId('speech-end-latency').textContent).toBe('End of speech → caption: 0.74 s');
    expect(screen.getByTestId('caption-list').style.fontSize).toBe('20px');
    screen.getByRole('button', { name: 'Clear' }).click();
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByText('hello there')).toBeNull();
    // The session stays saved: clearing the view deletes nothing.
    expect(screen.getByTestId('saved-note')).toBeTruthy();
    await live.dispose();
  });
});
