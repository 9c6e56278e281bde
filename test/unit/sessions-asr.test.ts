// AsrSession against a scripted fake engine: config validation, audio decoding errors, interim de-duplication,
// final assembly (segments, words, latency, offsets), persistence and the end/abort life cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { AsrSession, SessionError } from '../../src-main/core/sessions/index.js';
import type { AsrServerMessage } from '../../proto/ws-messages.js';
import { encodeWav, float32ToF32le, float32ToS16le } from '../../src-main/core/audio/index.js';
import type { AsrEngine, AsrFinal, AsrStream, AsrStreamOptions, Engine } from '../../src-main/core/engine/types.js';
import { EngineUnavailableError } from '../../src-main/core/engine/types.js';

class FakeStream extends EventEmitter implements AsrStream {
  readonly id = 's';
  written: Float32Array[] = [];
  writtenMs = 0;
  /** Audio waiting to be decoded; the fake decodes instantly unless a test says otherwise. */
  pendingMs = 0;
  closed = false;
  /** The text the next flush/close reports. */
  pending: AsrFinal | null = null;
  constructor(readonly opts: AsrStreamOptions) {
    super();
  }
  write(samples: Float32Array): void {
    this.written.push(samples);
    this.writtenMs += (samples.length * 1000) / this.opts.sampleRate;
  }
  async flush(): Promise<AsrFinal | null> {
    const f = this.pending;
    this.pending = null;
    if (f) this.emit('final', f); // like a real backend: the event fires and flush resolves with the same final
    return f;
  }
  async close(): Promise<AsrFinal | null> {
    if (this.closed) return null;
    this.closed = true;
    return this.flush();
  }
  async drained(_maxPendingMs = 0): Promise<void> {}
}

function fakeEngine(opts: { storeless?: boolean } = {}) {
  const streams: FakeStream[] = [];
  const asr: AsrEngine = {
    backend: 'sherpa',
    modelId: 'fake-model',
    language: 'en',
    sampleRate: 16000,
    activeStreams: 0,
    capacity: () => ({
      liveStreams: 4,
      liveActive: streams.filter((s) => !s.closed && !s.opts.batch).length,
      rtf: 0.1,
      workers: 1,
      lagMs: 0,
    }),
    createStream(o) {
      const s = new FakeStream(o);
      streams.push(s);
      return s;
    },
  };
  const engine = {
    ready: Promise.resolve(),
    readiness: () => ({ ready: true, detail: '' }),
    asr: (sel?: { model?: string }) => {
      if (sel?.model && sel.model !== 'fake-model') throw new EngineUnavailableError(`no model ${sel.model}`);
      return asr;
    },
    tts: () => {
      throw new Error('no tts');
    },
    backends: () => [],
    models: () => [],
    voices: () => [],
    punctuation: () => null,
    close: async () => {},
  } as unknown as Engine;
  void opts;
  return { engine, streams };
}

function fakeStore() {
  const segments: { id: string; text: string; startMs: number; track: string }[] = [];
  const ended: [string, string | undefined][] = [];
  return {
    segments,
    ended,
    createSession: () => 'stored-1',
    appendSegment: (id: string, seg: { text: string; startMs: number; track: string }) => {
      segments.push({ id, text: seg.text, startMs: seg.startMs, track: seg.track });
      return segments.length;
    },
    endSession: (id: string, status?: string) => void ended.push([id, status]),
    resumeSession: () => {},
    getSession: (id: string) => (id === 'old' ? ({ segmentCount: 5, durationMs: 42_000 } as never) : null),
  };
}

function collect(s: AsrSession): AsrServerMessage[] {
  const out: AsrServerMessage[] = [];
  s.on('message', (m) => out.push(m));
  return out;
}

const final = (text: string, startMs: number, endMs: number): AsrFinal => ({
  text,
  startMs,
  endMs,
  confidence: 0.9,
  words: text.split(' ').map((w, i) => ({ word: w, startMs: startMs + i * 100, endMs: startMs + i * 100 + 90 })),
  reason: 'flush',
});

