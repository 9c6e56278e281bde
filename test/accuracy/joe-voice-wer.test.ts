// The real neural voice is really speech: 20 LibriSpeech dev reference sentences are spoken by the joe piper voice
// (sherpa-onnx, installed by build/voices/install-joe.mjs) and by espeak-ng, both through the engine, and each
// recording is transcribed by the engine's pocketsphinx backend (streaming, as a live caption would be). The
// neural voice must be understood better than espeak: a voice that speaks garbage, at the wrong rate or with the
// wrong tokens scores far worse than espeak's robotic but clear speech.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resample } from '../../src-main/core/audio/index.js';
import { loadPocketsphinxAsr } from '../../src-main/core/engine/backends/pocketsphinx/index.js';
import { createEngine, requestSentences, type AsrEngine, type Engine } from '../../src-main/core/engine/index.js';
import { librispeechRefs } from '../helpers/shared.js';
import { requireJoeVoice } from '../helpers/voices.js';
import { corpusWer } from '../helpers/wer.js';

const SENTENCES = 20;
let engine: Engine;
let asr: AsrEngine & { close(): Promise<void> };

before(async () => {
  requireJoeVoice();
  engine = await createEngine({ asr: [], tts: [{ voice: 'piper-en-us-joe-medium' }, { backend: 'espeak' }], vad: false });
  await engine.ready;
  asr = await loadPocketsphinxAsr({ threads: 1 });
});
after(async () => {
  await asr?.close();
  await engine?.close();
});

/** "WORDS LIKE THIS" -> "Words like this." (all-caps text would be read letter by letter in places). */
function sentenceCase(ref: string): string {
  const lower = ref.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1) + '.';
}

async function speak(text: string, voice: string): Promise<Float32Array> {
  const synth = engine.tts({ voice });
  const parts: Float32Array[] = [];
  let rate = 0;
  for await (const c of synth.synthesize({ pieces: requestSentences(text, undefined, { quickStart: true }), voice })) {
    parts.push(c.samples);
    rate = c.sampleRate;
  }
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) all.set(p, (o += p.length) - p.length);
  return resample(all, rate, 16000);
}

/** Transcribe like a live caption: 100 ms writes into a streaming recognizer, one final at the end. */
async function transcribe(samples: Float32Array): Promise<string> {
  const stream = asr.createStream({ sampleRate: 16000, endpointingMs: false, vad: false });
  const texts: string[] = [];
  stream.on('final', (f) => texts.push(f.text));
  for (let i = 0; i < samples.length; i += 1600) stream.write(samples.subarray(i, i + 1600));
  await stream.close();
  return texts.join(' ');
}

test(`${SENTENCES} reference sentences: the joe voice is understood better than espeak (pocketsphinx WER)`, async () => {
  const refs = [...librispeechRefs()].sort(([a], [b]) => a.localeCompare(b)).slice(0, SENTENCES);
  assert.equal(refs.length, SENTENCES);
  const joe: { reference: string; hypothesis: string }[] = [];
  const espeak: { reference: string; hypothesis: string }[] = [];
  for (const [, reference] of refs) {
    const text = sentenceCase(reference);
    joe.push({ reference, hypothesis: await transcribe(await speak(text, 'piper-en-us-joe-medium')) });
    espeak.push({ reference, hypothesis: await transcribe(await speak(text, 'espeak:en-us')) });
  }
  const j = corpusWer(joe);
  const e = corpusWer(espeak);
  const pct = (x: number) => (100 * x).toFixed(2) + '%';
  console.log(
    `pocketsphinx WER over ${SENTENCES} LibriSpeech dev sentences (${j.refWords} words): ` +
      `joe (piper, sherpa-onnx) ${pct(j.wer)} [S ${j.substitutions} D ${j.deletions} I ${j.insertions}], ` +
      `espeak-ng ${pct(e.wer)} [S ${e.substitutions} D ${e.deletions} I ${e.insertions}]`,
  );
  assert.ok(j.wer < e.wer, `joe WER ${pct(j.wer)} is not lower than espeak's ${pct(e.wer)}`);
});
