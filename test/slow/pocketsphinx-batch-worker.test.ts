// In test/slow (the complete gate, not test:quick): pocketsphinx decoders on real speech, in a live and a batch worker.
// pocketsphinx batch streams (file transcriptions) decode in a worker of their own whose thread runs at nice
// BATCH_NICE, started at the first batch stream and stopped after the last: live streams keep the live worker to
// themselves and the kernel serves them first. Real decoders, real speech; threads read from /proc.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { BATCH_NICE, type AsrEngine, type AsrFinal, type AsrStream } from '../../src-main/core/engine/index.js';
import { loadPocketsphinxAsr } from '../../src-main/core/engine/backends/pocketsphinx/index.js';
import { LIBRISPEECH } from '../helpers/shared.js';

const linux = process.platform === 'linux';
const SPEECH = decodeWav(readFileSync(join(LIBRISPEECH, '1272-135031-0001.wav'))).channelData[0]!;
let engine: AsrEngine & { close(): Promise<void> };
before(async () => {
  engine = await loadPocketsphinxAsr({ workers: 1, vadModel: null, batchWorkerIdleMs: 300 });
});
after(() => engine.close());

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

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test(
  'a batch stream decodes in its own niced worker, the same words as a live stream; it stops when idle',
  { skip: !linux && 'Linux only' },
  async () => {
    assert.equal(threadsNamed('asr-psphinx').length, 1, 'one live worker');
    assert.equal(threadsNamed('asr-psphinx-bat').length, 0, 'no batch worker before batch work');
    const live = engine.createStream({ sampleRate: 16000, vad: false });
    const file = engine.createStream({ sampleRate: 16000, vad: false, batch: true });
    const liveFinals = finalsOf(live);
    const fileFinals = finalsOf(file);
    for (let o = 0; o < SPEECH.length; o += 32_000) file.write(SPEECH.subarray(o, o + 32_000));
    for (let o = 0; o < SPEECH.length; o += 1600) live.write(SPEECH.subarray(o, o + 1600));
    await until(() => threadsNamed('asr-psphinx-bat').length === 1, 'the batch worker');
    const [bat] = threadsNamed('asr-psphinx-bat');
    assert.ok(bat, 'the batch worker runs while a batch stream is open');
    assert.equal(bat.nice, Math.max(BATCH_NICE, getPriority(process.pid)));
    const lastFile = await file.close();
    const lastLive = await live.close();
    const text = (finals: AsrFinal[], last: AsrFinal | null) =>
      [...finals, ...(last && !finals.includes(last) ? [last] : [])].map((f) => f.text).join(' ');
    assert.ok(text(fileFinals, lastFile).split(' ').length >= 5, `the file was recognized: "${text(fileFinals, lastFile)}"`);
    assert.equal(text(fileFinals, lastFile), text(liveFinals, lastLive), 'batch and live decode the same audio to the same words');

    assert.equal(threadsNamed('asr-psphinx')[0]!.nice, getPriority(process.pid), 'the live worker keeps the process priority');
    assert.equal(engine.capacity().workers, 1, 'live capacity counts the live workers only');

    await until(() => threadsNamed('asr-psphinx-bat').length === 0, 'the idle batch worker to stop', 10_000);
    assert.equal(threadsNamed('asr-psphinx').length, 1, 'the live worker stays');
  },
);