test('ready first, then interims only when changed, then a numbered final with words and latency', async () => {
  const { engine, streams } = fakeEngine();
  let clock = 1000;
  const s = new AsrSession({ engine, config: { sample_rate: '16000', interim_results: 'true' }, now: () => clock });
  const msgs = collect(s);
  s.start();
  // `language`: none was asked for, so the recognizer's own.
  assert.deepEqual(msgs[0], {
    type: 'ready',
    session_id: s.id,
    model: 'fake-model',
    sample_rate: 16000,
    stored: false,
    time_offset_ms: 0,
    language: 'en',
  });
  s.writeAudio(float32ToS16le(new Float32Array(1600)));
  const st = streams[0]!;
  assert.equal(st.opts.endpointingMs, 600);
  st.emit('partial', { text: 'hel', startMs: 0, endMs: 100 });
  st.emit('partial', { text: 'hel', startMs: 0, endMs: 100 });
  st.emit('partial', { text: 'hello', startMs: 0, endMs: 200 });
  st.pending = final('hello world', 0, 300);
  clock = 1010;
  const p = s.flush();
  clock = 1050;
  const f = await p;
  assert.equal(f?.text, 'hello world');
  const interims = msgs.filter((m) => m.type === 'transcript' && !m.is_final);
  assert.deepEqual(
    interims.map((m) => (m as { text: string }).text),
    ['hel', 'hello'],
  );
  const finals = msgs.filter((m) => m.type === 'transcript' && m.is_final);
  assert.equal(finals.length, 1, 'the event and the flush result are one final, sent once');
  assert.deepEqual(finals[0], {
    type: 'transcript',
    is_final: true,
    segment: 0,
    text: 'hello world',
    start_ms: 0,
    end_ms: 300,
    confidence: 0.9,
    words: [
      { word: 'hello', start_ms: 0, end_ms: 90 },
      { word: 'world', start_ms: 100, end_ms: 190 },
    ],
    latency_ms: 40,
    language: 'en',
  });
  st.pending = final('again', 400, 500);
  await s.flush();
  assert.equal((msgs.at(-1) as { segment: number }).segment, 1);
  const done = await s.end();
  assert.deepEqual(done, { type: 'session_complete', session_id: s.id, duration_ms: 100, segments: 2 });
  assert.equal(msgs.at(-1)?.type, 'session_complete');
  assert.ok(s.isClosed);
});

test('bad config is a bad_config SessionError; unknown model is model_unavailable', () => {
  const { engine } = fakeEngine();
  assert.throws(
    () => new AsrSession({ engine, config: { sample_rate: 4000 } }).start(),
    (e: unknown) => e instanceof SessionError && e.code === 'bad_config' && /sample_rate/.test(e.message),
  );
  assert.throws(
    () => new AsrSession({ engine, config: { encoding: 'aac' } }).start(),
    (e: unknown) => e instanceof SessionError && e.code === 'bad_config',
  );
  assert.throws(
    () => new AsrSession({ engine, config: { model: 'nope' } }).start(),
    (e: unknown) => e instanceof SessionError && e.code === 'model_unavailable',
  );
});

test('session=new without a store: ready (not stored), then one store_disabled warning; captions go on unsaved', async () => {
  const { engine, streams } = fakeEngine();
  const s = new AsrSession({ engine, config: { session: 'new' } });
  const msgs = collect(s);
  const ready = s.start();
  assert.equal(ready.stored, false);
  assert.equal(ready.session_id, s.id);
  assert.equal(msgs[0]!.type, 'ready');
  assert.equal(msgs[1]!.type, 'warning');
  assert.equal((msgs[1] as { code: string }).code, 'store_disabled');
  assert.match((msgs[1] as { message: string }).message, /without a transcript store \(--no-store\): captions are not saved/);
  s.writeAudio(new Uint8Array(320));
  streams[0]!.emit('final', final('still captioned', 0, 10));
  assert.equal((msgs.at(-1) as { text: string }).text, 'still captioned');
  assert.equal(s.storedSessionId, null);
  // The UI reconnects with the id it was given: the same fallback, not an error.
  const again = new AsrSession({ engine, config: { session: s.id } });
  const msgs2 = collect(again);
  again.start();
  assert.deepEqual(
    msgs2.map((m) => m.type),
    ['ready', 'warning'],
  );
  assert.equal(msgs.filter((m) => m.type === 'error').length + msgs2.filter((m) => m.type === 'error').length, 0);
  await s.end();
});

