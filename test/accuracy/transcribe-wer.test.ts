// Recognition quality of the streaming pocketsphinx path. `earshot transcribe --engine pocketsphinx` (100 ms
// writes through AsrStream, endpointing on) over every LibriSpeech dev utterance must score within 1 WER point
// (absolute) of the same library decoding each whole file in one ps_process_raw(full_utt=TRUE) call.
// The batch reference uses the model's own batch cepstral mean normalisation (the mean of the whole file);
// streaming cannot, and uses live CMN updated after every 100 ms block (see native/addon.c).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { decodeWav, resample } from '../../src-main/core/audio/index.js';
import { appRoot } from '../../src-main/core/paths.js';
import { closeBatchDecoder, decodeWholeFile, pocketsphinxStatus } from '../../src-main/core/engine/backends/pocketsphinx/index.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { corpusWer } from '../helpers/wer.js';

const run = promisify(execFile);
after(() => closeBatchDecoder());

/** Run `fn` over `items` with at most `limit` at a time, keeping order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

test('earshot transcribe (pocketsphinx, streaming) is within 1 WER point of whole-file batch decoding', async () => {
  assert.equal(pocketsphinxStatus().available, true, pocketsphinxStatus().detail);
  const refs = librispeechRefs();
  const files = readdirSync(LIBRISPEECH)
    .filter((f) => f.endsWith('.wav'))
    .sort();
  assert.equal(files.length, 40);

  const batch = (async () => {
    const out: string[] = [];
    for (const f of files) {
      const wav = decodeWav(readFileSync(join(LIBRISPEECH, f)));
      out.push(await decodeWholeFile(resample(wav.channelData[0]!, wav.sampleRate, 16000)));
    }
    return out;
  })();
  const streamed = mapLimit(files, 2, async (f) => {
    const { stdout } = await run(
      process.execPath,
      [join(appRoot, 'bin', 'earshot.mjs'), 'transcribe', join(LIBRISPEECH, f), '--engine', 'pocketsphinx', '--format', 'json'],
      { cwd: appRoot, maxBuffer: 16 << 20, timeout: 300_000 },
    );
    const doc = JSON.parse(stdout) as { backend: string; text: string; segments: unknown[] };
    assert.equal(doc.backend, 'pocketsphinx');
    return doc.text;
  });
  const [batchHyps, streamHyps] = await Promise.all([batch, streamed]);

  const reference = files.map((f) => refs.get(f.replace(/\.wav$/, ''))!);
  assert.ok(
    reference.every((r) => r),
    'every file has a reference',
  );
  const b = corpusWer(files.map((_, i) => ({ reference: reference[i]!, hypothesis: batchHyps[i]! })));
  const s = corpusWer(files.map((_, i) => ({ reference: reference[i]!, hypothesis: streamHyps[i]! })));
  const pct = (x: number) => (100 * x).toFixed(2) + '%';
  console.log(
    `pocketsphinx WER over ${files.length} LibriSpeech dev utterances (${b.refWords} words): ` +
      `streaming (earshot transcribe) ${pct(s.wer)} [S ${s.substitutions} D ${s.deletions} I ${s.insertions}], ` +
      `whole-file batch ${pct(b.wer)} [S ${b.substitutions} D ${b.deletions} I ${b.insertions}]`,
  );
  // Sanity: the recognizer really recognizes (a broken pipeline scores near 100 %).
  assert.ok(b.wer < 0.6, `batch WER ${pct(b.wer)} is implausibly high`);
  assert.ok(Math.abs(s.wer - b.wer) <= 0.01, `streaming ${pct(s.wer)} vs batch ${pct(b.wer)}: more than 1 point apart`);
});
