// Batch streams (file transcriptions) of a streaming sherpa model decode in a worker of their own whose thread
// runs at nice BATCH_NICE, so the kernel gives the live worker and the main thread the CPU first. Real
// recognizer (the tone-alphabet fixture), real threads: the test reads the process's threads from /proc.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { BATCH_NICE, SherpaAsrEngine, requireModel, type AsrFinal, type AsrStream } from '../../src-main/core/engine/index.js';

const linux = process.platform === 'linux';
let engine: SherpaAsrEngine;
before(async () => {
  engine = await SherpaAsrEngine.load(requireModel('tone-alphabet'), { threads: 1, warmup: false, vadModel: null, batchWorkerIdleMs: 300 });
});
after(() => engine.close());

/** This process's threads named `name`, with their nice values. */
function threadsNamed(name: string): { tid: number; nice: number }[] {
  const out: { tid: number; nice: number }[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name)
        out.push({ tid: Number(tid), nice: getPriority(Number(tid)) });
    } catch {
      /* ended meanwhile */
    }
  }
  return out;
}

function finalsOf(stream: AsrStream): AsrFinal[] {
  const finals: AsrFinal[] = [];
  stream.on('final', (f) => finals.push(f));
  return finals;
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test(
  'a batch stream decodes in its own niced worker; live streams stay on the live worker at normal priority',
  { skip: !linux && 'Linux only' },
  async () => {
    assert.equal(threadsNamed('asr-sherpa').length, 1, 'one live worker');
    assert.equal(threadsNamed('asr-sherpa-bat').length, 0, 'no batch worker before any batch work');

    const live = engine.createStream({ sampleRate: 16000, vad: false });
    const liveFinals = finalsOf(live);
    const file = engine.createStream({ sampleRate: 16000, vad: false, batch: true });
    const fileFinals = finalsOf(file);
    // A file arrives all at once; a live stream at real time.
    const fileAudio = toneAudio('file words', { tail: 1.2 });
    for (let o = 0; o < fileAudio.length; o += 32_000) file.write(fileAudio.subarray(o, o + 32_000));
    const liveAudio = toneAudio('live', { tail: 1.2 });
    for (let o = 0; o < liveAudio.length; o += 1600) {
      live.write(liveAudio.subarray(o, o + 1600));
      await sleep(5);
    }
    await until(() => fileFinals.length >= 1 && liveFinals.length >= 1, 'both finals');
    assert.deepEqual(
      fileFinals.map((f) => f.text),
      ['file words'],
    );
    assert.deepEqual(
      liveFinals.map((f) => f.text),
      ['live'],
    );

    const [batchThread] = threadsNamed('asr-sherpa-bat');
    assert.ok(batchThread, 'the batch worker runs while a batch stream is open');
    assert.equal(batchThread.nice, Math.max(BATCH_NICE, getPriority(process.pid)));
    const [liveThread] = threadsNamed('asr-sherpa');
    assert.equal(liveThread!.nice, getPriority(process.pid), 'the live worker keeps the process priority');
    assert.equal(getPriority(process.pid), getPriority(0), 'the main thread is untouched');

    // Live capacity is measured on the live worker alone: the batch stream is not a live stream.
    assert.equal(engine.capacity().liveActive, 1);

    await file.close();
    await live.close();
    // The batch worker stops batchWorkerIdleMs after its last stream, giving its model's memory back.
    await until(() => threadsNamed('asr-sherpa-bat').length === 0, 'the idle batch worker to stop', 10_000);
    assert.equal(threadsNamed('asr-sherpa').length, 1, 'the live worker stays');
  },
);

test(
  'a second batch stream reuses a running batch worker; a new one starts after the idle stop',
  { skip: !linux && 'Linux only' },
  async () => {
    const a = engine.createStream({ sampleRate: 16000, vad: false, batch: true });
    const b = engine.createStream({ sampleRate: 16000, vad: false, batch: true });
    const aFinals = finalsOf(a);
    const bFinals = finalsOf(b);
    a.write(toneAudio('alpha', { tail: 1.2 }));
    b.write(toneAudio('bravo', { tail: 1.2 }));
    await until(() => aFinals.length >= 1 && bFinals.length >= 1, 'both batch finals');
    assert.equal(threadsNamed('asr-sherpa-bat').length, 1, 'one batch worker for both');
    assert.equal(aFinals[0]!.text, 'alpha');
    assert.equal(bFinals[0]!.text, 'bravo');
    await a.close();
    await sleep(100);
    assert.equal(threadsNamed('asr-sherpa-bat').length, 1, 'still running while b is open');
    await b.close();
    await until(() => threadsNamed('asr-sherpa-bat').length === 0, 'the idle batch worker to stop', 10_000);
    const c = engine.createStream({ sampleRate: 16000, vad: false, batch: true });
    const cFinals = finalsOf(c);
    c.write(toneAudio('charlie', { tail: 1.2 }));
    await until(() => cFinals.length >= 1, 'a final from a fresh batch worker');
    assert.equal(cFinals[0]!.text, 'charlie');
    await c.close();
  },
);
