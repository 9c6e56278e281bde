// In test/slow (the complete gate, not test:quick): real speech through pocketsphinx several times over, about 28 CPU-seconds.
// pocketsphinx gives the same audio the same words, with the same timings, whatever the decoder has heard before
// and whichever worker decodes it: a fresh engine's first stream (the calibrated decoder), the same decoder after
// other speech and noise (reused from the pool: the live cepstral mean is reset at each stream start), a decoder
// created for a second concurrent stream on another worker, and any write sizes (decoded in fixed 100 ms blocks).
// Gated by the Silero VAD, as the app is when the model is installed. (The WER that moved between CI runs came
// from a fixture whose silent gaps sox dithered differently each run: test/helpers/joined-speech.ts.)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { loadPocketsphinxAsr } from '../../src-main/core/engine/backends/pocketsphinx/index.js';
import type { AsrEngine } from '../../src-main/core/engine/index.js';
import { joinSpeech } from '../helpers/joined-speech.js';
import { LIBRISPEECH, SILERO_VAD } from '../helpers/shared.js';

const RATE = 16000;
let engine: AsrEngine & { close(): Promise<void> };
let speech: Float32Array;
let dir: string;

/** Each final as text, times and word times: what must not change. */
async function decode(samples: Float32Array, writeSizes: number[] = [RATE / 10]): Promise<string[]> {
  const stream = engine.createStream({ sampleRate: RATE, endpointingMs: 500, vad: false });
  const finals: string[] = [];
  stream.on('final', (f) =>
    finals.push(`${f.text} [${f.startMs}-${f.endMs}] ${(f.words ?? []).map((w) => `${w.word}@${w.startMs}-${w.endMs}`).join(' ')}`),
  );
  for (let o = 0, i = 0; o < samples.length; i++) {
    const n = writeSizes[i % writeSizes.length]!;
    stream.write(samples.subarray(o, o + n));
    o += n;
  }
  await stream.close();
  return finals;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-determinism-'));
  const wav = join(dir, 'speech.wav');
  await joinSpeech(['84-121550-0022', '2035-147960-0005'], 0.5, wav);
  speech = decodeWav(readFileSync(wav)).channelData[0]!;
  engine = await loadPocketsphinxAsr({ workers: 2, vadModel: SILERO_VAD });
});
after(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the same audio gives the same words and timings on a fresh decoder, a reused one, another worker, any write sizes', async () => {
  const first = await decode(speech);
  assert.ok(first.length >= 2, `two utterances recognized: ${JSON.stringify(first)}`);
  // Other speech, then noise, through the pooled decoder: its history must not reach the next stream.
  await decode(decodeWav(readFileSync(join(LIBRISPEECH, '1462-170142-0023.wav'))).channelData[0]!);
  let seed = 7;
  const noise = Float32Array.from({ length: 3 * RATE }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 0.3);
  await decode(noise);
  assert.deepEqual(await decode(speech), first, 'a reused decoder');
  assert.deepEqual(await decode(speech, [RATE * 10, 37, 4410, 1]), first, 'other write sizes');
  // Two at once: the second lands on the other worker (or a decoder created for it).
  const [a, b] = await Promise.all([decode(speech), decode(speech, [999])]);
  assert.deepEqual(a, first, 'concurrent stream 1');
  assert.deepEqual(b, first, 'concurrent stream 2');
});
