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

  it('shows only the last lines (finals + the interim), at the configured size, background and position', () => {
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
    expect([...band.querySelectorAll('p')].map((p) => p.textContent)).toEqual(['line 3', 'still talk']);
    expect(band.querySelector('p:last-child')!.classList.contains('interim')).toBe(true);
    expect(band.style.fontSize).toBe('48px');
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
