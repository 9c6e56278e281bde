// The language picker: a select built from the installed and catalog models and the loaded recognizers (no
// free text box); a language without an installed recognizer explains which catalog model adds it.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { EngineEntry, ModelInfo } from '../lib/rest-client.js';
import LanguagePicker from './LanguagePicker.svelte';

const MODELS: ModelInfo[] = [
  {
    id: 'zipformer-en-20m',
    name: 'Streaming Zipformer English 20M (int8)',
    kind: 'asr-streaming',
    language: 'en',
    installed: false,
    fixture: false,
    backend: 'sherpa',
  },
  {
    id: 'zipformer-fr',
    name: 'Streaming Zipformer French',
    kind: 'asr-streaming',
    language: 'fr',
    installed: false,
    fixture: false,
    size_bytes: 70_200_000,
    backend: 'sherpa',
  },
  {
    id: 'piper-de-de-thorsten-medium',
    name: 'Piper de_DE thorsten (medium)',
    kind: 'tts',
    language: 'de',
    installed: false,
    fixture: false,
    backend: 'sherpa',
  },
  { id: 'silero-vad', kind: 'vad', language: '*', backend: 'sherpa', installed: true, fixture: false },
  { id: 'fixture-ja', kind: 'asr-streaming', language: 'ja', backend: 'sherpa', installed: true, fixture: true },
];
const ENGINES: EngineEntry[] = [
  { id: 'sherpa', kind: 'asr', available: false, detail: 'no model' },
  { id: 'pocketsphinx', kind: 'asr', available: true, detail: 'pocketsphinx', languages: ['en'] },
];

function mount(value: string) {
  const onchange = vi.fn();
  render(LanguagePicker, { props: { models: MODELS, engines: ENGINES, value, onchange } });
  return { onchange, select: screen.getByRole('combobox', { name: 'Language' }) as HTMLSelectElement };
}

describe('LanguagePicker', () => {
  it("lists the languages of the catalog and the loaded recognizers, never a fixture's, and no text box", () => {
    const { select } = mount('en');
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ['en', 'English'],
      ['fr', 'French — needs a recognizer'],
      ['de', 'German — needs a recognizer'],
    ]);
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.queryByTestId('language-advice')).toBeNull(); // English captions work (pocketsphinx)
  });

  it('picking a language without a recognizer says which catalog model adds it, with its size', async () => {
    const { select, onchange } = mount('en');
    await fireEvent.change(select, { target: { value: 'fr' } });
    expect(onchange).toHaveBeenCalledWith('fr');
    const advice = await screen.findByTestId('language-advice');
    expect(advice.textContent).toBe(
      'No recognizer for French is installed. Install Streaming Zipformer French (70.2 MB) to caption French: in Settings → Engines and models, or `earshot models pull zipformer-fr`.',
    );
    expect(select.getAttribute('aria-describedby')).toBe(advice.id);
  });

  it('a language only a voice covers says no recognizer exists for it yet', () => {
    mount('de');
    expect(screen.getByTestId('language-advice').textContent).toBe(
      'No recognizer for German is installed or in the catalog, so captions cannot be made in German yet.',
    );
  });
});
