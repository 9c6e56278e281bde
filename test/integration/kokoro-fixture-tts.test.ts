// The Kokoro conformance fixture (models/fixtures/generate.py, kokoro-en-v0_19's interface) through the
// production path: createEngine loads it by catalog id with sherpa's OfflineTts, and a WebSocket TTS session
// speaks with it. Its "audio" encodes what sherpa fed the model ([phoneme ids × 0.001, speaker marker, length
// marker, speed] per sentence), so the test reads back the exact espeak-ng phonemes, the speaker and the speed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { requireModel } from '../../src-main/core/engine/index.js';
import '../helpers/fixtures.js';
import { connect, startTestServer, wsUrl } from './ws-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  h = await startTestServer({ asr: [], tts: [{ backend: 'sherpa', voice: 'kokoro-fixture' }] });
});
after(async () => {
  await h?.close();
});

const model = () => requireModel('kokoro-fixture');
const SYMBOLS = () =>
  new Map(
    readFileSync(model().paths.tokens!, 'utf8')
      .split('\n')
      .filter((l) => l.length)
      .map((l) => [Number(l.slice(l.lastIndexOf(' ') + 1)), l.slice(0, l.lastIndexOf(' '))] as [number, string]),
  );

/** Sentences encoded in the fixture's audio: "$ phonemes $" then speaker, length and speed markers. */
function decode(samples: Float32Array): { phonemes: string; speaker: number; tokens: number; speed: number }[] {
  const sym = SYMBOLS();
  const out = [];
  let i = 0;
  while (i < samples.length) {
    assert.equal(Math.round(samples[i]! * 1000), 0, `sentence starts with the pad "$" at sample ${i}`);
    let j = i + 1;
    while (j < samples.length && Math.round(samples[j]! * 1000) !== 0) j++;
    const ids = Array.from(samples.subarray(i + 1, j), (v) => Math.round(v * 1000));
    out.push({
      phonemes: ids.map((id) => sym.get(id) ?? `<${id}>`).join(''),
      speaker: Math.round(samples[j + 1]! * 100) - 1,
      tokens: Math.round(samples[j + 2]! * 1000),
      speed: Math.round(samples[j + 3]! * 100) / 100,
    });
    i = j + 4;
  }
  return out;
}

test('the engine loads the Kokoro fixture by catalog id with its 11 speakers', () => {
  const m = model();
  assert.equal(m.type, 'kokoro');
  assert.equal(m.fixture, true);
  const voices = h.engine.voices().filter((v) => v.id.startsWith('kokoro-fixture'));
  assert.equal(voices.length, 11);
  assert.ok(voices.every((v) => v.sampleRate === 24000 && v.backend === 'sherpa' && v.fixture));
});

test('a WebSocket TTS session speaks with it sentence by sentence: exact phonemes, the chosen speaker and speed', async () => {
  const c = connect(wsUrl(h.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  c.send({ text: 'Hello world. This is Kokoro.', voice: 'kokoro-fixture:3', request_id: 'k1', sample_rate: 24000, speed: 0.8 });
  const done = await c.waitFor((m) => m.type === 'synthesis_complete' && m.request_id === 'k1');
  assert.deepEqual(
    c.messages.filter((m) => m.type === 'error'),
    [],
  );
  assert.equal(done.sample_rate, 24000);
  const pcm = Buffer.concat(c.received.filter((r): r is { binary: Buffer } => 'binary' in r).map((r) => r.binary));
  assert.equal(pcm.length, done.samples * 2);
  const samples = Float32Array.from({ length: pcm.length / 2 }, (_, k) => pcm.readInt16LE(k * 2) / 32767);
  const sentences = decode(samples);
  assert.deepEqual(
    sentences.map((s) => s.phonemes),
    ['həlˈoʊ wˈɜːld. ', 'ðɪs ɪz kəkˈoːɹoʊ. '], // sherpa's Kokoro front-end ends each sentence with a space
  );
  for (const s of sentences) {
    assert.equal(s.speaker, 3, 'voice kokoro-fixture:3 is speaker 3 (af_sarah)');
    assert.equal(s.speed, 0.8);
    assert.equal(s.tokens, [...s.phonemes].length, 'the style row is chosen by token count, as sherpa does');
  }
  c.ws.close();
});
