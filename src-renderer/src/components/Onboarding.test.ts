// First-run onboarding against a fake REST client shaped like the real answers (GET /v1/models, /v1/engines,
// the pull endpoints): it names the engines in use and their quality, offers the recommended models for the
// language with sizes (or "size unknown") and what each adds, installs one with a progress bar, and — when the
// download server cannot be reached — says so in one sentence and shows `earshot models import` with the URL.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP_CONTEXT_KEY, type AppContext } from '../lib/app-context.js';
import type { LiveCaptions } from '../lib/live-controller.svelte.js';
import type { ModelImportResult } from '../../../proto/rest-models.js';
import { ApiError, type EngineEntry, type ModelInfo, type PullProgress, type RestClient } from '../lib/rest-client.js';
import Onboarding from './Onboarding.svelte';

const ZIP_URL =
  'https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models/sherpa-onnx-streaming-zipformer-en-20M-2023-02-17.tar.bz2';

function catalog(installedZip: boolean): ModelInfo[] {
  return [
    {
      id: 'zipformer-en-20m',
      name: 'Streaming Zipformer English 20M (int8)',
      kind: 'asr-streaming',
      language: 'en',
      backend: 'sherpa',
      installed: installedZip,
      fixture: false,
      size_bytes: 127_500_000,
      download_url: ZIP_URL,
    },
    {
      id: 'silero-vad',
      name: 'Silero VAD v6.2',
      kind: 'vad',
      language: '*',
      backend: 'sherpa',
      installed: true,
      fixture: false,
      size_bytes: 2_327_524,
    },
    {
      id: 'piper-en-us-amy-low',
      name: 'Piper en_US amy (low)',
      kind: 'tts',
      language: 'en',
      backend: 'sherpa',
      installed: false,
      fixture: false,
      download_url: 'https://github.com/k2-fsa/sherpa-onnx/releases/download/tts-models/vits-piper-en_US-amy-low.tar.bz2',
    },
    {
      id: 'tone-alphabet',
      name: 'Tone alphabet (synthetic test fixture, NOT speech)',
      kind: 'asr-streaming',
      language: 'en',
      backend: 'sherpa',
      installed: true,
      fixture: true,
      size_bytes: 29_379,
    },
  ];
}

const ENGINES: EngineEntry[] = [
  { id: 'sherpa', kind: 'asr', available: false, detail: 'no streaming ASR model installed; run: earshot models pull zipformer-en-20m' },
  { id: 'pocketsphinx', kind: 'asr', available: true, detail: 'pocketsphinx 5 (en-us)', languages: ['en'] },
  { id: 'sherpa', kind: 'tts', available: false, detail: 'no sherpa voice installed' },
  { id: 'espeak', kind: 'tts', available: true, detail: 'espeak-ng 1.51' },
];

function mount(pulls: PullProgress[], imports: (() => Promise<ModelImportResult>)[] = []) {
  let installed = false;
  const steps = [...pulls];
  const rest = {
    importModelFile: vi.fn(async (_file: File) => {
      const r = await imports.shift()!();
      installed = true;
      return r;
    }),
    models: vi.fn(async () => catalog(installed)),
    engines: vi.fn(async () => ENGINES),
    startModelPull: vi.fn(async () => steps.shift()!),
    modelPull: vi.fn(async () => {
      const p = steps.shift()!;
      if (p.state === 'done') installed = true;
      return p;
    }),
  };
  const cfg = { apiBase: 'http://127.0.0.1:8088', token: 't', shell: null, view: 'main' as const };
  const ctx: AppContext = { cfg, rest: rest as unknown as RestClient, live: {} as LiveCaptions };
  const ondone = vi.fn();
  render(Onboarding, { props: { ondone }, context: new Map([[APP_CONTEXT_KEY, ctx]]) });
  return { rest, ondone };
}

afterEach(() => vi.restoreAllMocks());

