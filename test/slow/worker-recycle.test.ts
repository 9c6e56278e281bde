// In test/slow (the complete gate, not test:quick): real speech through pocketsphinx, plus sherpa ASR and TTS workers each replaced.
// Idle inference workers are replaced by fresh ones so their memory goes back to the OS
// (engine/worker-recycler.ts), on the real backends: pocketsphinx (real speech), sherpa ASR (the tone-alphabet
// fixture, whose tones spell exact text) and sherpa TTS (the piper fixture, whose audio encodes its phonemes). A worker that served a stream and then had none is replaced (a new
// thread, the generation counter moves); a stream opened while the fresh worker loads is decoded by the old
// one to its final; streams after the swap decode on the fresh one; the idle timer does it by itself; a pocketsphinx
// worker that crashes is replaced at once (the sherpa crash cases are in integration/worker-crash).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { createEngine, type AsrEngine } from '../../src-main/core/engine/index.js';
import { loadPocketsphinxAsr, PocketsphinxAsrEngine } from '../../src-main/core/engine/backends/pocketsphinx/index.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import { transcribeStream } from '../helpers/asr-stream.js';
import { loadPiperFixtureVoice, samplesBySentence } from '../helpers/voices.js';
import { crashWorker, nextWorkerGeneration } from '../helpers/workers.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

const SPEECH = decodeWav(readFileSync(join(LIBRISPEECH, '1272-135031-0009.wav'))).channelData[0]!;

interface Recycling {
  workerGenerations(): { threadId: number; generation: number }[];
  recycleIdleWorkers(): Promise<number>;
}

async function recycleCase(asr: AsrEngine & Recycling, audio: Float32Array, expect: (text: string) => void): Promise<void> {
  const [first] = asr.workerGenerations();
  assert.equal(await asr.recycleIdleWorkers(), 0, 'a worker that has served nothing is not replaced');

  expect(await transcribeStream(asr.createStream({ sampleRate: 16000, vad: false }), audio));
  const speed = asr.capacity().rtf;
  assert.equal(await asr.recycleIdleWorkers(), 1, 'served a stream, now idle: replaced');
  assert.equal(asr.capacity().rtf, speed, 'the fresh worker keeps the measured speed (admission does not jump)');
  const [second] = asr.workerGenerations();
  assert.equal(second!.generation, first!.generation + 1);
  assert.notEqual(second!.threadId, first!.threadId, 'a new worker thread');

  // A stream opened while the fresh worker loads: it stays on the old worker, which is stopped only after it.
  expect(await transcribeStream(asr.createStream({ sampleRate: 16000, vad: false }), audio));
  const swap = asr.recycleIdleWorkers();
  const during = asr.createStream({ sampleRate: 16000, vad: false });
  const [swapped, text] = await Promise.all([swap, transcribeStream(during, audio)]);
  expect(text);
  assert.equal(swapped, 1);
  const [third] = asr.workerGenerations();
  assert.equal(third!.generation, second!.generation + 1);
  assert.equal(asr.activeStreams, 0);

  // And the fresh worker decodes the same.
  expect(await transcribeStream(asr.createStream({ sampleRate: 16000, vad: false }), audio));
}

test('pocketsphinx: an idle worker is replaced, no stream is dropped, the fresh one decodes the same', async () => {
  const asr = await loadPocketsphinxAsr({ workers: 1, recycleIdleMs: 0 });
  after(() => asr.close());
  assert.ok(asr instanceof PocketsphinxAsrEngine);
  const words = new Set<string>();
  await recycleCase(asr, SPEECH, (text) => {
    assert.ok(text.split(' ').length >= 5, `a transcript of the utterance, got "${text}"`);
    if (words.size === 0) for (const w of text.split(' ')) words.add(w);
    const shared = text.split(' ').filter((w) => words.has(w)).length;
    assert.ok(shared >= text.split(' ').length / 2, `mostly the same words as the first transcript: "${text}"`);
  });
});

