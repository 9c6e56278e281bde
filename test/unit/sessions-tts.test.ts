// TtsSession against a fake synthesizer: ordering of requests, incremental sentences, flush/finish, cancel,
// per-request format/rate, and the errors for empty text, unknown voices and oversize text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TtsSession, type TtsAudioChunk } from '../../src-main/core/sessions/index.js';
import { SessionError } from '../../src-main/core/sessions/index.js';
import type { TtsServerMessage } from '../../proto/ws-messages.js';
import { TtsRequestError } from '../../src-main/core/engine/text/tts-request.js';
import type { Engine, SynthesisChunk, SynthesisRequest, TtsVoice } from '../../src-main/core/engine/types.js';

const VOICES: TtsVoice[] = [
  { id: 'v1', name: 'Alice', language: 'en', backend: 'espeak', sampleRate: 16000 },
  { id: 'v2', name: 'Bob', language: 'en', backend: 'espeak', sampleRate: 22050 },
];

/** Each piece of text becomes 2 chunks of 100 samples per word, after a short delay (synthesis takes time). */
function fakeEngine(log: string[] = []) {
  const synth = {
    backend: 'espeak' as const,
    voices: () => VOICES,
    async *synthesize(req: SynthesisRequest, signal?: AbortSignal): AsyncIterable<SynthesisChunk> {
      // The session cuts the text itself and hands the synthesizer one piece at a time, to speak as it is.
      assert.equal(req.pieces.length, 1);
      const text = req.pieces[0]!;
      log.push(text);
      const v = VOICES.find((x) => x.id === req.voice) ?? VOICES[0]!;
      const words = text.split(/\s+/).filter(Boolean).length;
      for (let i = 0; i < 2; i++) {
        await sleep(5);
        if (signal?.aborted) return;
        yield { samples: new Float32Array(100 * words).fill(0.25), sampleRate: v.sampleRate, sentence: 0 };
      }
    },
  };
  return {
    ready: Promise.resolve(),
    voices: () => VOICES,
    tts: () => synth,
  } as unknown as Engine;
}

function run(s: TtsSession) {
  const events: (TtsServerMessage | TtsAudioChunk)[] = [];
  s.on('message', (m) => events.push(m));
  s.on('audio', (a) => events.push(a));
  const until = (pred: (e: TtsServerMessage | TtsAudioChunk) => boolean, n = 1) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (events.filter(pred).length >= n) resolve();
        else setTimeout(check, 2);
      };
      check();
    });
  return { events, until };
}
const isType = (t: string) => (e: TtsServerMessage | TtsAudioChunk) => 'type' in e && e.type === t;

test('three one-shot requests are served in order, each with its own audio and synthesis_complete', async () => {
  const s = new TtsSession({ engine: fakeEngine() });
  const { events, until } = run(s);
  s.speak({ text: 'one two', request_id: 'a' });
  s.speak({ text: 'three', request_id: 'b' });
  s.speak({ text: 'four five six' });
  await until(isType('synthesis_complete'), 3);
  const seq = events.map((e) => ('type' in e ? `${e.type}:${e.request_id ?? ''}` : `audio:${e.requestId}`));
  assert.deepEqual(seq, [
    'synthesis_started:a',
    'audio:a',
    'audio:a',
    'synthesis_complete:a',
    'synthesis_started:b',
    'audio:b',
    'audio:b',
    'synthesis_complete:b',
    'synthesis_started:r1',
    'audio:r1',
    'audio:r1',
    'synthesis_complete:r1',
  ]);
  const done = events.filter(isType('synthesis_complete')) as { samples: number; sample_rate: number; duration_ms: number }[];
  assert.deepEqual(
    done.map((d) => d.samples),
    [400, 200, 600],
  );
  assert.equal(done[0]!.sample_rate, 16000);
  assert.equal(done[0]!.duration_ms, 25);
});

test('incremental text: a sentence is spoken as soon as it is complete; flush ends the request', async () => {
  const log: string[] = [];
  const s = new TtsSession({ engine: fakeEngine(log) });
  const { events, until } = run(s);
  s.append({ text: 'Hello there, how' });
  s.append({ text: ' are you? I am' });
  await until((e) => !('type' in e));
  assert.deepEqual(log, ['Hello there, how are you?']);
  assert.equal(events.filter(isType('synthesis_complete')).length, 0);
  s.append({ text: ' fine' });
  s.flush();
  await until(isType('synthesis_complete'));
  assert.deepEqual(log, ['Hello there, how are you?', 'I am fine']);
  const ids = new Set(events.filter((e) => !('type' in e)).map((e) => (e as TtsAudioChunk).requestId));
  assert.equal(ids.size, 1, 'one incremental request until flush');
  s.append({ text: 'Next one.' });
  s.finish();
  let finished = false;
  s.on('finished', () => (finished = true));
  await until(isType('synthesis_complete'), 2);
  await sleep(5);
  assert.ok(finished && s.isClosed);
  assert.throws(() => s.speak({ text: 'late' }), /closed/);
});

