// Push-to-talk in the Dictation view with a fake shell bridge, a fake microphone and a scripted fake engine
// socket: 'down' starts listening, 'up' ends the stream (the engine flushes), and the final — also the one
// produced by that flush — lands at the cursor and is typed into the focused app through shell.dictate.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { APP_CONTEXT_KEY, type AppContext } from '../lib/app-context.js';
import type { LiveCaptions } from '../lib/live-controller.svelte.js';
import { onPushToTalk, pushToTalk } from '../lib/push-to-talk.js';
import type { RestClient } from '../lib/rest-client.js';
import DictationView from './DictationView.svelte';

vi.mock('../lib/mic-capture.js', () => {
  class MicCapture {
    static instances: MicCapture[] = [];
    stopped = false;
    constructor(readonly opts: { onFrame(f: { pcm: Int16Array; level: number }): void }) {
      MicCapture.instances.push(this);
    }
    async start() {}
    async stop() {
      this.stopped = true;
    }
    frame() {
      this.opts.onFrame({ pcm: new Int16Array(1600).fill(100), level: -20 });
    }
  }
  class MicError extends Error {}
  return { MicCapture, MicError };
});
const { MicCapture } = (await import('../lib/mic-capture.js')) as unknown as {
  MicCapture: { instances: { stopped: boolean; frame(): void }[] };
};

/** The engine side: answers `ready`, and `end` with the flushed final, session_complete and close 1000. */
class FakeEngineSocket {
  static OPEN = 1;
  static CLOSED = 3;
  static all: FakeEngineSocket[] = [];
  static flushText = 'world';
  readyState = 0;
  binaryType = 'blob';
  sent: unknown[] = [];
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeEngineSocket.all.push(this);
    queueMicrotask(() => this.say({ type: 'ready', session_id: 'none', model: 'pocketsphinx', sample_rate: 16000 }));
  }
  say(msg: object) {
    this.readyState = FakeEngineSocket.OPEN;
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  final(text: string, segment: number) {
    this.say({ type: 'transcript', is_final: true, segment, text, start_ms: 0, end_ms: 500, confidence: 0.9, latency_ms: 5, words: [] });
  }
  send(d: unknown) {
    this.sent.push(d);
    if (typeof d === 'string' && JSON.parse(d).type === 'end') {
      queueMicrotask(() => {
        this.final(FakeEngineSocket.flushText, 2);
        this.say({ type: 'session_complete', session_id: 'none', duration_ms: 1000, segments: 2 });
        this.readyState = FakeEngineSocket.CLOSED;
        this.onclose?.({ code: 1000, reason: '' });
      });
    }
  }
  close() {
    this.readyState = FakeEngineSocket.CLOSED;
  }
}

