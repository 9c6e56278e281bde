import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, saveSettings, settings } from './settings.svelte.js';

describe('UI settings', () => {
  afterEach(() => {
    Object.assign(settings, DEFAULT_SETTINGS);
    localStorage.clear();
  });

  it('are saved to localStorage', () => {
    settings.overlayFontPx = 60;
    saveSettings();
    expect(JSON.parse(localStorage.getItem('earshot.ui-settings')!).overlayFontPx).toBe(60);
  });

  it('follow a change made in another window (the overlay window shares the origin)', () => {
    const newValue = JSON.stringify({ ...DEFAULT_SETTINGS, overlayPosition: 'top', overlayFontPx: 500 });
    window.dispatchEvent(new StorageEvent('storage', { key: 'earshot.ui-settings', newValue }));
    expect(settings.overlayPosition).toBe('top');
    expect(settings.overlayFontPx).toBe(96); // clamped
    window.dispatchEvent(new StorageEvent('storage', { key: 'something-else', newValue: '{"overlayPosition":"middle"}' }));
    expect(settings.overlayPosition).toBe('top');
  });

  it('keep a known two-pass choice and fall back to automatic for anything else', () => {
    for (const [stored, expected] of [
      ['on', 'on'],
      ['off', 'off'],
      ['always', 'auto'],
    ]) {
      window.dispatchEvent(new StorageEvent('storage', { key: 'earshot.ui-settings', newValue: JSON.stringify({ twoPass: stored }) }));
      expect(settings.twoPass).toBe(expected);
    }
  });
});
