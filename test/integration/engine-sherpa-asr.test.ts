// The sherpa streaming path end to end: createEngine → worker → batching scheduler → sherpa-onnx's real
// OnlineRecognizer, with the tone-alphabet fixtures (tones spell exact text) and real speech for the VAD.
// Every exact-text test runs on both streaming families: NeMo CTC (tone-alphabet) and the zipformer
// transducer (tone-transducer).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createEngine,
  EngineUnavailableError,
  SherpaAsrEngine,
  type AsrFinal,
  type AsrPartial,
  type AsrStream,
  type Engine,
} from '../../src-main/core/engine/index.js';
import { decodeWav, resample } from '../../src-main/core/audio/index.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import { TONE_MODELS } from '../helpers/fixtures.js';
import { toneAudio, silence } from '../../../shared/models/fixtures/tone-audio.mjs';

let engine: Engine;
before(async () => {
  engine = await createEngine({ asr: TONE_MODELS.map((model) => ({ model })), tts: [] });
  await engine.ready;
});
after(() => engine.close());

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

/** Write like a live source: 100 ms pieces, yielding between them so events interleave. */
async function feed(stream: AsrStream, samples: Float32Array, rate = 16000): Promise<void> {
  const step = rate / 10;
  for (let i = 0; i < samples.length; i += step) {
    stream.write(samples.subarray(i, i + step));
    await new Promise((r) => setImmediate(r));
  }
}

function collect(stream: AsrStream) {
  const partials: AsrPartial[] = [];
  const finals: AsrFinal[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  stream.on('partial', (p) => partials.push(p));
  stream.on('final', (f) => {
    finals.push(f);
    for (const w of waiters.filter((w) => finals.length >= w.n)) w.resolve();
  });
  const finalsReach = (n: number) =>
    finals.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }));
  return { partials, finals, finalsReach };
}

