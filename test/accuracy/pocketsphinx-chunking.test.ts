// The same audio gives the same transcript however a client chunks it: a file read in 100 ms writes, a
// sound server's 20 ms blocks and odd sizes must all decode identically (the decoder steps in fixed blocks).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { createEngine } from '../../src-main/core/engine/index.js';
import type { AsrFinal } from '../../src-main/core/engine/types.js';
import { LIBRISPEECH } from '../helpers/shared.js';

const engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false });
await engine.ready;
after(() => engine.close());

async function transcribe(samples: Float32Array, chunk: (i: number) => number): Promise<AsrFinal[]> {
  const stream = engine.asr({ backend: 'pocketsphinx' }).createStream({ sampleRate: 16000, endpointingMs: 600 });
  const finals: AsrFinal[] = [];
  stream.on('final', (f) => finals.push(f));
  for (let o = 0, i = 0; o < samples.length; i++) {
    const n = chunk(i);
    stream.write(samples.subarray(o, o + n));
    o += n;
  }
  const last = await stream.close();
  if (last && !finals.includes(last)) finals.push(last);
  return finals;
}

test('pocketsphinx: 100 ms writes, 20 ms writes and ragged writes give identical finals and times', async () => {
  const samples = decodeWav(readFileSync(join(LIBRISPEECH, '2035-147960-0003.wav'))).channelData[0]!;
  const tenths = await transcribe(samples, () => 1600);
  const small = await transcribe(samples, () => 320);
  const ragged = await transcribe(samples, (i) => [777, 3001, 5, 1600, 12_345][i % 5]!);
  assert.ok(
    tenths
      .map((f) => f.text)
      .join(' ')
      .split(' ').length >= 8,
    `too little recognized: ${JSON.stringify(tenths)}`,
  );
  const shape = (fs: AsrFinal[]) => fs.map((f) => ({ text: f.text, startMs: f.startMs, endMs: f.endMs, words: f.words }));
  assert.deepEqual(shape(small), shape(tenths));
  assert.deepEqual(shape(ragged), shape(tenths));
});
