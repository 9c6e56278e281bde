// Issue 14's custom vocabulary on a real engine: the tone-transducer fixture hears a chord of "a" and "o" between
// "c" and "t" as "cot"; a stream with the custom word "cat" decodes on a recognizer biased by sherpa hotwords and
// reads "cat" (exact text), while a plain stream beside it still reads "cot". Over WebSocket the session option
// `vocabulary` does the same (and gRPC's StreamConfig.vocabulary); a model that cannot be biased (the CTC fixture) answers with a warning and the
// replacement list still applies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { SherpaAsrEngine, requireModel, type AsrFinal, type AsrStream } from '../../src-main/core/engine/index.js';
import { encodeWav } from '../../src-main/core/audio/index.js';
import { connect, startTestServer, streamPcm, toS16, wsUrl } from './ws-harness.js';
import { grpcClients, startHarness, unary } from './grpc-rest-harness.js';

const cat = toneAudio('cat', { tail: 1 });
const cot = toneAudio('cot', { tail: 1 });
/** "cat" and "cot" at once: the fixture scores "o" a little higher, so unbiased it reads "cot". */
const chord = cat.map((v, i) => (v + (cot[i] ?? 0)) / 2);

async function finalsOf(stream: AsrStream, samples: Float32Array): Promise<string[]> {
  const finals: AsrFinal[] = [];
  stream.on('final', (f) => finals.push(f));
  for (let i = 0; i < samples.length; i += 1600) stream.write(samples.slice(i, i + 1600));
  await stream.close();
  return finals.map((f) => f.text);
}

let engine: SherpaAsrEngine;
before(async () => {
  engine = await SherpaAsrEngine.load(requireModel('tone-transducer'), { threads: 1, warmup: false });
});
after(async () => {
  await engine?.close();
});

test('engine: a stream with the custom word "cat" reads the chord as "cat"; a plain stream beside it reads "cot"; a clear "cot" stays', async () => {
  assert.equal(typeof engine.checkVocabulary, 'function', 'the transducer fixture can be biased');
  const plain = engine.createStream({ sampleRate: 16000, endpointingMs: false, vad: false });
  const biased = engine.createStream({ sampleRate: 16000, endpointingMs: false, vad: false, hotwords: ['cat'] });
  const biasedClear = engine.createStream({ sampleRate: 16000, endpointingMs: false, vad: false, hotwords: ['cat'] });
  const [p, b, c] = await Promise.all([finalsOf(plain, chord), finalsOf(biased, chord), finalsOf(biasedClear, cot)]);
  assert.deepEqual(p, ['cot']);
  assert.deepEqual(b, ['cat']);
  assert.deepEqual(c, ['cot'], 'a clear "o" is not overridden');
});

test('engine: a custom word the model cannot spell is refused by name; phrases and limits', () => {
  assert.throws(() => engine.checkVocabulary!(['café']), /custom word "café": "é" is not a letter this model writes/);
  assert.throws(() => engine.createStream({ sampleRate: 16000, hotwords: ['naïve'] }), /"ï" is not a letter/);
  engine.checkVocabulary!(['hello world', 'Cat']);
  assert.throws(() => engine.checkVocabulary!(Array.from({ length: 101 }, () => 'a')), /at most 100 custom words/);
});

let ws: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  ws = await startTestServer({
    asr: [
      { backend: 'sherpa', model: 'tone-transducer' },
      { backend: 'sherpa', model: 'tone-alphabet' },
    ],
    tts: [],
  });
});
after(async () => {
  await ws?.close();
});

async function wsFinals(query: Record<string, string>, audio: Float32Array) {
  const c = connect(wsUrl(ws.server, 'asr', '/v1/audio/stream', { sample_rate: '16000', endpointing: 'false', ...query }));
  await c.waitFor((m) => m.type === 'ready');
  await streamPcm(c.ws, toS16(audio), 16000, 100, 0);
  c.send({ type: 'end' });
  await c.waitFor((m) => m.type === 'session_complete');
  return { finals: c.messages.filter((m) => m.type === 'transcript' && m.is_final).map((m) => m.text), messages: c.messages };
}

test('WS: vocabulary=cat biases the transducer ("cat"), without it "cot"; a word it cannot spell is bad_config', async () => {
  assert.deepEqual((await wsFinals({ model: 'tone-transducer' }, chord)).finals, ['cot']);
  assert.deepEqual((await wsFinals({ model: 'tone-transducer', vocabulary: 'cat, dog' }, chord)).finals, ['cat']);
  const c = connect(wsUrl(ws.server, 'asr', '/v1/audio/stream', { model: 'tone-transducer', vocabulary: 'café' }));
  const e = await c.waitFor((m) => m.type === 'error');
  assert.equal(e.code, 'bad_config');
  assert.match(e.message, /custom word "café"/);
});

test('WS: a model that cannot be biased warns vocabulary_unsupported and the replacement list still fixes the word', async () => {
  const r = await wsFinals({ model: 'tone-alphabet', vocabulary: 'cat', replacements: 'cot=>cat' }, cot);
  const warning = r.messages.find((m) => m.type === 'warning');
  assert.equal(warning?.code, 'vocabulary_unsupported');
  assert.match(warning.message, /model "tone-alphabet" cannot be biased toward custom words/);
  assert.deepEqual(r.finals, ['cat']);
});

test('gRPC: StreamConfig.vocabulary biases the transducer and StreamConfig.replacements rewrites the final', async () => {
  const h = await startHarness({ engine: { asr: [{ backend: 'sherpa', model: 'tone-transducer' }], tts: [] } });
  const clients = grpcClients(h);
  try {
    const wav = encodeWav(chord, 16000);
    const ask = async (config: object) => ((await unary(clients.asr, 'Transcribe', { audio: wav, config })) as any).text;
    assert.equal(await ask({ model: 'tone-transducer' }), 'cot');
    assert.equal(await ask({ model: 'tone-transducer', vocabulary: ['cat'] }), 'cat');
    assert.equal(await ask({ model: 'tone-transducer', vocabulary: ['cat'], replacements: ['cat=>kitten'] }), 'kitten');
  } finally {
    clients.close();
    await h.close();
  }
});

test('REST: POST /v1/audio/transcriptions takes vocabulary and replacements form fields', async () => {
  const h = await startHarness({ engine: { asr: [{ backend: 'sherpa', model: 'tone-transducer' }], tts: [] } });
  try {
    const ask = async (fields: Record<string, string>) => {
      const body = new FormData();
      body.append('file', new Blob([new Uint8Array(encodeWav(chord, 16000))], { type: 'audio/wav' }), 'chord.wav');
      for (const [k, v] of Object.entries({ model: 'tone-transducer', ...fields })) body.append(k, v);
      const r = await fetch(`${h.baseUrl}/v1/audio/transcriptions`, { method: 'POST', body });
      return ((await r.json()) as any).text;
    };
    assert.equal(await ask({}), 'cot');
    assert.equal(await ask({ vocabulary: 'cat' }), 'cat');
    assert.equal(await ask({ vocabulary: 'cat', replacements: 'cat=>kitten' }), 'kitten');
  } finally {
    await h.close();
  }
});
