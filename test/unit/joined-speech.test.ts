// The joined-speech fixture (test/helpers/joined-speech.ts) is the same bytes every time it is made, and its gaps
// are silence (sox's dither, at most 2 LSB): a fixture that differs from run to run (sox's default dither) made pocketsphinx's WER move
// between CI runs, which was taken for a nondeterministic engine.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { joinSpeech } from '../helpers/joined-speech.js';
import { LIBRISPEECH } from '../helpers/shared.js';

const IDS = ['84-121550-0022', '84-121550-0024'];
const dir = mkdtempSync(join(tmpdir(), 'earshot-joined-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('joining the same utterances twice gives the same bytes, with the utterances intact and silence between', async () => {
  const [a, b] = [join(dir, 'a.wav'), join(dir, 'b.wav')];
  await joinSpeech(IDS, 0.5, a);
  await joinSpeech(IDS, 0.5, b);
  assert.ok(readFileSync(a).equals(readFileSync(b)), 'two joins of the same files differ (dithered gaps?)');
  const joined = decodeWav(readFileSync(a));
  const first = decodeWav(readFileSync(join(LIBRISPEECH, `${IDS[0]}.wav`))).channelData[0]!;
  const second = decodeWav(readFileSync(join(LIBRISPEECH, `${IDS[1]}.wav`))).channelData[0]!;
  const samples = joined.channelData[0]!;
  assert.equal(joined.sampleRate, 16000);
  assert.equal(samples.length, first.length + 8000 + second.length);
  assert.deepEqual(samples.subarray(0, first.length), first);
  assert.ok(
    samples.subarray(first.length, first.length + 8000).every((v) => Math.abs(v) <= 2 / 32768),
    'the gap is silence (dither only)',
  );
  assert.deepEqual(samples.subarray(first.length + 8000), second);
});
