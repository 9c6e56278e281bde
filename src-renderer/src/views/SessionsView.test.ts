// The Sessions view against a scripted REST client (a fake of the API; the real one is exercised end to end).
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { APP_CONTEXT_KEY, type AppContext } from '../lib/app-context.js';
import type { LiveCaptions } from '../lib/live-controller.svelte.js';
import { ApiError, type RestClient, type SessionDetail } from '../lib/rest-client.js';
import SessionsView from './SessionsView.svelte';

const detail: SessionDetail = {
  id: 's1',
  title: 'Weekly sync',
  title_auto: false,
  preview: 'good morning team',
  started_at: '2026-01-02T10:00:00Z',
  ended_at: null,
  status: 'complete',
  sources: ['mic'],
  engine: 'pocketsphinx',
  model: 'en-us',
  language: 'en',
  tags: [],
  segment_count: 2,
  duration_ms: 67_000,
  segments: [
    { id: 1, track: 'mic', start_ms: 0, end_ms: 2000, text: 'good morning team', confidence: 0.9, words: [] },
    { id: 2, track: 'system', start_ms: 65_000, end_ms: 67_000, text: 'the roadmap slipped', confidence: 0.9, words: [] },
  ],
};

function fakeRest() {
  return {
    listSessions: vi.fn(async () => [{ ...detail }]),
    search: vi.fn(async (q: string) => [
      {
        session_id: 's1',
        session_title: 'Weekly sync',
        segment_id: 2,
        track: 'system',
        start_ms: 65_000,
        end_ms: 67_000,
        text: `the ${q} slipped`,
        snippet: `the <mark>${q}</mark> slipped`,
      },
    ]),
    getSession: vi.fn(async () => ({ ...detail })),
    rename: vi.fn(async () => undefined),
    deleteSession: vi.fn(async () => undefined),
    exportSession: vi.fn(async () => ({ text: '1\n00:00:00,000 --> 00:00:02,000\ngood morning team\n', filename: 'Weekly-sync.vtt' })),
    editSegment: vi.fn(async () => ({ id: 2, track: 'system', start_ms: 65_000, end_ms: 67_000, text: 'the roadmap held' })),
  };
}

function mount(rest: ReturnType<typeof fakeRest>) {
  const cfg = { apiBase: 'http://127.0.0.1:1', token: null, shell: null, view: 'main' as const };
  const ctx: AppContext = { cfg, rest: rest as unknown as RestClient, live: {} as LiveCaptions };
  return render(SessionsView, { context: new Map([[APP_CONTEXT_KEY, ctx]]) });
}

describe('SessionsView', () => {
  beforeEach(() => {
    history.replaceState(null, '', '/#/sessions');
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });

  it('searches, shows highlighted hits that link to the moment, and the transcript marks that segment', async () => {
    const rest = fakeRest();
    mount(rest);
    await screen.findByText('Weekly sync');
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Search transcripts' }), { target: { value: 'roadmap' } });
    await fireEvent.submit(screen.getByRole('search'));
    const hits = await screen.findByRole('list', { name: 'Search results' });
    expect(hits.querySelector('mark')?.textContent).toBe('roadmap');
    const link = hits.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('#/sessions/s1?t=65000');
    location.hash = '#/sessions/s1?t=65000';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    const transcript = await screen.findByRole('list', { name: 'Transcript' });
    await waitFor(() => expect(transcript.querySelector('li.current')?.textContent).toMatch(/1:05.*system.*the roadmap slipped/s));
    expect(transcript.querySelector('li.current mark')?.textContent).toBe('roadmap');
  });

  it('renames, exports and deletes through the API', async () => {
    const rest = fakeRest();
    location.hash = '#/sessions/s1';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    mount(rest);
    await screen.findByRole('heading', { name: 'Weekly sync' });
    await fireEvent.click(screen.getByRole('button', { name: 'Rename' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Session title' }), { target: { value: 'Renamed sync' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(rest.rename).toHaveBeenCalledWith('s1', 'Renamed sync'));

    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await fireEvent.change(screen.getByRole('combobox', { name: 'Export format' }), { target: { value: 'vtt' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(rest.exportSession).toHaveBeenCalledWith('s1', 'vtt'));
    expect(clicked).toHaveBeenCalled();

    window.confirm = vi.fn(() => true);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(rest.deleteSession).toHaveBeenCalledWith('s1'));
    await waitFor(() => expect(location.hash).toBe('#/sessions'));
  });

  it('lists duration and preview; corrects a segment through the API; exports under the name the server gives', async () => {
    const rest = fakeRest();
    rest.listSessions = vi.fn(async () => [{ ...detail, duration_ms: 67_000, preview: 'good morning team the roadmap slipped' }]);
    location.hash = '#/sessions/s1';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    mount(rest);
    expect((await screen.findByTestId('session-preview')).textContent).toBe('good morning team the roadmap slipped');
    expect(screen.getByRole('list', { name: 'Sessions' }).textContent).toMatch(/1:07 · complete/);
    await fireEvent.click(await screen.findByRole('button', { name: 'Correct the segment at 1:05' }));
    const box = screen.getByRole('textbox', { name: 'Text of the segment at 1:05' }) as HTMLInputElement;
    expect(box.value).toBe('the roadmap slipped');
    await fireEvent.input(box, { target: { value: 'the roadmap held ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(rest.editSegment).toHaveBeenCalledWith('s1', 2, 'the roadmap held'));
    await waitFor(() => expect(rest.getSession).toHaveBeenCalledTimes(2));

    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    let name = '';
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      name = this.download;
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(name).toBe('Weekly-sync.vtt'));
  });

  it('shows the API error when the engine is unreachable', async () => {
    const rest = fakeRest();
    rest.listSessions.mockRejectedValueOnce(new Error('The Earshot engine is not reachable at http://127.0.0.1:1.'));
    mount(rest);
    expect((await screen.findByRole('alert')).textContent).toMatch(/not reachable/);
  });

  it('a server without a transcript store: says the store is off (not a routing error), no list or search', async () => {
    const rest = fakeRest();
    rest.listSessions = vi.fn(async () => {
      throw new ApiError(503, 'store_disabled', 'this server runs without a transcript store (earshot serve --no-store)');
    });
    mount(rest);
    const note = await screen.findByTestId('store-off');
    expect(note.getAttribute('role')).toBe('status');
    expect(note.textContent).toMatch(/transcript store is off/);
    expect(note.textContent).toMatch(/--no-store/);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('searchbox')).toBeNull();
    expect(screen.queryByText(/No sessions yet/)).toBeNull();
    expect(screen.queryByText(/Pick a session/)).toBeNull();
  });

  it('Load more after a new session started: the shifted page repeats none of the listed sessions (each keyed once)', async () => {
    const rest = fakeRest();
    const session = (n: number) => ({ ...detail, id: `s${n}`, title: `Session ${n}` });
    // Page one: sessions 50..1, newest first. Then session 51 starts, so offset 50 now begins at session 1 again.
    rest.listSessions
      .mockImplementationOnce(async () => Array.from({ length: 50 }, (_, i) => session(50 - i)))
      .mockImplementationOnce(async () => [session(1), session(0)]);
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent) => errors.push(e.error);
    window.addEventListener('error', onError);
    try {
      mount(rest);
      await screen.findByText('Session 50');
      await fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
      await screen.findByText('Session 0');
      const titles = [...screen.getByRole('list', { name: 'Sessions' }).querySelectorAll('.title')].map((t) => t.textContent);
      expect(titles).toHaveLength(51);
      expect(titles.filter((t) => t === 'Session 1')).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      window.removeEventListener('error', onError);
    }
  });
});