test('cancel stops at once, drops queued requests and buffered text, and answers cancelled', async () => {
  const s = new TtsSession({ engine: fakeEngine() });
  const { events, until } = run(s);
  s.speak({ text: 'a b c. d e f. g h i.', request_id: 'long' });
  s.speak({ text: 'queued', request_id: 'q' });
  await until((e) => !('type' in e));
  s.append({ text: 'buffered text without end' });
  s.cancel();
  const afterCancel = events.length;
  await sleep(60);
  assert.deepEqual(events[afterCancel - 1], { type: 'cancelled', request_id: 'long' });
  assert.equal(events.length, afterCancel, 'nothing is emitted after cancelled');
  assert.equal(s.pending, 0);
  s.speak({ text: 'after', request_id: 'z' });
  await until(isType('synthesis_complete'));
  assert.equal((events.at(-1) as { request_id: string }).request_id, 'z');
});

test('per-request format and sample rate: wav header first, f32 bytes, resampled output', async () => {
  const s = new TtsSession({ engine: fakeEngine() });
  const { events, until } = run(s);
  s.speak({ text: 'one', format: 'wav', request_id: 'w' });
  s.speak({ text: 'one', format: 'f32', request_id: 'f' });
  s.speak({ text: 'one', sample_rate: 8000, voice: 'Bob', request_id: 'r' });
  await until(isType('synthesis_complete'), 3);
  const audio = (id: string) => events.filter((e) => !('type' in e) && e.requestId === id) as TtsAudioChunk[];
  assert.equal(audio('w')[0]!.bytes.subarray(0, 4).toString('latin1'), 'RIFF');
  assert.equal(audio('w')[0]!.bytes.byteLength, 44 + 200);
  assert.equal(audio('f')[0]!.bytes.byteLength, 400);
  const r = events.find((e) => 'type' in e && e.type === 'synthesis_complete' && e.request_id === 'r') as {
    samples: number;
    sample_rate: number;
  };
  assert.equal(r.sample_rate, 8000);
  assert.ok(Math.abs(r.samples - Math.round((200 * 8000) / 22050)) <= 2, `resampled ${r.samples} samples`);
});

test('empty text, unknown voice, oversize text and bad options are specific errors', () => {
  const s = new TtsSession({ engine: fakeEngine(), maxTextChars: 10 });
  const code = (c: string, re: RegExp) => (e: unknown) => e instanceof SessionError && e.code === c && re.test(e.message);
  assert.throws(() => s.speak({ text: '   ' }), code('bad_config', /empty/));
  assert.throws(() => s.speak({ text: 'hi', voice: 'Nobody' }), code('bad_config', /unknown voice "Nobody"/));
  assert.throws(() => s.speak({ text: 'x'.repeat(11) }), code('too_large', /limit per request is 10/));
  assert.throws(() => s.speak({ text: 'hi', speed: 9 }), code('bad_config', /speed/));
  s.append({ text: '12345' });
  assert.throws(() => s.append({ text: '123456' }), code('too_large', /exceed 10/));
  s.close();
});

test('quick start: a long first sentence is handed over in two pieces so the first audio comes sooner; later sentences are whole', async () => {
  const log: string[] = [];
  const s = new TtsSession({ engine: fakeEngine(log) });
  const { until } = run(s);
  s.speak({ text: 'Earshot is an on-device speech application that reads aloud. The second sentence stays whole, however long it is.' });
  await until(isType('synthesis_complete'));
  assert.deepEqual(log, [
    'Earshot is an on-device speech',
    'application that reads aloud.',
    'The second sentence stays whole, however long it is.',
  ]);
  // Incremental: the request's first completed sentence is cut the same way, the next one is not.
  log.length = 0;
  s.append({ text: 'Thank you for waiting, your answer is ready now. Here is a second sentence that is long too. ' });
  s.flush();
  await until(isType('synthesis_complete'), 2);
  assert.deepEqual(log, ['Thank you for waiting,', 'your answer is ready now.', 'Here is a second sentence that is long too.']);
});

