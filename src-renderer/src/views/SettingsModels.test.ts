// Settings explains each catalog model (issue 15): its languages, size, speed and accuracy classes and how to
// install it, with a language filter; and the custom vocabulary and replacement list of issue 14 are kept in the
// settings every captions and dictation session sends.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP_CONTEXT_KEY, type AppContext } from '../lib/app-context.js';
import type { LiveCaptions } from '../lib/live-controller.svelte.js';
import type { ModelInfo, RestClient } from '../lib/rest-client.js';
import { settings } from '../lib/settings.svelte.js';
import SettingsView from './SettingsView.svelte';

const WHISPER_LANGS = ['en', 'zh', 'de', 'es', 'ru', 'ko', 'fr', 'ja', 'pt', 'ar'];
const MODELS: ModelInfo[] = [
  {
    id: 'zipformer-en-20m',
    name: 'Streaming Zipformer English 20M (int8)',
    backend: 'sherpa',
    kind: 'asr-streaming',
    language: 'en',
    languages: ['en'],
    fixture: false,
    installed: true,
    size_bytes: 43649301,
    speed: 'fastest',
    accuracy: 'basic',
  },
  {
    id: 'whisper-small-int8',
    name: 'Whisper small multilingual (int8, offline)',
    backend: 'sherpa',
    kind: 'asr-offline',
    language: 'mul',
    languages: WHISPER_LANGS,
    fixture: false,
    installed: false,
    size_bytes: 375485327,
    speed: 'slow',
    accuracy: 'good',
    note: '244M parameters: the recommended multilingual model.',
  },
  {
    id: 'parakeet-tdt-0.6b-v2-int8',
    name: 'NVIDIA Parakeet TDT 0.6B v2, English',
    backend: 'sherpa',
    kind: 'asr-offline',
    language: 'en',
    languages: ['en'],
    fixture: false,
    installed: false,
    size_bytes: 661190513,
    speed: 'moderate',
    accuracy: 'best',
  },
  {
    id: 'kroko-de-streaming',
    name: 'Kroko streaming zipformer, German',
    backend: 'sherpa',
    kind: 'asr-streaming',
    language: 'de',
    languages: ['de'],
    fixture: false,
    installed: false,
    size_bytes: 71051469,
    speed: 'fast',
    accuracy: 'fair',
  },
  {
    id: 'piper-de-de-thorsten-medium',
    name: 'Piper de_DE thorsten (medium)',
    backend: 'sherpa',
    kind: 'tts',
    language: 'de',
    languages: ['de'],
    fixture: false,
    installed: false,
    size_bytes: 63206113,
  },
  {
    id: 'silero-vad',
    name: 'Silero VAD v6.2',
    backend: 'sherpa',
    kind: 'vad',
    language: '*',
    languages: ['*'],
    fixture: false,
    installed: true,
    size_bytes: 2327524,
  },
  {
    id: 'tone-alphabet',
    name: 'Tone alphabet (fixture)',
    backend: 'sherpa',
    kind: 'asr-streaming',
    language: 'en',
    languages: ['en'],
    installed: true,
    fixture: true,
  },
];

function mount() {
  const cfg = { apiBase: 'http://127.0.0.1:8088', token: 't-0123456789abcdef', shell: null, view: 'main' as const };
  const rest = {
    models: vi.fn(async () => MODELS),
    punctuationModel: vi.fn(async () => null),
    engines: vi.fn(async () => [
      { id: 'sherpa', kind: 'asr', available: true, detail: 'sherpa-onnx: zipformer-en-20m', languages: ['en'] },
    ]),
    startModelPull: vi.fn(async (id: string) => ({ id, state: 'downloading', received: 0, total: 1 })),
    modelPull: vi.fn(async (id: string) => ({ id, state: 'done', received: 1, total: 1 })),
  };
  const ctx: AppContext = { cfg, rest: rest as unknown as RestClient, live: {} as LiveCaptions };
  render(SettingsView, { context: new Map([[APP_CONTEXT_KEY, ctx]]) });
  return { rest };
}

