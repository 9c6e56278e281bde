// The official `openai` npm client against Earshot's OpenAI-compatible endpoints, with real engines:
// pocketsphinx transcribes LibriSpeech dev-clean files (WER checked against refs.tsv) and espeak-ng speaks.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { decodeAudioFile, decodeWav } from '../../src-main/core/audio/index.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { startHarness, TOKEN, type Harness } from '../integration/grpc-rest-harness.js';
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
  const res = await client.audio.speech.create({
    model: 'tts-1',
    voice: 'alloy',
    input: 'The quick brown fox jumps over the lazy dog.',
    response_format: 'wav',
  });
  const buf = Buffer.from(await res.arrayBuffer());
  const wav = decodeWav(buf);
  assert.equal(wav.channels, 1);
  assert.equal(wav.sampleRate, 24000, "OpenAI's rate");
  assert.equal(buf.readUInt32LE(40), buf.byteLength - 44, 'the data size is the true one');
  assert.equal(buf.readUInt32LE(4), buf.byteLength - 8, 'the RIFF size is the true one');
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

test('any API key is accepted (the SDK always sends one); OpenAI model names are listed as aliases', async () => {
  const other = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'sk-some-other-key', maxRetries: 0 });
  const ids: string[] = [];
  for await (const m of other.models.list()) ids.push(m.id);
  for (const id of ['whisper-1', 'gpt-4o-transcribe', 'tts-1']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
  // Each alias names what it stands for here.
  const raw = (await (await fetch(`${h.baseUrl}/v1/models`)).json()) as any;
  const whisper = raw.data.find((m: any) => m.id === 'whisper-1');
  assert.equal(whisper.alias_of, h.engine.asr().modelId);
  assert.equal(raw.data.find((m: any) => m.id === 'tts-1').alias_of, 'espeak');
});

test('stream: true yields transcript.text.delta events and a transcript.text.done with the whole text', async () => {
  const id = FILES[1]!;
  const whole = await client.audio.transcriptions.create({
    file: createReadStream(join(LIBRISPEECH, `${id}.wav`)),
    model: 'gpt-4o-transcribe',
  });
  const stream = await client.audio.transcriptions.create({
    file: createReadStream(join(LIBRISPEECH, `${id}.wav`)),
    model: 'gpt-4o-transcribe',
    stream: true,
  });
  const events: any[] = [];
  for await (const e of stream) events.push(e);
  const deltas = events.filter((e) => e.type === 'transcript.text.delta');
  const done = events.filter((e) => e.type === 'transcript.text.done');
  assert.ok(deltas.length >= 1, JSON.stringify(events));
  assert.equal(done.length, 1);
  assert.equal(events.at(-1).type, 'transcript.text.done');
  assert.equal(deltas.map((d) => d.delta).join(''), done[0].text);
  assert.equal(done[0].text, whole.text, 'the same words as the non-streamed request');
});

test('OpenAI-shaped errors: /v1/audio/translations and unknown routes', async () => {
  await assert.rejects(
    client.audio.translations.create({ file: createReadStream(join(LIBRISPEECH, `${FILES[0]}.wav`)), model: 'whisper-1' }),
    (err: any) => err.status === 404 && /translation is not available/.test(err.message),
  );
  const r = await fetch(`${h.baseUrl}/v1/audio/nothing-here`, { method: 'POST' });
  assert.equal(r.status, 404);
  const body = (await r.json()) as any;
  assert.equal(body.error.type, 'not_found_error');
  assert.match(body.error.message, /no such endpoint: POST \/v1\/audio\/nothing-here/);
});

const SENTENCE = 'The quick brown fox jumps over the lazy dog near the river bank today.';

test('response formats: mp3, opus, aac and flac decode to the same speech as pcm; pcm is 24 kHz s16le', async () => {
  const pcm = Buffer.from(
    await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: SENTENCE, response_format: 'pcm' })).arrayBuffer(),
  );
  const mp3 = Buffer.from(await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: SENTENCE })).arrayBuffer());
  const pcmSeconds = pcm.byteLength / 2 / 24000;
  const decoded = await decodeAudioFile(mp3);
  assert.equal(decoded.format, 'mp3', 'mp3 is the default, as at OpenAI');
  assert.equal(decoded.sampleRate, 24000);
  const mp3Seconds = decoded.channelData[0]!.length / decoded.sampleRate;
  assert.ok(pcmSeconds > 2.5 && Math.abs(mp3Seconds - pcmSeconds) < 0.1, `pcm ${pcmSeconds} s, mp3 ${mp3Seconds} s`);
  for (const format of ['opus', 'aac', 'flac'] as const) {
    const bytes = Buffer.from(
      await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: SENTENCE, response_format: format })).arrayBuffer(),
    );
    const d = await decodeAudioFile(bytes);
    const seconds = d.channelData[0]!.length / d.sampleRate;
    assert.ok(Math.abs(seconds - pcmSeconds) < 0.15, `${format}: ${seconds} s vs pcm ${pcmSeconds} s`);
  }
});

test('stream_format "sse": speech.audio.delta events with base64 audio, then speech.audio.done', async () => {
  const res = await client.audio.speech.create({
    model: 'gpt-4o-mini-tts',
    voice: 'alloy',
    input: SENTENCE,
    response_format: 'pcm',
    stream_format: 'sse',
  });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => JSON.parse(block.replace(/^data: /, '')));
  const deltas = events.filter((e) => e.type === 'speech.audio.delta');
  assert.ok(deltas.length >= 1);
  assert.equal(events.at(-1).type, 'speech.audio.done');
  const bytes = deltas.reduce((n, d) => n + Buffer.from(d.audio, 'base64').byteLength, 0);
  assert.ok(bytes / 2 / 24000 > 2.5, `${bytes} bytes of 24 kHz s16le`);
});

test('speed is honoured evenly over 0.25..4: each length is the normal one divided by the speed', async () => {
  const seconds = async (speed: number) =>
    (
      await (
        await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: SENTENCE, response_format: 'pcm', speed })
      ).arrayBuffer()
    ).byteLength /
    2 /
    24000;
  const one = await seconds(1);
  // 0.25 and 0.35 are below espeak-ng's slowest rate (0.46): stretched; 2 and 4 are above its documented 450 wpm.
  for (const speed of [0.25, 0.35, 0.5, 2, 4]) {
    const s = await seconds(speed);
    process.stderr.write(`  speed ${speed}: ${s.toFixed(2)} s (speed 1: ${one.toFixed(2)} s)\n`);
    const ratio = one / s / speed; // 1 when the length is exactly the normal length / speed
    assert.ok(Math.abs(ratio - 1) < 0.2, `speed ${speed}: ${s.toFixed(2)} s, ${(ratio * 100).toFixed(0)}% of the expected rate`);
  }
});
