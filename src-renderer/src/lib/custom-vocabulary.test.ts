// The custom vocabulary of issue 14 and the multilingual catalog of issue 15 as the UI uses them: the session
// query carries the user's words and replacement list; the model guide reads a model's `languages` list.
import { describe, expect, it } from 'vitest';
import { AsrLink } from './asr-link.js';
import { CaptionLog } from './captions.js';
import { coversLanguage, languageOptions, languagesLabel, recommendedModels, type ModelLike } from './model-guide.js';

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  onmessage = null;
  onclose = null;
  onerror = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send() {}
  close() {}
}
const cfg = { apiBase: 'http://127.0.0.1:8088', token: 'secret-token', shell: null, view: 'main' as const };

describe('AsrLink session options', () => {
  it('sends the custom words and the replacement list with the session, and nothing when they are empty', () => {
    FakeSocket.all = [];
    const ws = FakeSocket as unknown as typeof WebSocket;
    new AsrLink({
      cfg,
      captions: new CaptionLog(),
      WebSocketImpl: ws,
      vocabulary: 'Kubernetes\nEarshot\n',
      replacements: 'eye tea => IT\n',
    }).start();
    const q = new URL(FakeSocket.all[0]!.url).searchParams;
    expect(q.get('vocabulary')).toBe('Kubernetes\nEarshot');
    expect(q.get('replacements')).toBe('eye tea => IT');
    new AsrLink({ cfg, captions: new CaptionLog(), WebSocketImpl: ws, vocabulary: '  ', replacements: '' }).start();
    const q2 = new URL(FakeSocket.all[1]!.url).searchParams;
    expect(q2.has('vocabulary')).toBe(false);
    expect(q2.has('replacements')).toBe(false);
  });
});

const MODELS: ModelLike[] = [
  { id: 'zipformer-en-20m', kind: 'asr-streaming', language: 'en', languages: ['en'], installed: true },
  {
    id: 'whisper-tiny-int8',
    kind: 'asr-offline',
    language: 'mul',
    languages: ['en', 'ar', 'de', 'pt'],
    installed: false,
    size_bytes: 103609903,
  },
  { id: 'kroko-de-streaming', kind: 'asr-streaming', language: 'de', languages: ['de'], installed: false },
  { id: 'silero-vad', kind: 'vad', language: '*', installed: true },
];

describe('model guide with multilingual models', () => {
  it('a multilingual model adds each of its languages to the picker, never its "mul" code', () => {
    const codes = languageOptions(MODELS, []).map((o) => o.code);
    expect(codes.sort()).toEqual(['ar', 'de', 'en', 'pt']);
    const ar = languageOptions(MODELS, []).find((o) => o.code === 'ar')!;
    expect(ar.ready).toBe(false);
    expect(ar.toInstall.map((m) => m.id)).toEqual(['whisper-tiny-int8']);
  });

  it('recommends the live model where one exists, else the offline recognizer for the language', () => {
    expect(recommendedModels(MODELS, 'de').map((m) => m.id)).toEqual(['kroko-de-streaming', 'silero-vad']);
    expect(recommendedModels(MODELS, 'ar').map((m) => m.id)).toEqual(['whisper-tiny-int8', 'silero-vad']);
    // Several offline candidates: the most accurate first, as the server's install hint says.
    const more: ModelLike[] = [
      ...MODELS,
      { id: 'whisper-small-int8', kind: 'asr-offline', language: 'mul', languages: ['ar'], accuracy: 'good' },
    ];
    expect(recommendedModels(more, 'ar')[0]!.id).toBe('whisper-small-int8');
    expect(coversLanguage(MODELS[1]!, 'pt-BR')).toBe(true);
    expect(languagesLabel(MODELS[1]!)).toBe('English, Arabic, German, Portuguese');
    expect(languagesLabel({ id: 'x', kind: 'asr-offline', languages: ['en', 'ar', 'de', 'pt', 'fr'] })).toBe('5 languages');
  });
});