const rows = () => screen.queryAllByTestId('model-row').map((r) => r.getAttribute('data-model'));
const row = (id: string) => within(screen.getAllByTestId('model-row').find((r) => r.getAttribute('data-model') === id)!);

afterEach(() => {
  vi.restoreAllMocks();
  settings.language = 'en';
  settings.vocabulary = '';
  settings.replacements = '';
});

describe('Settings: catalog models', () => {
  it('filters by language (starting at the caption language): recognizers first, multilingual models included, never a fixture', async () => {
    settings.language = 'en';
    mount();
    await screen.findAllByTestId('model-row');
    expect(rows()).toEqual(['zipformer-en-20m', 'whisper-small-int8', 'parakeet-tdt-0.6b-v2-int8', 'silero-vad']);
    const filter = screen.getByRole('combobox', { name: 'Show models for language' }) as HTMLSelectElement;
    await fireEvent.change(filter, { target: { value: 'ar' } });
    expect(rows()).toEqual(['whisper-small-int8', 'silero-vad']);
    await fireEvent.change(filter, { target: { value: 'de' } });
    expect(rows()).toEqual(['kroko-de-streaming', 'whisper-small-int8', 'piper-de-de-thorsten-medium', 'silero-vad']);
    await fireEvent.change(filter, { target: { value: '' } });
    expect(rows()).toHaveLength(6);
    expect(screen.getByTestId('model-count').textContent).toBe('6 models');
  });

  it('each model shows its kind, languages, size, speed and accuracy classes, and an install path', async () => {
    settings.language = 'ar';
    mount();
    await screen.findAllByTestId('model-row');
    const w = row('whisper-small-int8');
    expect(w.getByText('Offline recognizer')).toBeTruthy();
    expect(w.getByText('10 languages')).toBeTruthy();
    expect(w.getByText('375.5 MB')).toBeTruthy();
    expect(w.getByText('Slow (needs a fast CPU)')).toBeTruthy();
    expect(w.getByText('Good')).toBeTruthy();
    expect(w.getByText(/244M parameters/)).toBeTruthy();
    expect(w.getByRole('button', { name: 'Install whisper-small-int8' })).toBeTruthy();
    expect(w.getByText('earshot models pull whisper-small-int8')).toBeTruthy();
    await fireEvent.change(screen.getByRole('combobox', { name: 'Show models for language' }), { target: { value: 'en' } });
    const z = row('zipformer-en-20m');
    expect(z.getByText('Live recognizer')).toBeTruthy();
    expect(z.getByText('English')).toBeTruthy();
    expect(z.getByText('Fastest')).toBeTruthy();
    expect(z.getByText('Basic')).toBeTruthy();
    expect(z.getByText('Installed')).toBeTruthy();
    expect(row('parakeet-tdt-0.6b-v2-int8').getByText('Best')).toBeTruthy();
  });

  it('Install starts the pull of that model', async () => {
    settings.language = 'de';
    const { rest } = mount();
    await screen.findAllByTestId('model-row');
    await fireEvent.click(row('kroko-de-streaming').getByRole('button', { name: 'Install kroko-de-streaming' }));
    expect(rest.startModelPull).toHaveBeenCalledWith('kroko-de-streaming');
  });
});

describe('Settings: custom vocabulary', () => {
  it('keeps custom words and the replacement list in the settings, and flags a replacement line without "=>"', async () => {
    mount();
    const words = screen.getByRole('textbox', { name: 'Custom words and phrases, one per line' });
    await fireEvent.input(words, { target: { value: 'Kubernetes\nEarshot' } });
    expect(settings.vocabulary).toBe('Kubernetes\nEarshot');
    const repl = screen.getByRole('textbox', { name: 'Replacements, one wrong => right per line' });
    await fireEvent.input(repl, { target: { value: 'eye tea => IT\ncuber netties' } });
    expect(settings.replacements).toBe('eye tea => IT\ncuber netties');
    expect(screen.getByTestId('replacements-problem').textContent).toMatch(/"cuber netties" has no "=>"/);
    await fireEvent.input(repl, { target: { value: 'eye tea => IT\ncuber netties => Kubernetes' } });
    expect(screen.queryByTestId('replacements-problem')).toBeNull();
  });
});
