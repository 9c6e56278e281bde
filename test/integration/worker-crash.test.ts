// A worker that dies is replaced (engine/worker-recycler.ts), on the real sherpa backends: the tone-alphabet
// recognizer and the piper fixture voice. The worker is made to exit without the engine asking, as a crash or an
// out-of-memory abort ends it (by the stop message of worker-host.ts: ending a thread from outside while a sherpa
// async call runs would abort this whole process, which is itself tested last): the stream or request it was
// serving fails at once with the reason (never hangs, never a cut-short success), a fresh worker
// takes over by itself (a new thread, even with recycling turned off), and the next stream or request works with
// the same result as before. A file transcription's batch worker that dies is not reused either, and the
// punctuation model's worker is replaced the same way (and, like the others, when it has been idle a while).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { createEngine, requireModel, type AsrEngine } from '../../src-main/core/engine/index.js';
import { SherpaPunctuator } from '../../src-main/core/engine/backends/sherpa/punct.js';
import { requestSentences } from '../../src-main/core/engine/text/tts-request.js';
import { transcribeStream } from '../helpers/asr-stream.js';
import { loadPiperFixtureVoice, samplesBySentence } from '../helpers/voices.js';
import { crashWorker, nextWorkerGeneration, type WorkerGenerations } from '../helpers/workers.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

/** The thread behind an engine's current worker (private: a crash is not something the API offers). */
function currentThread(engine: object, path: 'asr' | 'rpc'): Worker {
  const workers = (engine as { workers: { current: { rpc?: { worker: Worker }; worker?: Worker } } }).workers.current;
  return path === 'asr' ? workers.rpc!.worker : workers.worker!;
}

const WORKER_GONE = /inference worker (stopped unexpectedly|terminated|stopped before)/;

test('sherpa ASR: the stream on a crashed worker fails with the reason; a fresh worker takes over and decodes the same', async (t) => {
  process.env.EARSHOT_WORKER_RECYCLE_MS = '0'; // recycling off: a crash must still be recovered from
  const engine = await createEngine({ asr: [{ model: 'tone-alphabet' }], tts: [], vad: false });
  t.after(() => engine.close());
  await engine.ready; // the backend reads the variable while it loads
  delete process.env.EARSHOT_WORKER_RECYCLE_MS;
  const asr = engine.asr({ model: 'tone-alphabet' }) as AsrEngine & WorkerGenerations;
  const audio = toneAudio('hello world');
  assert.equal(await transcribeStream(asr.createStream({ sampleRate: 16000, vad: false }), audio), 'hello world');
  const before = asr.workerGenerations()[0]!;

  const live = asr.createStream({ sampleRate: 16000, vad: false });
  const failed = new Promise<Error>((resolve) => live.on('error', resolve));
  live.write(audio.subarray(0, audio.length / 2));
  await crashWorker(currentThread(asr, 'asr'));
  const err = await failed;
  assert.match(err.message, WORKER_GONE, 'the stream says its worker stopped');
  assert.equal(await live.close(), null, "closing the failed stream ends it (the reason was its 'error'); it does not hang");

  const after = await nextWorkerGeneration(asr, before.generation);
  assert.notEqual(after.threadId, before.threadId, 'a new worker thread');
  assert.equal(await transcribeStream(asr.createStream({ sampleRate: 16000, vad: false }), audio), 'hello world');
  assert.equal(asr.activeStreams, 0);
});