test('odd byte counts and NaN floats are bad_audio and the stream goes on', () => {
  const { engine, streams } = fakeEngine();
  const s = new AsrSession({ engine });
  s.start();
  assert.throws(
    () => s.writeAudio(new Uint8Array(3)),
    (e: unknown) => e instanceof SessionError && e.code === 'bad_audio' && /even number/.test(e.message),
  );
  s.writeAudio(new Uint8Array(4));
  assert.equal(streams[0]!.written.length, 1);
  s.configure({ interim_results: false });
  const f = new AsrSession({ engine, config: { encoding: 'pcm_f32le' } });
  f.start();
  assert.throws(
    () => f.writeAudio(float32ToF32le(Float32Array.of(0, NaN))),
    (e: unknown) => e instanceof SessionError && e.code === 'bad_audio' && /NaN/.test(e.message),
  );
  f.writeAudio(float32ToF32le(Float32Array.of(0.5, 0.25)));
  assert.deepEqual([...streams[1]!.written[0]!], [0.5, 0.25]);
  assert.throws(() => s.configure({ sample_rate: 8000 }), /cannot change after audio/);
});

test('WAV input: header parsed and skipped (split anywhere), its rate used, partial frames carried', () => {
  const { engine, streams } = fakeEngine();
  const s = new AsrSession({ engine, config: { encoding: 'wav' } });
  s.start();
  const samples = Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 10) / 2);
  const wav = new Uint8Array(encodeWav(samples, 8000));
  s.writeAudio(wav.subarray(0, 20)); // not even a whole header yet
  assert.equal(streams.length, 0);
  s.writeAudio(wav.subarray(20, 101)); // header + an odd number of data bytes
  s.writeAudio(wav.subarray(101));
  assert.equal(streams[0]!.opts.sampleRate, 8000);
  const got = streams[0]!.written.flatMap((a) => [...a]);
  assert.equal(got.length, 800);
  assert.ok(Math.abs(got[123]! - samples[123]!) < 1e-4);
  const bad = new AsrSession({ engine, config: { encoding: 'wav' } });
  bad.start();
  assert.throws(
    () => bad.writeAudio(new TextEncoder().encode('ID3 this is an mp3 file, not a wav')),
    (e: unknown) => e instanceof SessionError && e.code === 'bad_audio' && /RIFF/.test(e.message),
  );
});

test('finals are stored before they are sent; end marks the stored session complete', async () => {
  const { engine, streams } = fakeEngine();
  const store = fakeStore();
  const s = new AsrSession({ engine, store, config: { session: 'new', source: 'mic' } });
  const msgs = collect(s);
  let storedWhenSent = -1;
  s.on('message', (m) => {
    if (m.type === 'transcript' && m.is_final) storedWhenSent = store.segments.length;
  });
  assert.equal(s.start().session_id, 'stored-1');
  s.writeAudio(new Uint8Array(320));
  streams[0]!.emit('final', final('one', 0, 10));
  assert.equal(storedWhenSent, 1);
  assert.deepEqual(store.segments[0], { id: 'stored-1', text: 'one', startMs: 0, track: 'mic' });
  await s.end();
  assert.deepEqual(store.ended, [['stored-1', 'complete']]);
  assert.equal((msgs.at(-1) as { segments: number }).segments, 1);
});

