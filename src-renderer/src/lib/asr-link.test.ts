// AsrLink against a scripted fake WebSocket: what it sends, how it rebuilds after the server goes away.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsrLink } from './asr-link.js';
import { CaptionLog } from './captions.js';

class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  binaryType = 'blob';
  sent: (string | Int16Array)[] = [];
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  /** The i-th socket the link opened; fails the test when it opened fewer. */
  static nth(i: number): FakeSocket {
    const ws = FakeSocket.all[i];
    if (!ws) throw new Error(`the link opened ${FakeSocket.all.length} sockets, not ${i + 1}`);
    return ws;
  }
  send(d: string | Int16Array) {
    this.sent.push(d);
  }
  close() {
    this.readyState = FakeSocket.CLOSED;
  }
  // test side
  serverSays(msg: object) {
    this.readyState = FakeSocket.OPEN;
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  serverDies(code = 1006) {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code, reason: '' });
  }
  audioSent(): Int16Array[] {
    return this.sent.filter((s): s is Int16Array => typeof s !== 'string');
  }
}

const frame = (v: number) => new Int16Array(1600).fill(v); // 100 ms at 16 kHz
const cfg = { apiBase: 'http://127.0.0.1:8088', token: 'secret-token', shell: null, view: 'main' as const };

describe('AsrLink', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('asks for two-pass captions only when the setting says on or off', () => {
    for (const [twoPass, expected] of [
      [undefined, null],
      [true, 'true'],
      [false, 'false'],
    ] as const) {
      const link = new AsrLink({ cfg, captions: new CaptionLog(), twoPass, WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
      link.start();
      expect(new URL(FakeSocket.all.at(-1)!.url).searchParams.get('two_pass')).toBe(expected);
      link.stop();
    }
  });

  it('opens a stored mic stream with the token and sends audio once ready (nothing captured before is lost)', () => {
    const captions = new CaptionLog();
    const link = new AsrLink({ cfg, captions, WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    link.start();
    const ws = FakeSocket.nth(0);
    const u = new URL(ws.url);
    expect(u.pathname).toBe('/v1/audio/stream');
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      sample_rate: '16000',
      session: 'new',
      source: 'mic',
      token: 'secret-token',
    });
    link.sendAudio(frame(1)); // before ready: buffered
    ws.serverSays({ type: 'ready', session_id: 'S1', model: 'pocketsphinx-en-us', sample_rate: 16000 });
    link.sendAudio(frame(2));
    expect(ws.audioSent().map((f) => f[0])).toEqual([1, 2]);
    expect(link.state).toBe('live');
    expect(link.session).toBe('S1');
  });

  it('measures how long ago a stream time was captured: the audio sent after it (the wait felt after speech ends)', () => {
    const captions = new CaptionLog();
    const link = new AsrLink({ cfg, captions, WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    link.start();
    expect(link.msSinceCaptured(0)).toBeNull();
    const ws = FakeSocket.nth(0);
    ws.serverSays({ type: 'ready', session_id: 'S1', model: 'm', sample_rate: 16000 });
    for (let i = 0; i < 10; i++) link.sendAudio(frame(i)); // 1 s of audio
    // A final ending at 700 ms (its audio is dropped from the replay buffer): 300 ms of audio came after it.
    ws.serverSays({ type: 'transcript', is_final: true, segment: 0, text: 'hi', start_ms: 100, end_ms: 700, confidence: 1, latency_ms: 9 });
    const ms = link.msSinceCaptured(700)!;
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(ms).toBeLessThan(300 + 1000); // plus only the moment since the newest frame was handed over
    expect(link.msSinceCaptured(0)!).toBeGreaterThanOrEqual(1000);
  });

  it('after the server dies: reconnects to the same session and re-sends only the audio after the last final', () => {
    const captions = new CaptionLog();
    const link = new AsrLink({ cfg, captions, WebSocketImpl: FakeSocket as unknown as typeof WebSocket, backoffMs: [100] });
    link.start();
    const ws1 = FakeSocket.nth(0);
    ws1.serverSays({ type: 'ready', session_id: 'S1', model: 'm', sample_rate: 16000 });
    for (let i = 0; i < 10; i++) link.sendAudio(frame(i)); // 0..1000 ms
    ws1.serverSays({
      type: 'transcript',
      is_final: true,
      segment: 0,
      text: 'hello there',
      start_ms: 0,
      end_ms: 600,
      confidence: 1,
      latency_ms: 5,
    });
    ws1.serverSays({ type: 'transcript', is_final: false, segment: 1, text: 'gen', start_ms: 700, end_ms: 950 });
    ws1.serverDies();
    expect(link.state).toBe('reconnecting');
    link.sendAudio(frame(10)); // captured while away
    vi.advanceTimersByTime(100);
    const ws2 = FakeSocket.nth(1);
    expect(new URL(ws2.url).searchParams.get('session')).toBe('S1');
    ws2.serverSays({ type: 'ready', session_id: 'S1', model: 'm', sample_rate: 16000 });
    // frames 0-5 ended by 600 ms were covered by the final; 6..10 are re-sent in order.
    expect(ws2.audioSent().map((f) => f[0])).toEqual([6, 7, 8, 9, 10]);
    ws2.serverSays({
      type: 'transcript',
      is_final: true,
      segment: 0,
      text: 'general kenobi',
      start_ms: 100,
      end_ms: 350,
      confidence: 1,
      latency_ms: 5,
    });
    expect(captions.text()).toBe('hello there general kenobi');
    expect(captions.lines().some((l) => l.stale)).toBe(false);
  });

  it('a resumed session continues its clock: the replay is matched against the time_offset_ms the server gives', () => {
    const captions = new CaptionLog();
    const link = new AsrLink({ cfg, captions, WebSocketImpl: FakeSocket as unknown as typeof WebSocket, backoffMs: [100] });
    link.start();
    FakeSocket.nth(0).serverSays({ type: 'ready', session_id: 'S1', model: 'm', sample_rate: 16000, stored: true, time_offset_ms: 0 });
    for (let i = 0; i < 10; i++) link.sendAudio(frame(i));
    FakeSocket.nth(0).serverSays({
      type: 'transcript',
      is_final: true,
      segment: 0,
      text: 'hello there',
      start_ms: 0,
      end_ms: 600,
      confidence: 1,
      latency_ms: 5,
    });
    FakeSocket.nth(0).serverDies();
    vi.advanceTimersByTime(100);
    // The server resumes S1 after its last stored segment (600 ms): frames 6..9 are 600..1000 ms on its clock.
    FakeSocket.nth(1).serverSays({ type: 'ready', session_id: 'S1', model: 'm', sample_rate: 16000, stored: true, time_offset_ms: 600 });
    expect(
      FakeSocket.nth(1)
        .audioSent()
        .map((f) => f[0]),
    ).toEqual([6, 7, 8, 9]);
    FakeSocket.nth(1).serverSays({
      type: 'transcript',
      is_final: true,
      segment: 1,
      text: 'general',
      start_ms: 610,
      end_ms: 850,
      confidence: 1,
      latency_ms: 5,
    });
    FakeSocket.nth(1).serverDies();
    vi.advanceTimersByTime(100);
    FakeSocket.nth(2).serverSays({ type: 'ready', session_id: 'S1', model: 'm', sample_rate: 16000, stored: true, time_offset_ms: 850 });
    // Only what the final at 850 ms did not cover (frames 8 and 9: 800..1000 ms) is sent again.
    expect(
      FakeSocket.nth(2)
        .audioSent()
        .map((f) => f[0]),
    ).toEqual([8, 9]);
  });

  it('a server without a store: the warning is passed on, and a reconnect asks for a new (unsaved) stream, not the old id', () => {
    const warnings: string[] = [];
    const link = new AsrLink({
      cfg,
      captions: new CaptionLog(),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      backoffMs: [100],
      events: { warning: (code, m) => warnings.push(`${code}: ${m}`) },
    });
    link.start();
    FakeSocket.nth(0).serverSays({
      type: 'ready',
      session_id: 'stream-1',
      model: 'm',
      sample_rate: 16000,
      stored: false,
      time_offset_ms: 0,
    });
    FakeSocket.nth(0).serverSays({ type: 'warning', code: 'store_disabled', message: 'captions are not saved' });
    expect(warnings).toEqual(['store_disabled: captions are not saved']);
    expect(link.session).toBe(null);
    FakeSocket.nth(0).serverDies();
    vi.advanceTimersByTime(100);
    expect(new URL(FakeSocket.nth(1).url).searchParams.get('session')).toBe('new');
  });

  it('a refused token stops with a clear message instead of retrying', () => {
    const problems: [string, boolean][] = [];
    const link = new AsrLink({
      cfg,
      captions: new CaptionLog(),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      events: { problem: (m, f) => problems.push([m, f]) },
    });
    link.start();
    FakeSocket.nth(0).serverDies(4401);
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(link.state).toBe('failed');
    expect(problems[0]?.[0]).toMatch(/token/);
    expect(problems[0]?.[1]).toBe(true);
  });

  it('a missing engine is reported as such', () => {
    const problems: string[] = [];
    const link = new AsrLink({
      cfg,
      captions: new CaptionLog(),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      events: { problem: (m) => problems.push(m) },
    });
    link.start();
    FakeSocket.nth(0).serverSays({ type: 'error', code: 'model_unavailable', message: 'no ASR backend for xx' });
    expect(link.state).toBe('failed');
    expect(problems[0]).toMatch(/No speech engine is available: no ASR backend for xx/);
  });

  it('stop() ends the stream and waits for session_complete', async () => {
    const done: string[] = [];
    const link = new AsrLink({
      cfg,
      captions: new CaptionLog(),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      events: { sessionComplete: (id) => done.push(id) },
    });
    link.start();
    const ws = FakeSocket.nth(0);
    ws.serverSays({ type: 'ready', session_id: 'S9', model: 'm', sample_rate: 16000 });
    const stopping = link.stop();
    expect(ws.sent.at(-1)).toBe(JSON.stringify({ type: 'end' }));
    ws.serverSays({ type: 'session_complete', session_id: 'S9', duration_ms: 100, segments: 0 });
    await stopping;
    expect(done).toEqual(['S9']);
    expect(link.state).toBe('stopped');
  });

  it('falls back to a new session when the one it rejoins no longer exists', () => {
    const link = new AsrLink({
      cfg,
      captions: new CaptionLog(),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      backoffMs: [10],
    });
    link.start();
    FakeSocket.nth(0).serverSays({ type: 'ready', session_id: 'OLD', model: 'm', sample_rate: 16000 });
    FakeSocket.nth(0).serverDies();
    vi.advanceTimersByTime(10);
    expect(new URL(FakeSocket.nth(1).url).searchParams.get('session')).toBe('OLD');
    FakeSocket.nth(1).serverSays({ type: 'error', code: 'bad_config', message: 'session "OLD" does not exist' });
    FakeSocket.nth(1).serverDies(1008);
    vi.advanceTimersByTime(10);
    expect(new URL(FakeSocket.nth(2).url).searchParams.get('session')).toBe('new');
    expect(link.state).toBe('reconnecting');
  });

  it('bounds the replay buffer while the server is away', () => {
    const link = new AsrLink({
      cfg,
      captions: new CaptionLog(),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      maxReplayMs: 500,
      backoffMs: [50],
    });
    link.start();
    for (let i = 0; i < 20; i++) link.sendAudio(frame(i));
    FakeSocket.nth(0).serverSays({ type: 'ready', session_id: 'S', model: 'm', sample_rate: 16000 });
    expect(
      FakeSocket.nth(0)
        .audioSent()
        .map((f) => f[0]),
    ).toEqual([15, 16, 17, 18, 19]);
  });

  it('an outage longer than the hold: the audio that could not be kept is reported, not lost silently', () => {
    const problems: [string, boolean][] = [];
    const link = new AsrLink({
      cfg,
      captions: new CaptionLog(),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      maxReplayMs: 1000,
      backoffMs: [50],
      events: { problem: (m, f) => problems.push([m, f]) },
    });
    link.start();
    FakeSocket.nth(0).serverSays({ type: 'ready', session_id: 'S', model: 'm', sample_rate: 16000, stored: true, time_offset_ms: 0 });
    FakeSocket.nth(0).serverDies();
    problems.length = 0;
    for (let i = 0; i < 30; i++) link.sendAudio(frame(i)); // 3 s while away; 1 s can be held
    vi.advanceTimersByTime(50);
    FakeSocket.nth(1).serverSays({ type: 'ready', session_id: 'S', model: 'm', sample_rate: 16000, stored: true, time_offset_ms: 0 });
    expect(
      FakeSocket.nth(1)
        .audioSent()
        .map((f) => f[0]),
    ).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(problems).toEqual([
      ['The engine was away longer than the 1 s of audio kept for it: the first 2 s said meanwhile were not captioned.', false],
    ]);
    // Said once: the next reconnect without a loss says nothing.
    FakeSocket.nth(1).serverDies();
    vi.advanceTimersByTime(50);
    problems.length = 0;
    FakeSocket.nth(2).serverSays({ type: 'ready', session_id: 'S', model: 'm', sample_rate: 16000, stored: true, time_offset_ms: 0 });
    expect(problems).toEqual([]);
  });
});
