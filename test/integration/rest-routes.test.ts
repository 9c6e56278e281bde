// REST routes over a real socket with real engines (sherpa tone fixtures for exact ASR: NeMo CTC and zipformer
// transducer, espeak-ng for TTS):
// health/readiness, model and voice lists, /v1/audio/transcriptions formats, /v1/audio/speech and
// /v1/tts/stream (chunked and SSE), and specific 400s for bad bodies.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TONE_MODELS } from '../helpers/fixtures.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { decodeWav, encodeWav, parseWavHeader, resample } from '../../src-main/core/audio/index.js';
import { startHarness, type Harness } from './grpc-rest-harness.js';
import { EngineList, ModelList } from '../../proto/rest-models.js';

let h: Harness;
let readyzBeforeWarm: number;

before(async () => {
  h = await startHarness({
    engine: { asr: TONE_MODELS.map((model) => ({ backend: 'sherpa' as const, model })), tts: [{ backend: 'espeak' }] },
    awaitReady: false,
  });
  // Asked before the engine has loaded and warmed its models.
  readyzBeforeWarm = (await fetch(`${h.baseUrl}/readyz`)).status;
  await h.engine.ready;
});
after(async () => {
  await h?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${h.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

function form(file: Buffer | null, fields: Record<string, string>): FormData {
  const f = new FormData();
  if (file) f.append('file', new Blob([new Uint8Array(file)], { type: 'audio/wav' }), 'audio.wav');
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

test('healthz is 200; readyz is 503 before warm-up and 200 after', async () => {
  assert.equal((await fetch(`${h.baseUrl}/healthz`)).status, 200);
  assert.equal(readyzBeforeWarm, 503);
  const r = await fetch(`${h.baseUrl}/readyz`);
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as any).ready, true);
});

test('GET /v1/models and /v1/voices list what the engine has; fixtures only with the developer switch', async () => {
  const forUsers = (await (await fetch(`${h.baseUrl}/v1/models`)).json()) as any;
  assert.equal(forUsers.object, 'list');
  assert.ok(forUsers.data.length > 0);
  assert.deepEqual(
    forUsers.data.filter((m: any) => m.fixture || ['tone-alphabet', 'compute-20m'].includes(m.id)).map((m: any) => m.id),
    [],
  );
  h.ctx.listFixtures = true;
  const models = (await (await fetch(`${h.baseUrl}/v1/models`)).json()) as any;
  h.ctx.listFixtures = false;
  for (const model of TONE_MODELS)
    assert.ok(
      models.data.some((m: any) => m.id === model && m.installed && m.fixture),
      model,
    );
  const voices = (await (await fetch(`${h.baseUrl}/v1/voices`)).json()) as any;
  assert.ok(voices.data.some((v: any) => v.id === 'espeak:en-us' && v.sample_rate === 22050 && v.backend === 'espeak'));
});

test('GET /v1/models entries and GET /v1/engines match the proto/ schemas the UI parses', async () => {
  const models = ModelList.parse(await (await fetch(`${h.baseUrl}/v1/models`)).json());
  const zip = models.data.find((m) => m.id === 'zipformer-en-20m')!;
  assert.equal(zip.name, 'Streaming Zipformer English 20M (int8)');
  assert.equal(
    zip.download_url,
    'https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models/sherpa-onnx-streaming-zipformer-en-20M-2023-02-17.tar.bz2',
  );
  assert.equal(models.data.find((m) => m.id === 'silero-vad')!.size_bytes, 2327524);
  const engines = EngineList.parse(await (await fetch(`${h.baseUrl}/v1/engines`)).json());
  assert.deepEqual(
    engines.data.map((e) => `${e.id}:${e.kind}`),
    ['sherpa:asr', 'pocketsphinx:asr', 'sherpa:tts', 'espeak:tts'],
  );
  const sherpa = engines.data[0]!;
  assert.equal(sherpa.available, true);
  assert.match(sherpa.detail, /tone-alphabet \(fixture\)/);
  assert.deepEqual(sherpa.languages, [], 'a fixture captions no language for users');
  assert.equal(engines.data.find((e) => e.id === 'espeak')!.available, true);
});

for (const model of TONE_MODELS) {
  describe(model, () => {
    test('POST /v1/audio/transcriptions: WAV at 44.1 kHz in every response_format', async () => {
      const wav = encodeWav(resample(toneAudio('hello world', { tail: 1.5 }).slice(), 16000, 44100), 44100);
      const ask = (format: string) =>
        fetch(`${h.baseUrl}/v1/audio/transcriptions`, { method: 'POST', body: form(wav, { model, response_format: format }) });
      const json = await ask('json');
      assert.equal(json.status, 200);
      assert.deepEqual(await json.json(), { text: 'hello world' });
      assert.equal(await (await ask('text')).text(), 'hello world\n');
      const srt = await (await ask('srt')).text();
      assert.match(srt, /^1\n00:00:00,\d{3} --> 00:00:0\d,\d{3}\nhello world\n/);
      const vtt = await (await ask('vtt')).text();
      assert.match(vtt, /^WEBVTT\n\n00:00:00\.\d{3} --> 00:00:0\d\.\d{3}\nhello world\n/);
      const verbose = (await (await ask('verbose_json')).json()) as any;
      assert.equal(verbose.text, 'hello world');
      assert.equal(verbose.segments.length, 1);
      assert.ok(verbose.segments[0].end > verbose.segments[0].start);
      assert.ok(verbose.duration > 3);
      assert.ok(verbose.words.length >= 2);
    });
  });
}

test('POST /v1/audio/transcriptions: bad requests are specific 400s', async () => {
  const url = `${h.baseUrl}/v1/audio/transcriptions`;
  const wav = encodeWav(toneAudio('a'), 16000);
  const cases: [RequestInit, number, string, RegExp][] = [
    [{ method: 'POST', body: form(null, { model: 'tone-alphabet' }) }, 400, 'bad_audio', /file/],
    [{ method: 'POST', body: form(wav, { response_format: 'mp3' }) }, 400, 'bad_config', /response_format/],
    [{ method: 'POST', body: form(wav, { model: 'nope' }) }, 404, 'model_unavailable', /nope/],
    [{ method: 'POST', body: form(wav, { colour: 'red' }) }, 400, 'bad_config', /colour/],
    [{ method: 'POST', body: form(Buffer.from('RIFF0000WAVEjunk'), { model: 'tone-alphabet' }) }, 400, 'bad_audio', /WAV/],
    [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 400, 'bad_config', /multipart/],
  ];
  for (const [init, status, code, message] of cases) {
    const r = await fetch(url, init);
    const body = (await r.json()) as any;
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code);
    assert.match(body.error.message, message);
  }
});

test('POST /v1/audio/speech: a WAV comes whole with its true sizes; pcm streams at 24 kHz', async () => {
  const input = 'Hello from the speech endpoint. A second sentence.';
  const r = await post('/v1/audio/speech', { model: 'tts-1', input, voice: 'alloy', response_format: 'wav' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'audio/wav');
  const buf = Buffer.from(await r.arrayBuffer());
  assert.equal(Number(r.headers.get('content-length')), buf.byteLength);
  assert.equal(buf.readUInt32LE(40), buf.byteLength - 44, 'true data size');
  const info = parseWavHeader(buf);
  assert.equal(info.sampleRate, 24000);
  const wav = decodeWav(buf);
  assert.ok(wav.channelData[0]!.length > 24000, 'more than a second of speech');
  const p = await post('/v1/audio/speech', { model: 'tts-1', input, voice: 'alloy', response_format: 'pcm' });
  assert.equal(p.headers.get('content-type'), 'audio/pcm');
  assert.equal(p.headers.get('transfer-encoding'), 'chunked');
  assert.equal(p.headers.get('x-sample-rate'), '24000');
  assert.equal((await p.arrayBuffer()).byteLength, buf.byteLength - 44, 'the same samples as the WAV');
});

test('POST /v1/audio/speech: unknown Earshot voice and unsupported formats are 400s', async () => {
  let r = await post('/v1/audio/speech', { input: 'x', voice: 'espeak:xx-nope' });
  let b = (await r.json()) as any;
  assert.equal(r.status, 400);
  assert.match(b.error.message, /unknown voice "espeak:xx-nope"/);
  r = await post('/v1/audio/speech', { input: 'x', response_format: 'ogg-speex' });
  b = (await r.json()) as any;
  assert.equal(r.status, 400);
  assert.match(b.error.message, /response_format must be one of mp3, wav, pcm, opus, aac, flac/);
  r = await post('/v1/audio/speech', { input: 'x', response_format: 'mp3', sample_rate: 40000 });
  assert.equal(r.status, 400);
  assert.match(((await r.json()) as any).error.message, /sample_rate 40000 cannot be carried by MP3/);
  r = await post('/v1/audio/speech', { input: '' });
  assert.equal(r.status, 400);
  assert.match(((await r.json()) as any).error.message, /input is empty/);
  r = await post('/v1/audio/speech', '{"input": ');
  b = (await r.json()) as any;
  assert.equal(r.status, 400);
  assert.equal(b.error.code, 'bad_json');
  r = await post('/v1/audio/speech', { input: 'x', speed: 9 });
  assert.equal(r.status, 400);
  assert.match(((await r.json()) as any).error.message, /speed/);
});

test('POST /v1/tts/stream: chunked raw PCM at the requested rate', async () => {
  const r = await post('/v1/tts/stream', { text: 'Chunked streaming works.', voice: 'espeak:en-us', sample_rate: 16000 });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'audio/pcm');
  assert.equal(r.headers.get('x-sample-rate'), '16000');
  assert.equal(r.headers.get('transfer-encoding'), 'chunked');
  const pcm = Buffer.from(await r.arrayBuffer());
  assert.equal(pcm.length % 2, 0);
  assert.ok(pcm.length / 2 > 8000, 'over half a second of audio');
});

test('POST /v1/tts/stream with Accept: text/event-stream sends start, base64 audio events, done', async () => {
  const r = await post('/v1/tts/stream', { text: 'Events please. Two sentences.', request_id: 'sse1' }, { accept: 'text/event-stream' });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
  const text = await r.text();
  const events = text
    .trim()
    .split('\n\n')
    .map((block) => {
      const ev = /^event: (.+)$/m.exec(block)![1];
      const data = JSON.parse(/^data: (.+)$/m.exec(block)![1]!);
      return { ev, data };
    });
  assert.equal(events[0]!.ev, 'start');
  assert.equal(events[0]!.data.request_id, 'sse1');
  assert.equal(events.at(-1)!.ev, 'done');
  const audio = events.filter((e) => e.ev === 'audio');
  assert.ok(audio.length >= 2);
  assert.deepEqual(
    audio.map((e) => e.data.sequence),
    audio.map((_, i) => i),
  );
  const bytes = audio.reduce((n, e) => n + Buffer.from(e.data.audio, 'base64').length, 0);
  assert.equal(bytes / 2, events.at(-1)!.data.samples);
});

test('POST /v1/tts/stream: bad bodies are specific 400s', async () => {
  const cases: [unknown, string, RegExp][] = [
    [{}, 'bad_config', /text/],
    [{ text: '' }, 'bad_config', /text is empty/],
    [{ text: 'x', format: 'ogg' }, 'bad_config', /format/],
    [{ text: 'x', sample_rate: 100 }, 'bad_config', /sample_rate/],
    [{ text: 'x', voice: 'nobody' }, 'bad_config', /unknown voice "nobody"/],
    ['[1,2', 'bad_json', /JSON/i],
  ];
  for (const [body, code, message] of cases) {
    const r = await post('/v1/tts/stream', body);
    const b = (await r.json()) as any;
    assert.equal(r.status, 400, JSON.stringify(b));
    assert.equal(b.error.code, code);
    assert.match(b.error.message, message);
  }
  const huge = await post('/v1/tts/stream', { text: 'a'.repeat(h.ctx.limits.maxTtsTextChars + 1) });
  assert.equal(huge.status, 413);
  assert.equal(((await huge.json()) as any).error.code, 'too_large');
});
