import { render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_CONTEXT_KEY, type AppContext } from '../lib/app-context.js';
import { LiveCaptions } from '../lib/live-controller.svelte.js';
import { RestClient } from '../lib/rest-client.js';
import { DEFAULT_SETTINGS, settings } from '../lib/settings.svelte.js';
import OverlayView from './OverlayView.svelte';

function appWith(live: LiveCaptions): Map<symbol, AppContext> {
  const cfg = { apiBase: 'http://127.0.0.1:1', token: null, shell: null, view: 'main' as const };
  return new Map([[APP_CONTEXT_KEY, { cfg, rest: new RestClient(cfg), live }]]);
}

describe('OverlayView', () => {
  afterEach(() => Object.assign(settings, DEFAULT_SETTINGS));

  it('shows the recent finals and the interim as one text, newest last, clipped to the configured lines', () => {
    const live = new LiveCaptions({ apiBase: 'http://127.0.0.1:1', token: null, shell: null, view: 'main' });
    live.log.newEpoch();
    for (let i = 0; i < 4; i++)
      live.log.apply({
        type: 'transcript',
        is_final: true,
        segment: i,
        text: `line ${i}`,
        start_ms: i,
        end_ms: i + 1,
        confidence: 1,
        latency_ms: 1,
      });
    live.log.apply({ type: 'transcript', is_final: false, segment: 4, text: 'still talk', start_ms: 9, end_ms: 10 });
    Object.assign(settings, { overlayLines: 2, overlayFontPx: 48, overlayBgOpacity: 0.5, overlayPosition: 'top' });
    render(OverlayView, { context: appWith(live) });
    const band = screen.getByRole('log', { name: 'Captions overlay' });
    const text = screen.getByTestId('overlay-text');
    expect([...text.querySelectorAll('span')].map((s) => s.textContent)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'still talk']);
    expect(text.textContent).toBe('line 0 line 1 line 2 line 3 still talk');
    expect(text.querySelector('span:last-child')!.classList.contains('interim')).toBe(true);
    expect(text.querySelector('.interim')).toBe(text.lastElementChild);
    // Two lines of 1.3em; the font is the chosen size unless the window is too low for it.
    expect(screen.getByTestId('overlay-clip').style.maxHeight).toBe('2.6em');
    expect(band.style.getPropertyValue('--overlay-font')).toBe('48px');
    expect(text.getAttribute('dir')).toBe('auto');
    expect(band.style.backgroundColor).toBe('rgba(0, 0, 0, 0.5)');
    expect(screen.getByTestId('overlay').classList.contains('pos-top')).toBe(true);
    void live.dispose();
  });

  it('says it is waiting when there is nothing to show', () => {
    const live = new LiveCaptions({ apiBase: 'http://127.0.0.1:1', token: null, shell: null, view: 'main' });
    render(OverlayView, { context: appWith(live) });
    expect(screen.getByText('Waiting for speech…')).toBeTruthy();
    void live.dispose();
  });
});