function fakeShell() {
  const listeners = new Set<(e: { action: string; phase: 'press' | 'down' | 'up' }) => void>();
  return {
    dictated: [] as string[],
    dictate: vi.fn(async function (this: void, text: string) {
      shell.dictated.push(text);
      return { ok: true };
    }),
    onHotkey(l: (e: { action: string; phase: 'press' | 'down' | 'up' }) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    key(action: string, phase: 'press' | 'down' | 'up') {
      for (const l of [...listeners]) l({ action, phase });
    },
    get listeners() {
      return listeners.size;
    },
  };
}
let shell: ReturnType<typeof fakeShell>;

function mount() {
  const cfg = { apiBase: 'http://127.0.0.1:8088', token: 't0123456789', shell, view: 'main' as const };
  const ctx: AppContext = { cfg, rest: {} as RestClient, live: {} as LiveCaptions };
  return render(DictationView, { context: new Map([[APP_CONTEXT_KEY, ctx]]) });
}

beforeEach(() => {
  FakeEngineSocket.all = [];
  MicCapture.instances.length = 0;
  pushToTalk.held = false;
  shell = fakeShell();
  vi.stubGlobal('WebSocket', FakeEngineSocket);
});
afterEach(() => vi.unstubAllGlobals());

describe('DictationView push-to-talk', () => {
  it('down starts listening; up flushes, and every final lands at the cursor and in the focused app', async () => {
    const view = mount();
    const area = screen.getByRole('textbox', { name: 'Dictation text' }) as HTMLTextAreaElement;
    await fireEvent.input(area, { target: { value: 'Say: ' } });
    area.setSelectionRange(5, 5);
    await fireEvent.click(area);

    shell.key('dictatePushToTalk', 'down');
    shell.key('dictatePushToTalk', 'down'); // key repeat: still one stream
    await screen.findByRole('button', { name: 'Stop dictating' });
    await waitFor(() => expect(FakeEngineSocket.all[0]?.readyState).toBe(1));
    expect(FakeEngineSocket.all).toHaveLength(1);
    expect(new URL(FakeEngineSocket.all[0]!.url).searchParams.get('session')).toBe('none');
    MicCapture.instances[0]!.frame();
    expect(FakeEngineSocket.all[0]!.sent.some((d) => d instanceof Int16Array)).toBe(true);

    FakeEngineSocket.all[0]!.final('hello', 1); // an endpoint final while the key is held
    await waitFor(() => expect(area.value).toBe('Say: hello'));

    shell.key('dictatePushToTalk', 'up');
    // A second utterance: the first one's sentence is closed (the model gives no punctuation).
    await waitFor(() => expect(area.value).toBe('Say: hello. World'));
    expect(FakeEngineSocket.all[0]!.sent).toContain(JSON.stringify({ type: 'end' }));
    await screen.findByRole('button', { name: 'Dictate' });
    expect(MicCapture.instances[0]!.stopped).toBe(true);
    expect(shell.dictated).toEqual(['hello', '. World']);

    view.unmount();
    expect(shell.listeners).toBe(0);
  });

  it('other hotkeys and a stray up do nothing; the button (not push-to-talk) does not type into other apps', async () => {
    mount();
    shell.key('dictatePushToTalk', 'up');
    shell.key('toggleCaptions', 'press');
    expect(FakeEngineSocket.all).toHaveLength(0);

    await fireEvent.click(screen.getByRole('button', { name: 'Dictate' }));
    await waitFor(() => expect(FakeEngineSocket.all[0]?.readyState).toBe(1));
    FakeEngineSocket.all[0]!.final('typed here only', 1);
    await fireEvent.click(screen.getByRole('button', { name: 'Stop dictating' }));
    await screen.findByRole('button', { name: 'Dictate' });
    expect((screen.getByRole('textbox', { name: 'Dictation text' }) as HTMLTextAreaElement).value).toBe('Typed here only. World');
    expect(shell.dictate).not.toHaveBeenCalled();
  });

  it('mounted mid-hold (the press opened this view), it starts at once and stops at the release', async () => {
    pushToTalk.held = true;
    mount();
    await waitFor(() => expect(FakeEngineSocket.all[0]?.readyState).toBe(1));
    shell.key('dictatePushToTalk', 'up');
    await waitFor(() => expect(shell.dictated).toEqual(['World']));
  });
});

describe('onPushToTalk', () => {
  it('gives one down per hold and one up per release, and nothing without a shell', () => {
    const events: string[] = [];
    const off = onPushToTalk(shell, { down: () => events.push('down'), up: () => events.push('up') });
    for (const p of ['up', 'down', 'down', 'up', 'up', 'down', 'up'] as const) shell.key('dictatePushToTalk', p);
    expect(events).toEqual(['down', 'up', 'down', 'up']);
    off();
    shell.key('dictatePushToTalk', 'down');
    expect(events).toHaveLength(4);
    expect(onPushToTalk(null, { down: () => events.push('x'), up: () => undefined })).toBeTypeOf('function');
  });
});