test('continuing a stored session numbers segments after the existing ones; unknown ids are refused', () => {
  const { engine, streams } = fakeEngine();
  const store = fakeStore();
  const s = new AsrSession({ engine, store, config: { session: 'old' } });
  const msgs = collect(s);
  s.start();
  s.writeAudio(new Uint8Array(320));
  streams[0]!.emit('final', final('six', 0, 10));
  assert.equal((msgs.at(-1) as { segment: number }).segment, 5);
  assert.equal(store.segments.at(-1)!.startMs, 42_000, "stored after the session's last segment (end 42 s)");
  assert.throws(() => new AsrSession({ engine, store, config: { session: 'missing' } }).start(), /does not exist/);
});

test('abort finalizes the utterance in progress, stores it and marks the session interrupted', async () => {
  const { engine, streams } = fakeEngine();
  const store = fakeStore();
  const s = new AsrSession({ engine, store, config: { session: 'new' } });
  s.start();
  s.writeAudio(new Uint8Array(320));
  streams[0]!.pending = final('last words', 0, 10);
  let closed = false;
  s.on('closed', () => (closed = true));
  await s.abort();
  assert.deepEqual(
    store.segments.map((x) => x.text),
    ['last words'],
  );
  assert.deepEqual(store.ended, [['stored-1', 'interrupted']]);
  assert.ok(closed && streams[0]!.closed);
});

test('a live endpointing change starts a new engine stream whose times are offset', async () => {
  const { engine, streams } = fakeEngine();
  const s = new AsrSession({ engine });
  const msgs = collect(s);
  s.start();
  s.writeAudio(new Uint8Array(32000)); // 1 s
  s.configure({ endpointing: false });
  s.writeAudio(new Uint8Array(3200));
  assert.equal(streams.length, 2);
  assert.equal(streams[1]!.opts.endpointingMs, false);
  streams[1]!.emit('final', final('later', 50, 80));
  const f = msgs.filter((m) => m.type === 'transcript' && m.is_final).at(-1) as { start_ms: number; end_ms: number };
  assert.deepEqual([f.start_ms, f.end_ms], [1050, 1080]);
  await s.end();
});

test('audio far ahead of real time is rate_limited and dropped', () => {
  const { engine, streams } = fakeEngine();
  const clock = 0;
  const s = new AsrSession({ engine, audioAheadBudgetMs: 500, now: () => clock });
  s.start();
  s.writeAudio(new Uint8Array(16000 * 2 * 0.4));
  assert.throws(
    () => s.writeAudio(new Uint8Array(16000 * 2 * 0.2)),
    (e: unknown) => e instanceof SessionError && e.code === 'rate_limited',
  );
  assert.equal(streams[0]!.written.length, 1);
});

test('a resumed session keeps one timeline: ready says where the clock starts; interims, finals, words, VAD events and stored times follow it', async () => {
  const { engine, streams } = fakeEngine();
  const store = fakeStore();
  const s = new AsrSession({ engine, store, config: { session: 'old' } });
  const msgs = collect(s);
  const ready = s.start();
  assert.equal(ready.time_offset_ms, 42_000);
  assert.equal(ready.stored, true);
  s.writeAudio(new Uint8Array(3200)); // 100 ms
  const st = streams[0]!;
  st.emit('speechStart', 20);
  st.emit('partial', { text: 'sev', startMs: 20, endMs: 80 });
  st.emit('final', final('seven eight', 20, 300));
  const interim = msgs.find((m) => m.type === 'transcript' && !m.is_final) as { start_ms: number };
  const fin = msgs.find((m) => m.type === 'transcript' && m.is_final) as {
    start_ms: number;
    end_ms: number;
    words: { start_ms: number }[];
  };
  assert.equal((msgs.find((m) => m.type === 'speech_started') as { at_ms: number }).at_ms, 42_020);
  assert.equal(interim.start_ms, 42_020);
  assert.deepEqual([fin.start_ms, fin.end_ms], [42_020, 42_300]);
  assert.deepEqual(
    fin.words.map((w) => w.start_ms),
    [42_020, 42_120],
  );
  assert.equal(store.segments.at(-1)!.startMs, 42_020);
  // A live endpointing change starts a fresh engine stream later in the same timeline.
  s.configure({ endpointing: 300 });
  s.writeAudio(new Uint8Array(3200));
  streams[1]!.emit('final', final('nine', 10, 50));
  const last = msgs.filter((m) => m.type === 'transcript' && m.is_final).at(-1) as { start_ms: number };
  assert.equal(last.start_ms, 42_000 + 100 + 10);
  await s.end();
});

