// Silero VADs are reused from stream to stream (engine/backends/sherpa/vad-pool.ts), and a live worker makes the
// ones it lacks one per turn of its event loop (`makeLater`): making one costs the worker thread 40–110 ms, and
// every live stream has one. A reused or late-made VAD must hear exactly what a new one hears — even when the
// stream before it ended in the middle of speech — and a stream's VAD must be free for the next stream once it
// ends, on the real model and through the engine's live worker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeWav, resample } from '../../src-main/core/audio/index.js';
import { createEngine, SherpaAsrEngine, type AsrStream, type Engine } from '../../src-main/core/engine/index.js';
import { loadSherpa } from '../../src-main/core/engine/backends/sherpa/native.js';
import { SileroVadTracker, vadPoolStats } from '../../src-main/core/engine/backends/sherpa/vad.js';
import { LIBRISPEECH, SILERO_VAD } from '../helpers/shared.js';
import { silence } from '../../../shared/models/fixtures/tone-audio.mjs';

const RATE = 16000;

function speechFile(id: string): Float32Array {
  const wav = decodeWav(readFileSync(join(LIBRISPEECH, `${id}.wav`)));
  return resample(wav.channelData[0]!, wav.sampleRate, RATE);
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

/** Two utterances with a pause: speech starts and ends twice. */
const audio = concat(silence(0.5), speechFile('1272-135031-0001'), silence(1.2), speechFile('2035-147960-0007'), silence(0.8));

/** speechStart / speechEnd events of a tracker fed `samples` in 100 ms pieces, then flushed. */
function eventsOf(tracker: SileroVadTracker, samples: Float32Array, into: string[]): string[] {
  for (let o = 0; o < samples.length; o += RATE / 10) tracker.accept(samples.subarray(o, o + RATE / 10));
  tracker.flush();
  return into;
}

function tracker(into: string[], makeLater = false): SileroVadTracker {
  return new SileroVadTracker(
    loadSherpa(),
    SILERO_VAD,
    RATE,
    { speechStart: (ms) => into.push(`start ${ms}`), speechEnd: (ms) => into.push(`end ${ms}`) },
    { makeLater },
  );
}

const nextTurn = () => new Promise((r) => setImmediate(r));

/** Empty the pool (its idle VADs go to trackers that are dropped), so the next tracker must make one. */
function drainPool(): void {
  while (vadPoolStats().idle > 0) tracker([]);
}

test('a reused VAD hears exactly what a new one hears, even after a stream that ended mid-speech', () => {
  const fresh: string[] = [];
  eventsOf(tracker(fresh), audio, fresh);
  assert.ok(fresh.length >= 4, `two utterances: ${fresh.join(', ')}`);

  // A stream that stops in the middle of its first utterance, without a flush: the VAD is mid-speech.
  const cutShort: string[] = [];
  const first = tracker(cutShort);
  const half = audio.subarray(0, RATE * 2);
  for (let o = 0; o < half.length; o += RATE / 10) first.accept(half.subarray(o, o + RATE / 10));
  assert.deepEqual(cutShort.slice(0, 1), [fresh[0]], 'it had heard the speech start');
  const before = vadPoolStats();
  first.release();
  assert.equal(vadPoolStats().idle, before.idle + 1, 'given back');

  const events: string[] = [];
  const second = tracker(events);
  const after = vadPoolStats();
  assert.equal(after.made, before.made, 'no new VAD was made');
  assert.equal(after.reused, before.reused + 1, 'the released one was taken');
  assert.deepEqual(eventsOf(second, audio, events), fresh);
  second.release();
});

test('a released tracker ignores later audio and a second release', () => {
  const events: string[] = [];
  const t = tracker(events);
  t.release();
  const idle = vadPoolStats().idle;
  eventsOf(t, audio, events);
  t.release();
  assert.deepEqual(events, []);
  assert.equal(vadPoolStats().idle, idle, 'given back once');
});

test('makeLater: trackers that start together get their VADs one per turn; held audio gives the same events', async () => {
  const fresh: string[] = [];
  eventsOf(tracker(fresh), audio, fresh);
  drainPool();
  const made = vadPoolStats().made;
  const events = [[], [], []] as string[][];
  const trackers = events.map((into) => tracker(into, true));
  assert.deepEqual(
    trackers.map((t) => t.ready),
    [false, false, false],
    'none is made in the constructor',
  );
  // The first second of audio arrives before any VAD exists: it is held, not lost.
  for (const t of trackers) t.accept(audio.subarray(0, RATE));
  await nextTurn();
  assert.deepEqual(
    trackers.map((t) => t.ready),
    [true, false, false],
    'one per turn, oldest first',
  );
  await nextTurn();
  await nextTurn();
  assert.deepEqual(
    trackers.map((t) => t.ready),
    [true, true, true],
  );
  assert.equal(vadPoolStats().made, made + 3);
  trackers.forEach((t, i) => eventsOf(t, audio.subarray(RATE), events[i]!));
  for (const e of events) assert.deepEqual(e, fresh);
  for (const t of trackers) t.release();
});

test('makeLater: a flush or 10 s of held audio makes the VAD at once; a release while waiting makes none', async () => {
  const short = audio.subarray(0, RATE * 9); // under the 10 s a tracker holds
  drainPool();
  const fresh: string[] = [];
  eventsOf(tracker(fresh), short, fresh);
  drainPool();
  const flushed: string[] = [];
  const early = tracker(flushed, true);
  for (let o = 0; o < short.length; o += RATE / 10) early.accept(short.subarray(o, o + RATE / 10));
  assert.equal(early.ready, false, 'held');
  early.flush(); // makes the VAD and gives it everything held
  assert.ok(fresh.length >= 2, fresh.join(', '));
  assert.deepEqual(flushed, fresh);
  early.release();

  drainPool();
  const long = tracker([], true);
  long.accept(new Float32Array(RATE * 11));
  assert.equal(long.ready, true, 'more than 10 s held: made at once');
  long.release();

  drainPool();
  const made = vadPoolStats().made;
  const gone = tracker([], true);
  gone.release();
  await nextTurn();
  await nextTurn();
  assert.equal(vadPoolStats().made, made, 'released before its turn: none made');
});

let engine: Engine;
before(async () => {
  engine = await createEngine({ asr: [{ model: 'tone-alphabet' }], tts: [] });
  await engine.ready;
});
after(() => engine?.close());

async function streamEvents(stream: AsrStream): Promise<string[]> {
  const events: string[] = [];
  stream.on('speechStart', (ms) => events.push(`start ${ms}`));
  stream.on('speechEnd', (ms) => events.push(`end ${ms}`));
  for (let o = 0; o < audio.length; o += RATE / 10) {
    stream.write(audio.subarray(o, o + RATE / 10));
    await new Promise((r) => setImmediate(r));
  }
  await stream.close();
  return events;
}

test('the live worker gives each new stream the VAD an ended stream left: none is made while streams come and go', async () => {
  const asr = engine.asr({ model: 'tone-alphabet' }) as SherpaAsrEngine;
  const open = () => asr.createStream({ sampleRate: RATE, vad: true, endpointingMs: false });
  const firstEvents = await streamEvents(open());
  assert.ok(firstEvents.length >= 4, `two utterances: ${firstEvents.join(', ')}`);
  const vads = (await asr.stats()).timing!.vads;
  assert.ok(vads.made >= 1);
  for (let i = 0; i < 3; i++) assert.deepEqual(await streamEvents(open()), firstEvents, `stream ${i + 2} hears the same`);
  const later = (await asr.stats()).timing!.vads;
  assert.equal(later.made, vads.made, `no VAD made for streams 2–4 (${JSON.stringify(later)})`);
  assert.equal(later.reused, vads.reused + 3);
  assert.equal(later.idle, vads.idle, 'each went back when its stream ended');
});