test('sherpa ASR: a file transcription on a crashed batch worker fails with the reason; the next file gets a fresh one', async (t) => {
  const engine = await createEngine({ asr: [{ model: 'tone-alphabet' }], tts: [], vad: false });
  t.after(() => engine.close());
  await engine.ready;
  const asr = engine.asr({ model: 'tone-alphabet' });
  const audio = toneAudio('hello world');
  const file = asr.createStream({ sampleRate: 16000, vad: false, batch: true });
  const failed = new Promise<Error>((resolve) => file.on('error', resolve));
  file.write(audio.subarray(0, audio.length / 2));
  const batch = (asr as unknown as { batchWorker: { worker: { rpc: { worker: Worker } } } }).batchWorker.worker;
  await crashWorker(batch.rpc.worker);
  assert.match((await failed).message, WORKER_GONE);
  assert.equal(await file.close(), null);
  assert.equal(await transcribeStream(asr.createStream({ sampleRate: 16000, vad: false, batch: true }), audio), 'hello world');
  assert.notEqual(
    (asr as unknown as { batchWorker: { worker: { rpc: { worker: Worker } } } }).batchWorker.worker.rpc.worker,
    batch.rpc.worker,
    'a fresh batch worker',
  );
});

test('sherpa TTS (piper fixture): a request on a crashed voice worker fails, and the next one gets the same audio', async (t) => {
  const tts = await loadPiperFixtureVoice();
  t.after(() => tts.close());
  const text = 'First sentence here. And a second one.';
  const speak = () => samplesBySentence(tts, text);
  const reference = await speak();
  const before = tts.workerGenerations()[0]!;

  // The worker dies after the first chunk: the request ends with the reason instead of waiting for the rest.
  const cut = (async () => {
    for await (const c of tts.synthesize({ pieces: requestSentences(text) })) {
      void c;
      await crashWorker(currentThread(tts, 'rpc'));
    }
  })();
  await assert.rejects(cut, WORKER_GONE);

  const after = await nextWorkerGeneration(tts, before.generation);
  assert.notEqual(after.threadId, before.threadId);
  assert.deepEqual(await speak(), reference, 'the fresh worker says the same');
});

test('punctuation (fixture): a call on a crashed worker fails at once with the reason; a fresh worker takes over', async (t) => {
  const punct = await SherpaPunctuator.load(requireModel('punct-fixture'), { recycleIdleMs: 0 });
  t.after(() => punct.close());
  assert.equal(await punct.punctuate('hello world'), 'Hello world.');
  const before = punct.workerGenerations()[0]!;
  await crashWorker(currentThread(punct, 'rpc'));
  await assert.rejects(punct.punctuate('what is this'), WORKER_GONE, 'fails fast while the fresh one loads');
  const after = await nextWorkerGeneration(punct, before.generation);
  assert.notEqual(after.threadId, before.threadId);
  assert.equal(await punct.punctuate('what is this'), 'What is this?');
});

test('punctuation (fixture): an idle worker that has worked is replaced by itself, and the fresh one punctuates the same', async (t) => {
  const punct = await SherpaPunctuator.load(requireModel('punct-fixture'), { recycleIdleMs: 100 });
  t.after(() => punct.close());
  const before = punct.workerGenerations()[0]!;
  assert.equal(await punct.punctuate('hello world but not now'), 'Hello world, but not now.');
  const after = await nextWorkerGeneration(punct, before.generation);
  assert.notEqual(after.threadId, before.threadId);
  assert.equal(await punct.punctuate('hello world but not now'), 'Hello world, but not now.');
});

test('closing a voice in the middle of a sentence ends the request with an error and leaves the process running', async () => {
  // Before the stop message, ending the worker from outside here aborted the process (SIGABRT, Napi::Error from
  // sherpa's generation thread). Each round closes at a different point of the generation.
  for (let round = 0; round < 6; round++) {
    const tts = await loadPiperFixtureVoice();
    const text = 'This sentence is rather long and goes on for a while. '.repeat(4);
    let chunks = 0;
    const outcome = (async () => {
      for await (const c of tts.synthesize({ pieces: requestSentences(text) })) {
        void c;
        chunks++;
      }
    })().then(
      () => 'completed',
      (err: Error) => err.message,
    );
    await sleep(round * 4);
    await tts.close();
    const result = await outcome;
    assert.ok(result === 'completed' || WORKER_GONE.test(result), `round ${round}: ${result} after ${chunks} chunks`);
  }
});
