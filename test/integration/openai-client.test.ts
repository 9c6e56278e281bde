// The official `openai` npm client against Earshot's OpenAI-compatible endpoints, with real engines:
// pocketsphinx transcribes LibriSpeech dev-clean files (WER checked against refs.tsv) and espeak-ng speaks.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { startHarness, TOKEN, type Harness } from './grpc-rest-harness.js';
import { normalizeWords, wordErrorRate } from '../helpers/wer.js';

let h: Harness;
let client: OpenAI;

before(async () => {
  h = await startHarness({ engine: { asr: [{ backend: 'pocketsphinx' }], tts: [{ backend: 'espeak' }] } });
  client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
});
after(async () => {
  await h?.close();
});


const FILES = ['1272-135031-0009', '2035-147960-0002', '84-121550-0019'];

test('openai.audio.transcriptions.create transcribes LibriSpeech files with a sane WER', async () => {
  const refs = librispeechRefs();
  let errors = 0;
  let total = 0;
  for (const id of FILES) {
    const res = await client.audio.transcriptions.create({ file: createReadStream(join(LIBRISPEECH, `${id}.wav`)), model: 'whisper-1' });
    const ref = refs.get(id)!;
    const e = wordErrorRate(ref, res.text);
    process.stderr.write(`  ${id}: WER ${(e * 100).toFixed(1)}%  "${res.text}"\n`);
    errors += e * normalizeWords(ref).length;
    total += normalizeWords(ref).length;
  }
  const overall = errors / total;
  // Broken audio handling (wrong rate, byte order, lost chunks) gives ~100% or an empty text; pocketsphinx's
  // generic en-us model on read speech does far better than this bound.
  assert.ok(overall < 0.85, `overall WER ${(overall * 100).toFixed(1)}%`);
});

test('verbose_json via the openai client carries segments and word timings within the audio', async () => {
  const id = FILES[0]!;
  const res = (await client.audio.transcriptions.create({
    file: createReadStream(join(LIBRISPEECH, `${id}.wav`)),
    model: 'whisper-1',
    response_format: 'verbose_json',
    timestamp_granularities: ['word', 'segment'],
  })) as any;
  assert.ok(res.segments.length >= 1);
  assert.ok(res.words.length >= 3);
  for (const w of res.words) assert.ok(w.start >= 0 && w.end >= w.start && w.end <= res.duration + 0.5, JSON.stringify(w));
  for (let i = 1; i < res.words.length; i++) assert.ok(res.words[i].start >= res.words[i - 1].start, 'words in order');
});

test('openai.audio.speech.create returns a valid WAV of speech (OpenAI voice name → default voice)', async () => {
  const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'The quick brown fox jumps over the lazy dog.', response_format: 'wav' });
  const buf = Buffer.from(await res.arrayBuffer());
  const wav = decodeWav(buf);
  assert.equal(wav.channels, 1);
  assert.equal(wav.sampleRate, 22050);
  assert.ok(wav.channelData[0]!.length / wav.sampleRate > 1.5, 'about two seconds of speech');
  let peak = 0;
  for (const v of wav.channelData[0]!) peak = Math.max(peak, Math.abs(v));
  assert.ok(peak > 0.05, `not silence (peak ${peak})`);
});

test('the openai client surfaces our error message for a bad request', async () => {
  await assert.rejects(
    client.audio.speech.create({ model: 'tts-1', voice: 'espeak:zz-none' as any, input: 'hi' }),
    (err: any) => err.status === 400 && /unknown voice "espeak:zz-none"/.test(err.message),
  );
});