test('one connection cannot queue without bound: requests and held characters get rate_limited, and room frees as requests finish', async () => {
  const s = new TtsSession({ engine: fakeEngine(), maxQueuedRequests: 3, maxQueuedChars: 40 });
  const { events, until } = run(s);
  const limited = (re: RegExp) => (e: unknown) => e instanceof SessionError && e.code === 'rate_limited' && re.test(e.message);
  s.speak({ text: 'one two', request_id: 'a' });
  s.speak({ text: 'three', request_id: 'b' });
  s.speak({ text: 'four', request_id: 'c' });
  assert.equal(s.pending, 3);
  assert.throws(() => s.speak({ text: 'five', request_id: 'd' }), limited(/3 requests are already waiting.*limit 3/));
  assert.equal(s.pending, 3, 'a refused request is not queued');
  await until(isType('synthesis_complete'), 3);
  assert.equal(s.pending, 0);
  assert.equal(s.queuedChars, 0);
  // Characters: 30 held, 11 more would pass 40; appends count too, and the refused text is not buffered.
  s.speak({ text: 'x'.repeat(30), request_id: 'big' });
  assert.throws(() => s.speak({ text: 'y'.repeat(11) }), limited(/holds 30 characters.*11 more.*limit of 40/));
  assert.throws(() => s.append({ text: 'z'.repeat(11) }), limited(/limit of 40/));
  s.append({ text: 'tiny.' });
  assert.equal(s.queuedChars, 35);
  s.close();
  assert.ok(events.every((e) => !('type' in e) || e.type !== 'error'));
});

test("a synthesizer's coded error reaches the client with its code (a TtsRequestError's too_large is not internal)", async () => {
  const engine = fakeEngine();
  const synth = engine.tts();
  // eslint-disable-next-line require-yield -- a synthesizer that fails before its first chunk
  synth.synthesize = async function* () {
    throw new TtsRequestError('this piece is too long for the voice', 'too_large');
  };
  const s = new TtsSession({ engine });
  const { events, until } = run(s);
  s.speak({ text: 'one two', request_id: 'a' });
  await until(isType('error'));
  const err = events.find(isType('error')) as { code: string; message: string; request_id?: string };
  assert.deepEqual([err.code, err.request_id], ['too_large', 'a']);
  assert.match(err.message, /too long/);
  s.close();
});

test('handle() is the one dispatch: speak, config and an unknown type, by name', async () => {
  const log: string[] = [];
  const s = new TtsSession({ engine: fakeEngine(log) });
  const { until } = run(s);
  s.handle({ type: 'config', voice: 'Bob' });
  s.handle({ text: 'hello there', request_id: 'h' });
  await until(isType('synthesis_complete'));
  assert.deepEqual(log, ['hello there']);
  assert.throws(
    () => s.handle({ type: 'speak' }),
    (e: unknown) => e instanceof SessionError && e.code === 'bad_json',
  );
  assert.throws(
    () => s.handle({ type: 'shout', text: 'x' }),
    (e: unknown) => e instanceof SessionError && e.code === 'bad_json' && /shout/.test(e.message),
  );
  s.close();
});

test('the voice is looked up once per request: a named voice when the request is taken, not again when it is spoken', async () => {
  const engine = fakeEngine();
  let lookups = 0;
  const counting = {
    ...engine,
    voices: () => {
      lookups++;
      return engine.voices();
    },
  } as Engine;
  const s = new TtsSession({ engine: counting });
  const { events, until } = run(s);
  s.speak({ text: 'Hello there. How are you?', voice: 'Bob' });
  await until(isType('synthesis_complete'));
  assert.equal(lookups, 1);
  const started = events.find(isType('synthesis_started')) as { voice: string; sample_rate: number };
  assert.deepEqual([started.voice, started.sample_rate], ['v2', 22050]);
  // A voice set by `config` is looked up when configured; each request then reuses it.
  s.configure({ voice: 'Alice' });
  s.speak({ text: 'One.' });
  s.speak({ text: 'Two.' });
  await until(isType('synthesis_complete'), 3);
  assert.equal(lookups, 2);
  assert.deepEqual(
    events.filter(isType('synthesis_started')).map((e) => (e as { voice: string }).voice),
    ['v2', 'v1', 'v1'],
  );
});

test('speak with pieces already cut: each is handed over as given (not cut again, no quick start); bad pieces fail at once', async () => {
  const log: string[] = [];
  const s = new TtsSession({ engine: fakeEngine(log) });
  const { until } = run(s);
  const text = 'Earshot is an on-device speech application that reads aloud. Yes.';
  s.speak({ text }, [text]);
  await until(isType('synthesis_complete'));
  assert.deepEqual(log, [text]);
  assert.throws(
    () => s.speak({ text: 'x'.repeat(300) }, ['x'.repeat(300)]),
    (e: unknown) => e instanceof TtsRequestError && /piece 0 is 300 characters/.test(e.message),
  );
  s.close();
});
