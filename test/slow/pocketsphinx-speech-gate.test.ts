// In test/slow (the complete gate, not test:quick): pocketsphinx decodes about 100 s of noise and speech, about 70 CPU-seconds.
// The zero-download engine hears no words in silence or room noise: pocketsphinx alone turns noise into words
// ("if", "thank", "mm"), so the engine gates it with the Silero VAD it already ships. 10 s of silence and of room
// noise made with sox (brown noise, pink noise with a slow swell, a fan-like hum with a beat) give no transcript
// over the WebSocket or REST, while real speech still transcribes, to the same words as without the gate.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { corpusWer } from '../helpers/wer.js';
import { connect, startTestServer, streamPcm, wsUrl } from '../integration/ws-harness.js';

const run = promisify(execFile);
const SOX = '-r 16000 -c 1 -b 16';
/**
 * 10 s each: what a quiet room, a hissing and a humming one sound like to a microphone. `-R`: sox seeds its noise and
 * dither with a fixed number, so every run hears the same noise (by default the seed is the clock).
 */
const NOISES: Record<string, string> = {
  silence: `sox -R -n ${SOX} OUT trim 0 10`,
  'brown noise': `sox -R -n ${SOX} OUT synth 10 brownnoise vol 0.2`,
  'pink noise, swelling': `sox -R -n ${SOX} OUT synth 10 pinknoise vol 0.1 tremolo 0.5 60`,
  'fan hum': `sox -R -n ${SOX} OUT synth 10 brownnoise synth 10 sine mix 60 synth 10 sine mix 120 tremolo 3 20 vol 0.15`,
};
/** LibriSpeech utterances whose words must not change with the gate. */
// (Measured over all 40 dev files: the same 40.8 % WER with and without the gate; two here, to keep the test short.)
const SPEECH = ['1272-135031-0001', '1993-147964-0010'];
/** Noise the ungated engine is known to hear words in (checked first: the gate must have something to stop). */
const WORDY_NOISES = ['brown noise', 'pink noise, swelling'];

let dir: string;
const noiseFiles = new Map<string, string>();
let h: Awaited<ReturnType<typeof startTestServer>>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-gate-'));
  for (const [name, cmd] of Object.entries(NOISES)) {
    const out = join(dir, `${name.replace(/\W+/g, '-')}.wav`);
    const [bin, ...args] = cmd.replace('OUT', out).split(' ');
    await run(bin!, args);
    noiseFiles.set(name, out);
  }
  // vad: true is what `earshot serve` and the app run with (Silero installed in ../shared/models).
  h = await startTestServer({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: true, pocketsphinxWorkers: 1 });
});
after(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Finals of `samples` through an engine's pocketsphinx stream in 100 ms writes (what `earshot transcribe` does). */
async function transcribe(engine: Engine, path: string): Promise<string> {
  const wav = decodeWav(readFileSync(path));
  const stream = engine
    .asr({ backend: 'pocketsphinx' })
    .createStream({ sampleRate: wav.sampleRate, endpointingMs: 600, vad: false, batch: true });
  const finals: string[] = [];
  stream.on('final', (f) => finals.push(f.text));
  const s = wav.channelData[0]!;
  const step = wav.sampleRate / 10;
  for (let i = 0; i < s.length; i += step) stream.write(s.subarray(i, i + step));
  await stream.close();
  return finals.join(' ').trim();
}

test('without the gate pocketsphinx hears words in this noise (the problem the gate solves)', async () => {
  const ungated = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false, pocketsphinxWorkers: 1 });
  try {
    await ungated.ready;
    const heard: string[] = [];
    for (const name of WORDY_NOISES) {
      const text = await transcribe(ungated, noiseFiles.get(name)!);
      if (text) heard.push(`${name}: "${text}"`);
    }
    console.log(`# ungated pocketsphinx on noise: ${heard.join('; ') || 'nothing'}`);
    assert.ok(heard.length >= 1, `expected words from noise without the gate, got: ${heard.join('; ') || 'nothing'}`);
  } finally {
    await ungated.close();
  }
});

test('silence and room noise give no words over the WebSocket (no final, no interim text)', async () => {
  for (const [name, path] of noiseFiles) {
    const bytes = readFileSync(path);
    const wav = decodeWav(bytes);
    const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: wav.sampleRate }));
    await c.waitFor((m) => m.type === 'ready');
    // Faster than real time (4×): the decoder sees the same blocks either way.
    await streamPcm(c.ws, bytes.subarray(wav.dataOffset, wav.dataOffset + wav.dataBytes), wav.sampleRate, 100, 25);
    c.send({ type: 'end' });
    await c.waitFor((m) => m.type === 'session_complete', 300_000);
    await c.closed;
    const texts = c.messages.filter((m) => m.type === 'transcript' && String(m.text).trim()).map((m) => m.text);
    assert.deepEqual(texts, [], `${name}: words over the WebSocket`);
    assert.deepEqual(
      c.messages.filter((m) => m.type === 'error'),
      [],
      name,
    );
  }
});

test('silence and room noise give empty text over REST (POST /v1/audio/transcriptions)', async () => {
  for (const [name, path] of noiseFiles) {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(readFileSync(path))]), 'noise.wav');
    const r = await fetch(`${h.server.asrUrl}/v1/audio/transcriptions`, { method: 'POST', body: form });
    const body = (await r.json()) as { text?: string };
    assert.equal(r.status, 200, `${name}: ${JSON.stringify(body)}`);
    assert.equal(body.text?.trim(), '', `${name}: words over REST`);
  }
});

test('real speech transcribes to the same words with the gate as without it', async () => {
  const refs = librispeechRefs();
  const ungated = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false, pocketsphinxWorkers: 1 });
  try {
    await ungated.ready;
    const gatedPairs = [];
    const ungatedPairs = [];
    for (const id of SPEECH) {
      const path = join(LIBRISPEECH, `${id}.wav`);
      const reference = refs.get(id)!;
      const [g, u] = [await transcribe(h.engine, path), await transcribe(ungated, path)];
      assert.ok(g.split(' ').length > 5, `${id}: gated transcript "${g}"`);
      gatedPairs.push({ reference, hypothesis: g });
      ungatedPairs.push({ reference, hypothesis: u });
    }
    const [gw, uw] = [corpusWer(gatedPairs).wer, corpusWer(ungatedPairs).wer];
    console.log(`# WER on ${SPEECH.length} LibriSpeech files: gated ${(gw * 100).toFixed(1)}%, ungated ${(uw * 100).toFixed(1)}%`);
    // The gate only drops utterances Silero hears no speech in; speech utterances decode exactly as before.
    assert.ok(Math.abs(gw - uw) <= 0.005, `gated WER ${(gw * 100).toFixed(1)}% vs ungated ${(uw * 100).toFixed(1)}%`);
  } finally {
    await ungated.close();
  }
});