for (const model of TONE_MODELS) {
  describe(model, () => {
    test('tone phrase: exact text, partials grow as prefixes, endpoint after trailing silence, word timings', async () => {
      const asr = engine.asr({ model });
      assert.equal(asr.backend, 'sherpa');
      const stream = asr.createStream({ sampleRate: 16000, vad: false });
      const got = collect(stream);
      await feed(stream, toneAudio('hello world')); // 1.0 s tail of silence
      await got.finalsReach(1);
      const [final] = got.finals;
      assert.equal(final!.text, 'hello world');
      assert.equal(final!.reason, 'endpoint');
      assert.ok(got.partials.length >= 3, `partials: ${got.partials.map((p) => p.text).join(' | ')}`);
      for (let i = 1; i < got.partials.length; i++)
        assert.ok(got.partials[i]!.text.length > got.partials[i - 1]!.text.length, 'each partial changes (grows)');
      for (const p of got.partials) assert.ok(final!.text.startsWith(p.text), `partial "${p.text}" is a prefix of the final`);
      assert.deepEqual(
        final!.words.map((w) => w.word),
        ['hello', 'world'],
      );
      // Tones start 0.3 s in and take 0.2 s per character; timestamps are within a 40 ms frame of the onset.
      assert.ok(Math.abs(final!.words[0]!.startMs - 300) <= 60, `hello starts at ${final!.words[0]!.startMs}`);
      assert.ok(Math.abs(final!.words[1]!.startMs - 1500) <= 60, `world starts at ${final!.words[1]!.startMs}`);
      assert.ok(final!.endMs > final!.words[1]!.startMs && final!.endMs <= 2700, `endMs ${final!.endMs}`);
      assert.equal(await stream.close(), null, 'nothing left after the endpoint');
    });

    test('two phrases separated by silence give two finals, with stream time continuing', async () => {
      const stream = engine.asr({ model }).createStream({ sampleRate: 16000, vad: false });
      const got = collect(stream);
      await feed(stream, concat(toneAudio('first', { tail: 1.2 }), toneAudio('second one')));
      await got.finalsReach(2);
      assert.deepEqual(
        got.finals.map((f) => f.text),
        ['first', 'second one'],
      );
      // "first" takes 0.3 + 5 × 0.2 + 1.2 = 2.5 s; "second one" starts 0.3 s later.
      assert.ok(Math.abs(got.finals[1]!.startMs - 2800) <= 60, `second starts at ${got.finals[1]!.startMs}`);
      await stream.close();
    });

    test('flush with no trailing silence returns the whole phrase, then the stream continues', async () => {
      const stream = engine.asr({ model }).createStream({ sampleRate: 16000, endpointingMs: false, vad: false });
      const got = collect(stream);
      await feed(stream, toneAudio('abc xyz', { tail: 0 }));
      const final = await stream.flush();
      assert.equal(final?.text, 'abc xyz');
      assert.equal(final?.reason, 'flush');
      assert.equal(got.finals.length, 1, 'the flushed final is also emitted as an event');
      const before = stream.writtenMs;
      await feed(stream, toneAudio('more', { tail: 0 }));
      const next = await stream.close();
      assert.equal(next?.text, 'more');
      assert.ok(Math.abs(next!.startMs - (before + 300)) <= 60, `time keeps counting across flushes: ${next!.startMs} vs ${before + 300}`);
    });

    test('endpointing off: long silence gives no final until flush', async () => {
      const stream = engine.asr({ model }).createStream({ sampleRate: 16000, endpointingMs: false, vad: false });
      const got = collect(stream);
      await feed(stream, toneAudio('quiet', { tail: 3 }));
      await engine.asr({ model }).createStream({ sampleRate: 16000 }).close(); // a round trip through the worker
      assert.equal(got.finals.length, 0);
      assert.equal((await stream.flush())?.text, 'quiet');
      await stream.close();
    });

    test('8 concurrent streams are decoded in batches and each gets its own text', async () => {
      const asr = engine.asr({ model }) as SherpaAsrEngine;
      const phrases = ['alpha', 'bravo two', 'charlie', 'delta echo', 'fox', 'golf hotel', 'india', 'juliet kilo'];
      const streams = phrases.map(() => asr.createStream({ sampleRate: 16000, vad: false }));
      const gots = streams.map(collect);
      const audio = phrases.map((p) => toneAudio(p));
      const longest = Math.max(...audio.map((a) => a.length));
      for (let i = 0; i < longest; i += 1600) {
        streams.forEach((s, k) => i < audio[k]!.length && s.write(audio[k]!.subarray(i, i + 1600)));
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(gots.map((g) => g.finalsReach(1)));
      assert.deepEqual(
        gots.map((g) => g.finals[0]!.text),
        phrases,
      );
      const stats = await asr.stats();
      assert.ok(stats.largestBatch > 1, `decodeStreams batched several streams (largest batch ${stats.largestBatch})`);
      await Promise.all(streams.map((s) => s.close()));
      assert.equal(asr.activeStreams, 0);
    });

    test('48 kHz and 8 kHz-declared input are accepted; 48 kHz decodes exactly', async () => {
      const stream = engine.asr({ model }).createStream({ sampleRate: 48000, vad: false });
      const got = collect(stream);
      await feed(stream, toneAudio('resampled', { sampleRate: 48000 }), 48000);
      await got.finalsReach(1);
      assert.equal(got.finals[0]!.text, 'resampled');
      assert.ok(Math.abs(got.finals[0]!.startMs - 300) <= 60, 'times are in ms, not samples at 48 kHz');
      await stream.close();
      const narrow = engine.asr({ model }).createStream({ sampleRate: 8000 });
      narrow.write(new Float32Array(800));
      assert.equal(narrow.writtenMs, 100);
      await narrow.close();
    });
  });
}

test('bad config and bad input give clear errors; the engine keeps working', async () => {
  await assert.rejects(createEngine({ asr: [{ model: 'no-such-model' }] }), /unknown model "no-such-model"/);
  await assert.rejects(createEngine({ asr: [{ model: 'silero-vad' }] }), /is a vad model, not asr-streaming/);
  await assert.rejects(createEngine({ threads: 0 }), /threads must be an integer/);
  assert.throws(
    () => engine.asr({ model: 'zipformer-en-20m' }),
    (e: unknown) => e instanceof EngineUnavailableError && e.code === 'model_unavailable',
  );
  assert.throws(() => engine.asr(), /no ASR engine fits/, 'a fixture is never chosen automatically');
  const asr = engine.asr({ model: 'tone-alphabet' });
  assert.throws(() => asr.createStream({ sampleRate: 4000 }), /8000 to 48000/);
  assert.throws(() => asr.createStream({ sampleRate: 16000, endpointingMs: 5 }), /endpointingMs/);
  const s = asr.createStream({ sampleRate: 16000 });
  assert.throws(() => s.write(new Float32Array(16000 * 11)), /exceeds 10 s/);
  assert.throws(() => s.write([0.1] as unknown as Float32Array), /Float32Array/);
  await s.close();
  assert.throws(() => s.write(new Float32Array(10)), /closed/);
  assert.equal(await s.close(), null, 'close is idempotent');
});

test('Silero VAD on real speech: speechStart before speechEnd, around the utterance', async () => {
  const wav = decodeWav(readFileSync(join(LIBRISPEECH, '1272-135031-0001.wav')));
  const speech = resample(wav.channelData[0]!, wav.sampleRate, 16000);
  const stream = engine.asr({ model: 'tone-alphabet' }).createStream({ sampleRate: 16000, vad: true, endpointingMs: false });
  const events: [string, number][] = [];
  stream.on('speechStart', (ms) => events.push(['start', ms]));
  stream.on('speechEnd', (ms) => events.push(['end', ms]));
  await feed(stream, concat(silence(1.5), speech, silence(1.5)));
  await stream.close();
  assert.ok(events.length >= 2, JSON.stringify(events));
  assert.equal(events[0]![0], 'start');
  assert.equal(events[events.length - 1]![0], 'end');
  for (let i = 1; i < events.length; i++) assert.notEqual(events[i]![0], events[i - 1]![0], 'starts and ends alternate');
  const speechMs = (speech.length / 16000) * 1000;
  assert.ok(events[0]![1] >= 1000 && events[0]![1] <= 2500, `speech starts near 1.5 s: ${events[0]![1]}`);
  assert.ok(
    Math.abs(events[events.length - 1]![1] - (1500 + speechMs)) <= 1000,
    `speech ends near ${1500 + speechMs}: ${events[events.length - 1]![1]}`,
  );
});

test('audio written in one burst then closed still splits at the pause (flush catches up with endpointing)', async () => {
  const stream = engine.asr({ model: 'tone-alphabet' }).createStream({ sampleRate: 16000, vad: false });
  const got = collect(stream);
  const audio = concat(toneAudio('one', { tail: 1.5 }), toneAudio('two', { tail: 0 }));
  for (let i = 0; i < audio.length; i += 1600) stream.write(audio.subarray(i, i + 1600));
  const last = await stream.close();
  assert.deepEqual(
    got.finals.map((f) => [f.text, f.reason]),
    [
      ['one', 'endpoint'],
      ['two', 'flush'],
    ],
  );
  assert.equal(last?.text, 'two');
});
