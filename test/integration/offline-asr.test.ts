// The offline (VAD-segmented) recognizer path with the tone-offline fixture, beyond the contract every tone
// test already checks on it (engine-sherpa-asr, ws-asr-tone, grpc-asr run on tone-offline too): a long
// utterance with no pause is split at the maximum segment length without losing or splitting a word, and what
// interims cost per second of audio (audio handed to the recognizer, counted by the worker — not wall-clock)
// does not grow with the utterance's length.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createEngine,
  type AsrFinal,
  type AsrPartial,
  type AsrStream,
  type Engine,
  type SherpaAsrEngine,
} from '../../src-main/core/engine/index.js';
import '../helpers/fixtures.js';
import { rng } from '../helpers/random.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

const MAX_SEGMENT_MS = 20_000;
let engine: Engine;
before(async () => {
  engine = await createEngine({ asr: [{ model: 'tone-offline' }], tts: [], maxSegmentMs: MAX_SEGMENT_MS });
  await engine.ready;
});
after(() => engine.close());

/** Words of 2-7 letters, each character one 0.2 s tone: `seconds` of continuous tones, no pause longer than 0.08 s. */
function phraseOf(seconds: number, seed: number): string {
  const rand = rng(seed);
  const words: string[] = [];
  let chars = 0;
  while (chars < seconds * 5) {
    const n = 2 + Math.floor(rand() * 6);
    const w = Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
    words.push(w);
    chars += n + 1;
  }
  return words.join(' ');
}

async function transcribe(stream: AsrStream, samples: Float32Array) {
  const partials: AsrPartial[] = [];
  const finals: AsrFinal[] = [];
  stream.on('partial', (p) => partials.push(p));
  stream.on('final', (f) => finals.push(f));
  // As fast as the engine takes it, paced like a file upload (at most 8 s waiting to be decoded).
  for (let i = 0; i < samples.length; i += 1600) {
    stream.write(samples.subarray(i, i + 1600));
    await stream.drained(8000);
    await new Promise((r) => setImmediate(r));
  }
  const last = await stream.flush();
  await stream.close();
  return { partials, finals, last };
}

/** Audio the recognizer decoded per second of audio written, for one utterance of `seconds`. */
async function costOf(seconds: number, seed: number) {
  const asr = engine.asr({ model: 'tone-offline' }) as SherpaAsrEngine;
  const before = await asr.stats();
  const phrase = phraseOf(seconds, seed);
  const audio = toneAudio(phrase, { tail: 0.3 });
  const got = await transcribe(asr.createStream({ sampleRate: 16000, endpointingMs: 600 }), audio);
  const after = await asr.stats();
  const decoded = after.decodedAudioMs! - before.decodedAudioMs!;
  const written = after.writtenAudioMs! - before.writtenAudioMs!;
  return {
    phrase,
    audio,
    got,
    perSecond: decoded / written,
    longestDecodeMs: after.longestDecodeMs!,
    interims: after.interims! - before.interims!,
  };
}

test('60 s of speech without a pause: split at the maximum segment length, every word kept whole, in order', async () => {
  const { phrase, audio, got, longestDecodeMs } = await costOf(60, 7);
  assert.ok(audio.length / 16000 >= 60, `the input is ${audio.length / 16000} s`);
  const texts = got.finals.map((f) => f.text);
  assert.ok(texts.length >= 3, `at least three segments of at most 20 s, got ${texts.length}: ${texts.join(' | ')}`);
  assert.equal(texts.join(' '), phrase, 'the segments together are exactly the phrase: no word lost, split or repeated');
  for (const f of got.finals) assert.ok(f.endMs - f.startMs <= MAX_SEGMENT_MS, `segment ${f.startMs}..${f.endMs} is at most 20 s`);
  for (let i = 1; i < got.finals.length; i++)
    assert.ok(got.finals[i]!.startMs > got.finals[i - 1]!.endMs, 'segments follow each other in time');
  assert.ok(longestDecodeMs <= MAX_SEGMENT_MS + 1, `no decode is longer than the maximum segment (${longestDecodeMs} ms)`);
  // Interims kept coming during the long utterance, each a prefix of its segment's final.
  assert.ok(got.partials.length >= 10, `interims while speaking: ${got.partials.length}`);
});

test('interim cost per second of audio does not grow with the utterance length', async () => {
  const short = await costOf(8, 11);
  const long = await costOf(60, 12);
  assert.equal(short.got.finals.map((f) => f.text).join(' '), short.phrase);
  // Re-decoding the whole growing segment at a fixed rate would cost ~7.5× more per second at 60 s than at 8 s.
  assert.ok(
    long.perSecond <= short.perSecond * 1.25,
    `decoded audio per second of input: ${short.perSecond.toFixed(2)} at 8 s, ${long.perSecond.toFixed(2)} at 60 s`,
  );
  assert.ok(long.perSecond < 14, `bounded by the schedule's constant (${long.perSecond.toFixed(2)})`);
});

test('endpointing off: silences do not end the utterance; flush does, with all of it', async () => {
  const asr = engine.asr({ model: 'tone-offline' });
  const stream = asr.createStream({ sampleRate: 16000, endpointingMs: false });
  const audio = new Float32Array([...toneAudio('first', { tail: 1.5 }), ...toneAudio('second', { tail: 1.5 })]);
  const got = await transcribe(stream, audio);
  // (No word-boundary tone was spelled between them, so the fixture hears one word.)
  assert.deepEqual(
    got.finals.map((f) => f.text),
    ['firstsecond'],
  );
  assert.equal(got.last?.text, 'firstsecond');
  assert.equal(got.last?.reason, 'flush');
});
