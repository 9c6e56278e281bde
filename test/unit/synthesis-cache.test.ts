// The synthesis cache (engine layer): a repeated request is served from memory with identical audio; anything that
// changes the audio (voice, language, speed, the text's pieces) misses; aborted syntheses are not kept; the cache stays within
// its byte budget, evicting least recently used entries first. The synthesizer here is a counting stand-in whose
// audio is random per call, so a replay that matches the first call can only have come from the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachingSynthesizer, SynthesisCache } from '../../src-main/core/engine/synthesis-cache.js';
import type { SynthesisChunk, SynthesisRequest, Synthesizer } from '../../src-main/core/engine/types.js';
import { rng } from '../helpers/random.js';

/** 2 chunks of `samplesPerChunk` random samples per call; records every request it really synthesized. */
function countingSynth(samplesPerChunk = 1000) {
  const calls: SynthesisRequest[] = [];
  const rand = rng(7);
  const synth: Synthesizer = {
    backend: 'espeak',
    voices: () => [{ id: 'v', name: 'V', language: 'en', backend: 'espeak', sampleRate: 16000 }],
    async *synthesize(req: SynthesisRequest, signal?: AbortSignal): AsyncIterable<SynthesisChunk> {
      calls.push(req);
      for (let i = 0; i < 2; i++) {
        if (signal?.aborted) return;
        await new Promise((r) => setImmediate(r));
        yield { samples: Float32Array.from({ length: samplesPerChunk }, () => rand() - 0.5), sampleRate: 16000, sentence: 0 };
      }
    },
  };
  return { synth, calls };
}

async function collect(it: AsyncIterable<SynthesisChunk>, stopAfter = Infinity): Promise<SynthesisChunk[]> {
  const out: SynthesisChunk[] = [];
  for await (const c of it) {
    out.push(c);
    if (out.length >= stopAfter) break;
  }
  return out;
}

const flat = (cs: SynthesisChunk[]) => Float32Array.from(cs.flatMap((c) => [...c.samples]));

test('a repeated request is served from the cache: identical audio, the synthesizer is not called again', async () => {
  const { synth, calls } = countingSynth();
  const cache = new SynthesisCache(1 << 20);
  const cached = new CachingSynthesizer(synth, cache);
  const first = await collect(cached.synthesize({ pieces: ['Please hold.'], voice: 'v', speed: 1 }));
  const second = await collect(cached.synthesize({ pieces: ['Please hold.'], voice: 'v', speed: 1 }));
  assert.equal(calls.length, 1);
  assert.deepEqual(flat(second), flat(first));
  assert.deepEqual(
    second.map((c) => [c.sampleRate, c.sentence]),
    first.map((c) => [c.sampleRate, c.sentence]),
  );
  assert.deepEqual(cache.stats(), { hits: 1, misses: 1, entries: 1, bytes: cache.stats().bytes, maxBytes: 1 << 20 });
  // Replayed chunks are copies: a consumer that scribbles on one does not change what the next one gets.
  second[0]!.samples.fill(0);
  const third = await collect(cached.synthesize({ pieces: ['Please hold.'], voice: 'v', speed: 1 }));
  assert.deepEqual(flat(third), flat(first));
  assert.equal(cached.backend, 'espeak');
  assert.deepEqual(cached.voices(), synth.voices());
});

test('voice, language, speed and text are part of the key', async () => {
  const { synth, calls } = countingSynth();
  const cached = new CachingSynthesizer(synth, new SynthesisCache(1 << 20));
  const base = { pieces: ['Hello.'], voice: 'v', language: 'en', speed: 1 };
  for (const req of [
    base,
    { ...base, voice: 'w' },
    { ...base, language: 'de' },
    { ...base, speed: 1.5 },
    { ...base, pieces: ['Hello!'] },
    base,
  ]) {
    await collect(cached.synthesize(req));
  }
  assert.equal(calls.length, 5, 'only the last request (a repeat of the first) was a hit');
  // Two synthesizers sharing one cache never answer for each other.
  const other = countingSynth();
  const cache = new SynthesisCache(1 << 20);
  await collect(new CachingSynthesizer(synth, cache).synthesize(base));
  await collect(new CachingSynthesizer(other.synth, cache).synthesize(base));
  assert.equal(other.calls.length, 1);
});

test('an aborted or abandoned synthesis is not stored', async () => {
  const { synth, calls } = countingSynth();
  const cached = new CachingSynthesizer(synth, new SynthesisCache(1 << 20));
  await collect(cached.synthesize({ pieces: ['Cut short.'] }), 1); // the consumer stops after one chunk
  const abort = new AbortController();
  abort.abort();
  await collect(cached.synthesize({ pieces: ['Cut short.'] }, abort.signal));
  const full = await collect(cached.synthesize({ pieces: ['Cut short.'] }));
  assert.equal(full.length, 2);
  assert.equal(calls.length, 3, 'neither partial synthesis was replayed');
});

test('bounded by bytes: least recently used entries are evicted, oversize entries are not stored', async () => {
  const { synth, calls } = countingSynth(1000); // 2 × 1000 samples × 4 bytes = 8000 bytes of audio per entry
  const cache = new SynthesisCache(40_000); // room for 4 entries (with key and overhead), entries up to 10 000 bytes
  const cached = new CachingSynthesizer(synth, cache);
  for (let i = 0; i < 4; i++) await collect(cached.synthesize({ pieces: [`prompt ${i}`] }));
  assert.equal(cache.stats().entries, 4);
  await collect(cached.synthesize({ pieces: ['prompt 0'] })); // a hit: prompt 0 becomes the most recently used
  assert.equal(calls.length, 4);
  await collect(cached.synthesize({ pieces: ['prompt 4'] })); // evicts the least recently used: prompt 1
  assert.ok(cache.stats().bytes <= 40_000, `${cache.stats().bytes} bytes`);
  assert.equal(cache.stats().entries, 4);
  await collect(cached.synthesize({ pieces: ['prompt 0'] }));
  assert.equal(calls.length, 5, 'prompt 0 survived');
  await collect(cached.synthesize({ pieces: ['prompt 1'] }));
  assert.equal(calls.length, 6, 'prompt 1 was evicted and synthesized again');
  for (let i = 0; i < 50; i++) {
    await collect(cached.synthesize({ pieces: [`filler ${i}`] }));
    assert.ok(cache.stats().bytes <= 40_000);
  }
  // An entry over a quarter of the budget is never stored.
  const big = countingSynth(2000);
  const small = new SynthesisCache(40_000);
  const c2 = new CachingSynthesizer(big.synth, small);
  await collect(c2.synthesize({ pieces: ['long answer'] }));
  await collect(c2.synthesize({ pieces: ['long answer'] }));
  assert.equal(big.calls.length, 2);
  assert.equal(small.stats().entries, 0);
  assert.throws(() => new SynthesisCache(-1), /byte count/);
});

test('the pieces are the key, not only their text: the same words cut differently are synthesized again', async () => {
  const { synth, calls } = countingSynth();
  const cached = new CachingSynthesizer(synth, new SynthesisCache(1 << 20));
  await collect(cached.synthesize({ pieces: ['Hello there. Bye.'] }));
  await collect(cached.synthesize({ pieces: ['Hello there.', 'Bye.'] }));
  await collect(cached.synthesize({ pieces: ['Hello there.', 'Bye.'] }));
  assert.deepEqual(
    calls.map((c) => c.pieces),
    [['Hello there. Bye.'], ['Hello there.', 'Bye.']],
  );
});