test('cancel stops at once: the stored session is interrupted, finals already stored stay, nothing after it is emitted or stored', async () => {
  const { engine, streams } = fakeEngine();
  const store = fakeStore();
  const s = new AsrSession({ engine, store, config: { session: 'new' } });
  const sent: AsrServerMessage[] = [];
  s.on('message', (m) => sent.push(m));
  s.start();
  s.writeAudio(new Uint8Array(320));
  streams[0]!.pending = final('first', 0, 10);
  await s.flush();
  s.writeAudio(new Uint8Array(320));
  // An end is in progress (waiting for the engine) when the cancel comes: its final must not be stored or sent.
  streams[0]!.pending = final('too late', 20, 30);
  const ending = s.end();
  s.cancel();
  await ending;
  assert.ok(s.isClosed);
  assert.deepEqual(
    store.segments.map((x) => x.text),
    ['first'],
  );
  assert.deepEqual(store.ended, [['stored-1', 'interrupted']]);
  assert.deepEqual(
    sent.filter((m) => m.type === 'transcript' || m.type === 'session_complete').map((m) => ('text' in m ? m.text : m.type)),
    ['first'],
  );
  s.cancel(); // idempotent
  assert.deepEqual(store.ended, [['stored-1', 'interrupted']]);
});

test('audio the engine has not decoded yet is bounded: past maxQueuedAudioMs a chunk is rate_limited and dropped', () => {
  const { engine, streams } = fakeEngine();
  const s = new AsrSession({ engine, maxQueuedAudioMs: 1000 });
  s.start();
  s.writeAudio(new Uint8Array(16000 * 2 * 0.5));
  streams[0]!.pendingMs = 900; // the worker is behind on this stream
  assert.throws(
    () => s.writeAudio(new Uint8Array(16000 * 2 * 0.2)),
    (e: unknown) =>
      e instanceof SessionError && e.code === 'rate_limited' && /900 ms .*waiting to be decoded \(limit 1000 ms\)/.test(e.message),
  );
  assert.equal(streams[0]!.written.length, 1, 'the refused chunk never reached the engine');
  streams[0]!.pendingMs = 0;
  s.writeAudio(new Uint8Array(16000 * 2 * 0.2));
  assert.equal(streams[0]!.written.length, 2);
});

test('admission: a session over capacity is refused at start; a closed session frees its slot; batch sessions use batch slots', async () => {
  const { Admission, OverloadedError } = await import('../../src-main/core/sessions/index.js');
  const { engine, streams } = fakeEngine(); // measured capacity 4
  const admission = new Admission({ maxLiveStreams: 64, maxBatchJobs: 1 });
  const live = Array.from({ length: 4 }, () => new AsrSession({ engine, admission }));
  for (const s of live) s.start();
  assert.throws(
    () => new AsrSession({ engine, admission }).start(),
    (e: unknown) => e instanceof OverloadedError && /of 4 live streams.*keeps 4 real-time/.test(e.message),
  );
  live[0]!.writeAudio(new Uint8Array(3200));
  await live[0]!.end();
  await new Promise((r) => setImmediate(r));
  new AsrSession({ engine, admission }).start();
  const batch = new AsrSession({ engine, admission, batch: true });
  batch.start();
  assert.throws(() => new AsrSession({ engine, admission, batch: true }).start(), OverloadedError);
  batch.writeAudio(new Uint8Array(3200));
  assert.equal(streams.at(-1)!.opts.batch, true, 'the engine stream is created as batch work');
});