describe('Onboarding', () => {
  it('online: engines and quality, recommended models with sizes, one-click install with a progress bar', async () => {
    const { rest, ondone } = mount([
      { id: 'zipformer-en-20m', state: 'downloading', received: 0, total: 127_500_000 },
      { id: 'zipformer-en-20m', state: 'downloading', received: 51_000_000, total: 127_500_000 },
      { id: 'zipformer-en-20m', state: 'verifying', received: 127_500_000, total: 127_500_000 },
      { id: 'zipformer-en-20m', state: 'done', received: 127_500_000, total: 127_500_000 },
    ]);
    const engines = await screen.findByRole('list', { name: 'Engines in use' });
    expect(engines.textContent).toMatch(
      /Captions:\s*pocketsphinx — zero-download; expect roughly 40–45% word errors, lowercase, no punctuation/,
    );
    expect(engines.textContent).toMatch(/Speech:\s*espeak-ng — zero-download/);

    expect(screen.getByRole('heading', { name: 'Recommended on-device models for English' })).toBeTruthy();
    const cards = screen.getAllByTestId('recommended-model');
    expect(cards.map((c) => c.dataset.modelId)).toEqual(['zipformer-en-20m', 'silero-vad', 'piper-en-us-amy-low']);
    const zip = within(cards[0]!);
    expect(zip.getByText('Streaming Zipformer English 20M (int8)')).toBeTruthy();
    expect(zip.getByTestId('model-size').textContent).toBe('127.5 MB');
    expect(zip.getByText(/far fewer word errors than pocketsphinx/)).toBeTruthy();
    expect(within(cards[1]!).getByText('Installed')).toBeTruthy();
    expect(within(cards[2]!).getByTestId('model-size').textContent).toBe('size unknown');
    // Fixtures are never offered.
    expect(document.body.textContent).not.toMatch(/Tone alphabet|tone-alphabet|fixture/i);

    await fireEvent.click(zip.getByRole('button', { name: 'Install Streaming Zipformer English 20M (int8)' }));
    expect(rest.startModelPull).toHaveBeenCalledWith('zipformer-en-20m');
    const bar = (await screen.findByRole('progressbar', {
      name: 'Download progress of Streaming Zipformer English 20M (int8)',
    })) as HTMLProgressElement;
    await waitFor(() => expect(bar.value).toBe(51_000_000), { timeout: 3000 });
    expect(bar.max).toBe(127_500_000);
    expect(screen.getByText(/Downloading 40% \(51\.0 MB of 127\.5 MB\)/)).toBeTruthy();
    await waitFor(() => expect(zip.getByText('Installed — used from the next start of Earshot')).toBeTruthy(), { timeout: 3000 });
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.queryByTestId('offline-hint')).toBeNull();

    await fireEvent.click(screen.getByRole('button', { name: 'Got it' }));
    expect(ondone).toHaveBeenCalledOnce();
  });

  it('offline: says so in one sentence and shows earshot models import with the download URL (no raw error)', async () => {
    const { rest } = mount(
      [
        { id: 'zipformer-en-20m', state: 'downloading', received: 0, total: null },
        {
          id: 'zipformer-en-20m',
          state: 'error',
          received: 0,
          total: null,
          error:
            'cannot download https://huggingface.co/csukuangfj/sherpa-onnx-streaming-zipformer-en-20M-2023-02-17/resolve/main/encoder-epoch-99-avg-1.int8.onnx: getaddrinfo ENOTFOUND huggingface.co',
        },
      ],
      [
        async () => {
          throw new ApiError(
            400,
            'bad_config',
            'zipformer.tar.bz2: encoder-epoch-99-avg-1.int8.onnx has sha256 00, the catalog expects 11 for model "zipformer-en-20m"; the file is corrupt or a different version. Nothing was installed.',
          );
        },
        async () => ({
          id: 'zipformer-en-20m',
          name: 'Streaming Zipformer English 20M (int8)',
          files: [{ path: 'tokens.txt', size: 5000, sha256: 'a'.repeat(64), check: 'catalog' }],
        }),
      ],
    );
    await fireEvent.click(await screen.findByRole('button', { name: 'Install Streaming Zipformer English 20M (int8)' }));
    const hint = await screen.findByTestId('offline-hint', {}, { timeout: 3000 });
    expect(hint.getAttribute('role')).toBe('alert');
    expect(hint.textContent).toContain('You seem to be offline: Earshot could not reach the download server.');
    expect(hint.textContent).toContain('earshot models import <archive-or-folder>');
    const link = within(hint).getByRole('link', { name: ZIP_URL }) as HTMLAnchorElement;
    expect(link.href).toBe(ZIP_URL);
    expect(hint.textContent).toContain('earshot models import sherpa-onnx-streaming-zipformer-en-20M-2023-02-17.tar.bz2');
    expect(document.body.textContent).not.toContain('ENOTFOUND');
    // Still offered: Install again once back online.
    expect(screen.getByRole('button', { name: 'Install Streaming Zipformer English 20M (int8)' })).toBeTruthy();

    // Or the archive downloaded elsewhere, picked here: a corrupt one is refused with the engine's reason ...
    const input = within(hint).getByLabelText('Install a model from a downloaded archive') as HTMLInputElement;
    const file = new File([new Uint8Array([0x42, 0x5a, 0x68])], 'sherpa-onnx-streaming-zipformer-en-20M-2023-02-17.tar.bz2');
    await fireEvent.change(input, { target: { files: [file] } });
    expect(rest.importModelFile).toHaveBeenCalledWith(file);
    expect((await within(hint).findByRole('alert')).textContent).toMatch(
      /^Could not install sherpa-onnx-streaming-zipformer-en-20M-2023-02-17\.tar\.bz2: .*sha256 .*Nothing was installed\.$/,
    );
    // ... a good one installs.
    await fireEvent.change(input, { target: { files: [file] } });
    expect((await screen.findByTestId('import-result')).textContent).toBe(
      'Installed Streaming Zipformer English 20M (int8) from sherpa-onnx-streaming-zipformer-en-20M-2023-02-17.tar.bz2 (every file checked) — used from the next start of Earshot.',
    );
    await waitFor(() =>
      expect(
        within(screen.getAllByTestId('recommended-model')[0]!).getByText('Installed — used from the next start of Earshot'),
      ).toBeTruthy(),
    );
  });

  it("a failure that is not the network shows the engine's reason, not the offline hint", async () => {
    mount([
      { id: 'zipformer-en-20m', state: 'downloading', received: 0, total: null },
      {
        id: 'zipformer-en-20m',
        state: 'error',
        received: 10,
        total: null,
        error: 'zipformer-en-20m/tokens.txt: sha256 mismatch (got 00, expected 11); the file was discarded',
      },
    ]);
    await fireEvent.click(await screen.findByRole('button', { name: 'Install Streaming Zipformer English 20M (int8)' }));
    const alert = await screen.findByRole('alert', {}, { timeout: 3000 });
    expect(alert.textContent).toContain('Install of zipformer-en-20m failed: zipformer-en-20m/tokens.txt: sha256 mismatch');
    expect(screen.queryByTestId('offline-hint')).toBeNull();
  });
});
