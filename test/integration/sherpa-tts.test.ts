// sherpa-onnx TTS through the real OfflineTts with the synthetic piper/VITS fixture, whose "audio" is the
// token-id sequence × 0.001: reading it back through tokens.txt gives the exact phonemes sherpa generated.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { loadSherpaTts, type SherpaSynthesizer } from '../../src-main/core/engine/backends/sherpa/tts.js';
import { requestSentences, TtsRequestError } from '../../src-main/core/engine/text/tts-request.js';
import { resolveModel, catalogModel } from '../../src-main/core/engine/models/catalog.js';
import type { SynthesisChunk } from '../../src-main/core/engine/types.js';
import { MODELS } from '../helpers/shared.js';

const DIR = join(MODELS, 'synthetic-piper-vits-fixture');
const MODEL = {
  id: 'synthetic-piper-fixture',
  name: 'Synthetic piper fixture',
  language: 'en',
  type: 'vits',
  path: DIR,
  paths: { model: join(DIR, 'model.onnx'), tokens: join(DIR, 'tokens.txt') },
  fixture: true,
};
const TOKENS = new Map(
  readFileSync(join(DIR, 'tokens.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => [Number(l.slice(l.lastIndexOf(' ') + 1)), l.slice(0, l.lastIndexOf(' '))] as [number, string]),
);

/** The phoneme string a chunk encodes: samples×1000 through tokens.txt, from ^ to $. */
function phonemes(samples: Float32Array): string {
  let out = '';
  for (let i = 0; i < samples.length; i++) {
    const id = Math.round(samples[i]! * 1000);
    out += TOKENS.get(id) ?? `<${id}>`;
    if (id === 2) break; // '$' ends the sequence
  }
  return out;
}

async function collect(it: AsyncIterable<SynthesisChunk>): Promise<SynthesisChunk[]> {
  const out: SynthesisChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

/** A whole text cut as it is for a sherpa voice: with a quick start (a short first piece). */
const quick = (text: string) => requestSentences(text, undefined, { quickStart: true });

let tts: SherpaSynthesizer;
before(async () => {
  tts = await loadSherpaTts(MODEL, { threads: 1 });
});

test('loads the fixture voice and lists it as a fixture', () => {
  assert.deepEqual(tts.voices(), [
    { id: 'synthetic-piper-fixture', name: 'Synthetic piper fixture', language: 'en', backend: 'sherpa', sampleRate: 22050, fixture: true },
  ]);
});

test('generates the exact phoneme sequence for a text (espeak-ng phonemizer with Debian data)', async () => {
  const chunks = await collect(tts.synthesize({ pieces: requestSentences('Hello world, this is a live captioning test.') }));
  assert.ok(chunks.length >= 1);
  assert.equal(chunks[0]!.sampleRate, 22050);
  assert.equal(
    phonemes(chunks[0]!.samples),
    '^_h_ə_l_ˈ_o_ʊ_ _w_ˈ_ɜ_ː_l_d_,_ _ð_ɪ_s_ _ɪ_z_ _ɐ_ _l_ˈ_a_ɪ_v_ _k_ˈ_æ_p_ʃ_ə_n_ɪ_ŋ_ _t_ˈ_ɛ_s_t_._$',
  );
});

test('streams one sentence at a time, in order, each with its own phonemes', async () => {
  const chunks = await collect(tts.synthesize({ pieces: quick('Hello world. Second one! Third?') }));
  assert.deepEqual([...new Set(chunks.map((c) => c.sentence))], [0, 1, 2]);
  const first = (i: number) => chunks.find((c) => c.sentence === i)!;
  assert.equal(phonemes(first(0).samples), '^_h_ə_l_ˈ_o_ʊ_ _w_ˈ_ɜ_ː_l_d_._$');
  assert.equal(phonemes(first(1).samples), '^_s_ˈ_ɛ_k_ə_n_d_ _w_ˌ_ʌ_n_!_$');
  assert.equal(phonemes(first(2).samples), '^_ˈ_ɜ_ː_d_?_$'); // θ is not in the fixture's tokens
});

test('generation does not run on the event loop: the voice runs in its own worker thread', async () => {
  // (A setImmediate queued before the request used to be the check; a worker can answer within the same I/O phase,
  // so the order of the two proves nothing either way. The thread that holds the voice does.)
  const chunks: number[] = [];
  for await (const c of tts.synthesize({ pieces: quick('Hello world.') })) chunks.push(c.samples.length);
  assert.ok(chunks.length > 0 && chunks.every((n) => n > 0));
  const workers = tts.workerGenerations();
  assert.equal(workers.length >= 1, true);
  for (const w of workers) assert.notEqual(w.threadId, threadId, 'the voice must not run on the main thread');
});

test('abort stops after the current chunk; a consumer that breaks early stops generation too', async () => {
  const text = Array.from({ length: 20 }, (_, i) => `Sentence number ${i + 1}.`).join(' ');
  const ac = new AbortController();
  const got: SynthesisChunk[] = [];
  for await (const c of tts.synthesize({ pieces: quick(text) }, ac.signal)) {
    got.push(c);
    ac.abort();
  }
  assert.equal(got.length, 1);
  for await (const c of tts.synthesize({ pieces: quick(text) })) {
    assert.equal(c.sentence, 0);
    break;
  }
  // The synthesizer is still usable afterwards (its lock was released).
  const again = await collect(tts.synthesize({ pieces: quick('Hello world.') }));
  assert.equal(phonemes(again[0]!.samples), '^_h_ə_l_ˈ_o_ʊ_ _w_ˈ_ɜ_ː_l_d_._$');
});

test('concurrent requests each get their own complete audio', async () => {
  const [a, b] = await Promise.all([
    collect(tts.synthesize({ pieces: quick('Hello world. Second one!') })),
    collect(tts.synthesize({ pieces: quick('Third?') })),
  ]);
  assert.deepEqual([...new Set(a.map((c) => c.sentence))], [0, 1]);
  assert.equal(phonemes(a[0]!.samples), '^_h_ə_l_ˈ_o_ʊ_ _w_ˈ_ɜ_ː_l_d_._$');
  assert.equal(phonemes(b[0]!.samples), '^_ˈ_ɜ_ː_d_?_$');
});

test('speed is passed to the model and validated', async () => {
  assert.throws(() => tts.synthesize({ pieces: quick('Hi.'), speed: 0 }), TtsRequestError);
  const chunks = await collect(tts.synthesize({ pieces: quick('Hello world.'), speed: 2 }));
  assert.equal(phonemes(chunks[0]!.samples), '^_h_ə_l_ˈ_o_ʊ_ _w_ˈ_ɜ_ː_l_d_._$');
});

test('bad requests fail at once with specific errors', () => {
  assert.throws(() => tts.synthesize({ pieces: quick('') }), /text is empty/);
  assert.throws(
    () => tts.synthesize({ pieces: quick('Hi.'), voice: 'nobody' }),
    (e: unknown) => e instanceof TtsRequestError && /unknown voice "nobody"/.test(e.message),
  );
});

test('a voice whose files are missing fails to load with the reason', async () => {
  await assert.rejects(
    loadSherpaTts({ ...MODEL, paths: { model: join(DIR, 'nope.onnx'), tokens: MODEL.paths.tokens } }),
    /model file missing/,
  );
  await assert.rejects(loadSherpaTts({ ...MODEL, type: 'tacotron' }), /not supported/);
});

test('the catalog entry resolves to the same fixture and loads', async () => {
  const entry = catalogModel('synthetic-piper-fixture');
  assert.ok(entry);
  const resolved = resolveModel(entry, [MODELS]);
  assert.ok(resolved, 'fixture resolves from ../shared/models');
  const t = await loadSherpaTts(resolved);
  assert.equal(t.voices()[0]!.fixture, true);
});

test('quick start: a long first sentence is spoken in two pieces, cut at its clause mark; the rest is untouched', async () => {
  const chunks = await collect(tts.synthesize({ pieces: quick('Hello world, this is a live captioning test. Second one!') }));
  assert.deepEqual([...new Set(chunks.map((c) => c.sentence))], [0, 1, 2]);
  const first = (i: number) => chunks.find((c) => c.sentence === i)!;
  assert.equal(phonemes(first(0).samples), '^_h_ə_l_ˈ_o_ʊ_ _w_ˈ_ɜ_ː_l_d_,_ _$'); // espeak-ng phonemizes the comma's pause too
  assert.equal(phonemes(first(1).samples), '^_ð_ɪ_s_ _ɪ_z_ _ɐ_ _l_ˈ_a_ɪ_v_ _k_ˈ_æ_p_ʃ_ə_n_ɪ_ŋ_ _t_ˈ_ɛ_s_t_._$');
  assert.equal(phonemes(first(2).samples), '^_s_ˈ_ɛ_k_ə_n_d_ _w_ˌ_ʌ_n_!_$');
});

test('a piece is spoken as it is given: one with an internal ". " is never cut into two pieces', async () => {
  const chunks = await collect(tts.synthesize({ pieces: ['Hello world. Second one!'] }));
  assert.deepEqual([...new Set(chunks.map((c) => c.sentence))], [0], 'every chunk belongs to the one piece');
  const spoken = chunks.map((c) => phonemes(c.samples)).join(' | ');
  assert.match(spoken, /h_ə_l_ˈ_o_ʊ_ _w_ˈ_ɜ_ː_l_d_\./);
  assert.match(spoken, /s_ˈ_ɛ_k_ə_n_d_ _w_ˌ_ʌ_n_!/);
});
