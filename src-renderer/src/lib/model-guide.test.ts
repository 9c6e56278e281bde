// What the UI says about engines and models: sizes, offline detection, recommendations, languages.
import { describe, expect, it } from 'vitest';
import { formatSize, isOfflineError, languageOptions, preferredLanguage, recommendedModels } from './model-guide.js';

describe('model-guide', () => {
  it('formats catalog sizes, and says "size unknown" when the catalog has none', () => {
    expect(formatSize(127_500_000)).toBe('127.5 MB');
    expect(formatSize(2_327_524)).toBe('2.3 MB');
    expect(formatSize(29_379)).toBe('29 kB');
    expect(formatSize(1_600_000_000)).toBe('1.6 GB');
    expect(formatSize(undefined)).toBe('size unknown');
  });

  it('tells a network failure from a bad file or a server error', () => {
    expect(isOfflineError('cannot download https://huggingface.co/x: getaddrinfo ENOTFOUND huggingface.co')).toBe(true);
    expect(isOfflineError('cannot download http://127.0.0.1:9/x: connect ECONNREFUSED 127.0.0.1:9')).toBe(true);
    expect(isOfflineError('The Earshot engine is not reachable at http://127.0.0.1:8088.')).toBe(false);
    expect(isOfflineError('x/tokens.txt: sha256 mismatch (got a, expected b); the file was discarded')).toBe(false);
    expect(isOfflineError('download of https://x/y failed: HTTP 404 Not Found')).toBe(false);
  });

  it('recommends one model per kind for the language, installed ones first, never fixtures', () => {
    const models = [
      { id: 'fx', kind: 'asr-streaming', language: 'en', installed: true, fixture: true },
      { id: 'a1', kind: 'asr-streaming', language: 'en', installed: false, fixture: false },
      { id: 'a2', kind: 'asr-streaming', language: 'en-US', installed: true, fixture: false },
      { id: 'v', kind: 'vad', language: '*', installed: false, fixture: false },
      { id: 't-de', kind: 'tts', language: 'de', installed: false, fixture: false },
      { id: 't-en', kind: 'tts', language: 'en', installed: false, fixture: false },
    ];
    expect(recommendedModels(models, 'en').map((m) => m.id)).toEqual(['a2', 'v', 't-en']);
    expect(recommendedModels(models, 'de').map((m) => m.id)).toEqual(['v', 't-de']);
    // Sorted by name (English before German); English is ready through the installed a2.
    expect(languageOptions(models, []).map((o) => [o.code, o.ready, o.readyWith])).toEqual([
      ['en', true, ['a2']],
      ['de', false, []],
    ]);
  });

  it('takes the browser language as the first-run default', () => {
    expect(preferredLanguage({ languages: ['de-AT', 'en'] })).toBe('de');
    expect(preferredLanguage({})).toBe('en');
  });
});
