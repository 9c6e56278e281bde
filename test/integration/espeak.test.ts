// The espeak-ng backend against the real espeak-ng program.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { decodeWav, rms } from '../../src-main/core/audio/index.js';
import { createEspeakSynthesizer, espeakStatus } from '../../src-main/core/engine/backends/espeak/index.js';
import { requestSentences, TtsRequestError } from '../../src-main/core/engine/text/tts-request.js';
import type { SynthesisChunk } from '../../src-main/core/engine/types.js';

const synth = createEspeakSynthesizer();

async function collect(it: AsyncIterable<SynthesisChunk>): Promise<SynthesisChunk[]> {
  const out: SynthesisChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

function samplesOf(chunks: SynthesisChunk[], sentence?: number): number {
  return chunks.filter((c) => sentence === undefined || c.sentence === sentence).reduce((n, c) => n + c.samples.length, 0);
}

/** espeak-ng child processes of this test process. */
function espeakChildren(): number {
  const r = spawnSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim() === 'espeak-ng').length;
}

test('espeak-ng is available and lists English and Arabic voices', () => {
  const status = espeakStatus();
  assert.equal(status.available, true, status.detail);
  const ids = synth.voices().map((v) => v.id);
  assert.ok(ids.includes('espeak:en-us'));
  assert.ok(ids.includes('espeak:ar'));
  for (const v of synth.voices()) assert.equal(v.backend, 'espeak');
});

test('streams sentence by sentence, each identical to espeak-ng run on that sentence alone', async () => {
  const sentences = ['Hello there.', 'This is the second sentence!', 'And a third one?'];
  const chunks = await collect(synth.synthesize({ pieces: requestSentences(sentences.join(' ')), voice: 'espeak:en-us' }));
  const order = chunks.map((c) => c.sentence);
  assert.deepEqual([...new Set(order)], [0, 1, 2], 'chunks come in sentence order');
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
  for (const [i, s] of sentences.entries()) {
    const raw = decodeWav(execFileSync('espeak-ng', ['--stdout', '-v', 'en-us', '-s', '175', s]));
    assert.equal(samplesOf(chunks, i), raw.channelData[0]!.length, `sentence ${i} length`);
    const got = new Float32Array(samplesOf(chunks, i));
    let o = 0;
    for (const c of chunks.filter((c) => c.sentence === i)) {
      got.set(c.samples, o);
      o += c.samples.length;
    }
    assert.deepEqual(got, raw.channelData[0]);
    assert.equal(chunks[0]!.sampleRate, raw.sampleRate);
  }
});

test('Arabic text is spoken with the Arabic voice (by id, by name and by language)', async () => {
  const text = 'مرحباً، كيف حالك؟ أنا بخير، شكراً.';
  for (const req of [{ voice: 'espeak:ar' }, { voice: 'Arabic' }, { language: 'ar' }]) {
    const chunks = await collect(synth.synthesize({ pieces: requestSentences(text), ...req }));
    assert.deepEqual([...new Set(chunks.map((c) => c.sentence))], [0, 1]);
    const all = new Float32Array(samplesOf(chunks));
    let o = 0;
    for (const c of chunks) {
      all.set(c.samples, o);
      o += c.samples.length;
    }
    assert.ok(all.length > 22050 * 0.8, `only ${all.length} samples`);
    assert.ok(rms(all) > 0.02, 'silent output');
  }
});

test('speed changes the speaking rate', async () => {
  const text = 'The quick brown fox jumps over the lazy dog.';
  const normal = samplesOf(await collect(synth.synthesize({ pieces: requestSentences(text), speed: 1 })));
  const fast = samplesOf(await collect(synth.synthesize({ pieces: requestSentences(text), speed: 2 })));
  assert.ok(fast < normal * 0.7, `speed 2 gave ${fast} samples vs ${normal}`);
});

test('abort stops at once and leaves no espeak-ng process', async () => {
  const text = Array.from({ length: 30 }, (_, i) => `This is sentence number ${i + 1} of a long text.`).join(' ');
  const ac = new AbortController();
  const chunks: SynthesisChunk[] = [];
  for await (const c of synth.synthesize({ pieces: requestSentences(text) }, ac.signal)) {
    chunks.push(c);
    if (chunks.length === 1) ac.abort();
  }
  assert.equal(chunks.length, 1, 'no chunk after abort');
  assert.equal(espeakChildren(), 0);
});

test('a consumer that stops early leaves no espeak-ng process', async () => {
  const text = 'One sentence here. Another sentence there. A third sentence.';
  for await (const c of synth.synthesize({ pieces: requestSentences(text) })) {
    assert.equal(c.sentence, 0);
    break;
  }
  assert.equal(espeakChildren(), 0);
});

test('an already aborted signal yields nothing', async () => {
  const ac = new AbortController();
  ac.abort();
  assert.deepEqual(await collect(synth.synthesize({ pieces: requestSentences('Hello.') }, ac.signal)), []);
});

test('bad requests fail at once with a specific error', () => {
  assert.throws(
    () => synth.synthesize({ pieces: requestSentences('Hi.'), voice: 'espeak:klingon' }),
    (e: unknown) => e instanceof TtsRequestError && /unknown espeak voice/.test(e.message),
  );
  assert.throws(() => synth.synthesize({ pieces: requestSentences('  ') }), /text is empty/);
  assert.throws(() => synth.synthesize({ pieces: requestSentences('Hi.'), speed: 9 }), /speed/);
  assert.throws(
    () => synth.synthesize({ pieces: requestSentences('a'.repeat(100_001)) }),
    (e: unknown) => e instanceof TtsRequestError && e.code === 'too_large',
  );
  assert.throws(() => synth.synthesize({ pieces: requestSentences('Hi.'), language: 'xx-nope' }), /no espeak voice for language/);
});

test('text that looks like an option is spoken, not parsed', async () => {
  const chunks = await collect(synth.synthesize({ pieces: requestSentences('--help -v ar') }));
  assert.ok(samplesOf(chunks) > 1000);
});

test('a piece is spoken as it is given: one with an internal ". " is one espeak-ng run, never cut again', async () => {
  const piece = 'One sentence here. Another one there.';
  const chunks = await collect(synth.synthesize({ pieces: [piece], voice: 'espeak:en-us' }));
  assert.deepEqual([...new Set(chunks.map((c) => c.sentence))], [0], 'every chunk belongs to the one piece');
  const raw = decodeWav(execFileSync('espeak-ng', ['--stdout', '-v', 'en-us', '-s', '175', piece]));
  assert.equal(samplesOf(chunks), raw.channelData[0]!.length, 'the same audio as espeak-ng run once on the whole piece');
});

test('pieces that were not cut by the splitter are refused by name', () => {
  assert.throws(
    () => synth.synthesize({ pieces: ['word '.repeat(60)] }),
    (e: unknown) => e instanceof TtsRequestError && /piece 0 is 300 characters; .* at most 200/.test(e.message),
  );
  assert.throws(() => synth.synthesize({ pieces: [] }), /no pieces/);
  assert.throws(() => synth.synthesize({ pieces: ['Fine.', ' '] }), /piece 1 is empty/);
});