test('pocketsphinx: the idle timer replaces a worker by itself', async () => {
  const asr = (await loadPocketsphinxAsr({ workers: 1, recycleIdleMs: 200 })) as PocketsphinxAsrEngine;
  after(() => asr.close());
  const before = asr.workerGenerations()[0]!;
  await transcribeStream(asr.createStream({ sampleRate: 16000, vad: false }), SPEECH.subarray(0, 16000));
  const now = await nextWorkerGeneration(asr, before.generation, 15_000); // replaced within 15 s of going idle
  assert.equal(now.generation, before.generation + 1);
  assert.notEqual(now.threadId, before.threadId);
  const text = await transcribeStream(asr.createStream({ sampleRate: 16000, vad: false }), SPEECH);
  assert.ok(text.split(' ').length >= 5, `the fresh worker decodes: "${text}"`);
});

test('pocketsphinx: a worker that crashes is replaced at once (recycling off), and the fresh one decodes', async () => {
  const asr = (await loadPocketsphinxAsr({ workers: 1, recycleIdleMs: 0 })) as PocketsphinxAsrEngine;
  after(() => asr.close());
  const before = asr.workerGenerations()[0]!;
  const live = asr.createStream({ sampleRate: 16000, vad: false });
  const failed = new Promise<Error>((resolve) => live.on('error', resolve));
  live.write(SPEECH.subarray(0, 16000));
  // The worker crashed behind the engine's back (private: the API offers no way to crash a worker).
  await crashWorker((asr as unknown as { slots: { current: { rpc: { worker: Worker } } }[] }).slots[0]!.current.rpc.worker);
  assert.match((await failed).message, /inference worker (stopped unexpectedly|terminated)/);
  assert.equal(await live.close(), null);
  const now = await nextWorkerGeneration(asr, before.generation, 30_000);
  assert.equal(now.generation, before.generation + 1, 'replaced once');
  assert.notEqual(now.threadId, before.threadId);
  const text = await transcribeStream(asr.createStream({ sampleRate: 16000, vad: false }), SPEECH);
  assert.ok(text.split(' ').length >= 5, `the fresh worker decodes: "${text}"`);
});

test('sherpa (tone-alphabet): an idle worker is replaced, no stream is dropped, exact text before and after', async () => {
  process.env.EARSHOT_WORKER_RECYCLE_MS = '0'; // replaced only when the test asks
  const engine = await createEngine({ asr: [{ model: 'tone-alphabet' }], tts: [], vad: false });
  after(() => engine.close());
  await engine.ready; // the backend reads the variable while it loads
  delete process.env.EARSHOT_WORKER_RECYCLE_MS;
  const asr = engine.asr({ model: 'tone-alphabet' }) as AsrEngine & Recycling;
  await recycleCase(asr, toneAudio('hello world'), (text) => assert.equal(text, 'hello world'));
});

test('sherpa TTS (piper fixture): an idle voice worker is replaced; a request during the swap gets all its audio', async () => {
  const tts = await loadPiperFixtureVoice();
  after(() => tts.close());
  const text = 'First sentence here. And a second one.';
  const speak = () => samplesBySentence(tts, text);
  const reference = await speak();
  assert.equal(reference.length, 2);
  const [first] = tts.workerGenerations();
  assert.equal(await tts.recycleIdleWorkers(), 1);
  const [second] = tts.workerGenerations();
  assert.equal(second!.generation, first!.generation + 1);
  assert.notEqual(second!.threadId, first!.threadId);
  assert.deepEqual(await speak(), reference, 'the fresh worker says the same');

  const swap = tts.recycleIdleWorkers(); // the fresh worker loads…
  const [swapped, during] = await Promise.all([swap, speak()]); // …while a request runs on the old one
  assert.equal(swapped, 1);
  assert.deepEqual(during, reference);
  assert.deepEqual(await speak(), reference);
});
