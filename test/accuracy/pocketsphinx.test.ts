// The pocketsphinx backend with the real system library and model, on real LibriSpeech speech.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeWav, resample } from '../../src-main/core/audio/index.js';
import { EnergyVad } from '../../src-main/core/engine/backends/pocketsphinx/energy-vad.js';
import { loadPocketsphinxAsr, pocketsphinxStatus } from '../../src-main/core/engine/backends/pocketsphinx/index.js';
import { baseWord, cleanHypothesis, isFiller, segmentsToWords } from '../../src-main/core/engine/backends/pocketsphinx/words.js';
import type { AsrEngine, AsrFinal, AsrPartial, AsrStream } from '../../src-main/core/engine/types.js';
import { LIBRISPEECH, LONGFORM } from '../helpers/shared.js';
import { wordErrorRate } from '../helpers/wer.js';

interface Segment {
  start_ms: number;
  end_ms: number;
  text?: string;
  ref?: string;
}
const meeting = JSON.parse(readFileSync(join(LONGFORM, 'dev-meeting-1.json'), 'utf8')) as { segments: Segment[] };
const SEGMENTS = meeting.segments.slice(0, 4);
const refText = (s: Segment) => s.text ?? s.ref ?? '';
/** The first four utterances of the long recording (with their pauses), 16 kHz. */
const AUDIO = (() => {
  const wav = decodeWav(readFileSync(join(LONGFORM, 'dev-meeting-1.wav')));
  return wav.channelData[0]!.subarray(0, Math.round(((SEGMENTS.at(-1)!.end_ms + 1000) * wav.sampleRate) / 1000));
})();
const SHORT = decodeWav(readFileSync(join(LIBRISPEECH, '1272-135031-0001.wav'))).channelData[0]!;

let engine: AsrEngine & { close(): Promise<void> };
before(async () => {
  engine = await loadPocketsphinxAsr({ threads: 1 });
});
after(() => engine?.close());

interface Run {
  partials: AsrPartial[];
  finals: AsrFinal[];
  events: string[];
  last: AsrFinal | null;
}

/** Write `samples` in 100 ms pieces, then close; collect everything the stream said. */
async function transcribe(stream: AsrStream, samples: Float32Array, rate: number): Promise<Run> {
  const r: Run = { partials: [], finals: [], events: [], last: null };
  stream.on('partial', (p) => (r.partials.push(p), r.events.push('partial')));
  stream.on('final', (f) => (r.finals.push(f), r.events.push('final')));
  stream.on('error', (e) => r.events.push(`error ${e.message}`));
  const step = rate / 10;
  for (let i = 0; i < samples.length; i += step) stream.write(samples.subarray(i, i + step));
  r.last = await stream.close();
  return r;
}

test('status says the addon and model are there', () => {
  const s = pocketsphinxStatus();
  assert.equal(s.available, true, s.detail);
  assert.equal(s.kind, 'asr');
  assert.match(s.detail, /en-us/);
  assert.equal(engine.backend, 'pocketsphinx');
  assert.equal(engine.sampleRate, 16000);
});

test('streams: partials while speaking, one final per pause-separated utterance, times in stream ms', async () => {
  const stream = engine.createStream({ sampleRate: 16000, endpointingMs: 600 });
  const r = await transcribe(stream, AUDIO, 16000);
  assert.ok(!r.events.some((e) => e.startsWith('error')), r.events.join('\n'));
  assert.ok(r.finals.length >= SEGMENTS.length, `only ${r.finals.length} finals for ${SEGMENTS.length} utterances`);
  assert.ok(r.finals.filter((f) => f.reason === 'endpoint').length >= SEGMENTS.length - 1);
  assert.ok(r.partials.length > r.finals.length, 'partials come while audio streams');
  assert.equal(r.events[0], 'partial', 'a partial precedes the first final');
  // Within an utterance, a partial is sent only when its text changed.
  let p = 0;
  let previous: string | null = null;
  for (const e of r.events) {
    if (e === 'final') previous = null;
    else if (e === 'partial') {
      const text = r.partials[p++]!.text;
      assert.notEqual(text, previous, 'repeated partial');
      previous = text;
    }
  }
  let prevEnd = 0;
  for (const f of r.finals) {
    assert.ok(f.startMs >= prevEnd && f.endMs > f.startMs, `final ${f.startMs}-${f.endMs} out of order`);
    prevEnd = f.endMs;
    assert.ok(f.confidence >= 0 && f.confidence <= 1);
    assert.equal(f.text, f.words.map((w) => w.word).join(' '));
    for (const w of f.words) {
      assert.ok(!isFiller(w.word) && !/\(\d+\)$/.test(w.word), `non-word "${w.word}" in a final`);
      assert.ok(w.startMs >= f.startMs && w.endMs <= f.endMs && w.endMs > w.startMs);
    }
    // Every final lies within one reference utterance (timestamps are real stream time).
    const mid = (f.startMs + f.endMs) / 2;
    assert.ok(
      SEGMENTS.some((s) => mid >= s.start_ms - 200 && mid <= s.end_ms + 200),
      `final at ${f.startMs}-${f.endMs} ms is in a pause (segments: ${SEGMENTS.map((s) => `${s.start_ms}-${s.end_ms}`).join(', ')})`,
    );
  }
  const wer = wordErrorRate(SEGMENTS.map(refText).join(' '), r.finals.map((f) => f.text).join(' '));
  console.log(
    `pocketsphinx stream over ${(AUDIO.length / 16000).toFixed(1)} s: ${r.finals.length} finals, ${r.partials.length} partials, WER ${(wer * 100).toFixed(1)}%`,
  );
  assert.ok(wer < 0.6, `WER ${wer}`);
  assert.equal(engine.activeStreams, 0, 'closed streams are released');
});

test('input at 44.1 kHz is resampled to the same words and times', async () => {
  const at16 = await transcribe(engine.createStream({ sampleRate: 16000, endpointingMs: false }), SHORT, 16000);
  const at44 = await transcribe(engine.createStream({ sampleRate: 44100, endpointingMs: false }), resample(SHORT, 16000, 44100), 44100);
  assert.ok(at16.last && at44.last);
  assert.ok(wordErrorRate(at16.last.text, at44.last.text) <= 0.1, `16k "${at16.last.text}" vs 44.1k "${at44.last.text}"`);
  assert.ok(Math.abs(at16.last.words[0]!.startMs - at44.last.words[0]!.startMs) <= 50);
  assert.ok(Math.abs(at16.last.endMs - at44.last.endMs) <= 100);
});

test('flush ends the utterance now; endpointing false waits for it; the stream goes on afterwards', async () => {
  const stream = engine.createStream({ sampleRate: 16000, endpointingMs: false });
  const finals: AsrFinal[] = [];
  stream.on('final', (f) => finals.push(f));
  const half = AUDIO.subarray(0, 16000 * 20); // 20 s: two utterances with a pause, no endpoint allowed
  for (let i = 0; i < half.length; i += 1600) stream.write(half.subarray(i, i + 1600));
  const first = await stream.flush();
  assert.ok(first, 'flush returns the final');
  assert.equal(first.reason, 'flush');
  assert.equal(finals.length, 1, 'no endpoint finals with endpointingMs false');
  assert.deepEqual(finals[0], first, 'the flushed final is also emitted');
  assert.equal(await stream.flush(), null, 'nothing new to flush');
  for (let i = 0; i < SHORT.length; i += 1600) stream.write(SHORT.subarray(i, i + 1600));
  const last = await stream.close();
  assert.ok(last && last.startMs >= 20000, 'times continue across flushes');
  assert.equal(await stream.close(), last, 'close is idempotent');
  assert.throws(() => stream.write(new Float32Array(10)), /closed/);
});

test('silence gives no final; concurrent streams are independent', async () => {
  const silent = engine.createStream({ sampleRate: 16000 });
  for (let i = 0; i < 30; i++) silent.write(new Float32Array(1600));
  const [s, a, b] = await Promise.all([
    silent.close(),
    transcribe(engine.createStream({ sampleRate: 16000, endpointingMs: false }), SHORT, 16000),
    transcribe(engine.createStream({ sampleRate: 16000, endpointingMs: false }), SHORT, 16000),
  ]);
  assert.equal(s, null);
  assert.ok(a.last && b.last);
  assert.equal(a.last.text, b.last.text);
});

test('bad arguments are rejected with specific errors', async () => {
  assert.throws(() => engine.createStream({ sampleRate: 4000 }), /8000 to 48000/);
  assert.throws(() => engine.createStream({ sampleRate: 16000, endpointingMs: 5 }), /endpointingMs/);
  const s = engine.createStream({ sampleRate: 16000 });
  assert.throws(() => s.write([0.1, 0.2] as unknown as Float32Array), TypeError);
  assert.throws(() => s.write(new Float32Array(16000 * 11)), /exceeds 10 s/);
  assert.equal(await s.close(), null);
});

test('word helpers: fillers, alternates, frame times', () => {
  for (const w of ['<s>', '</s>', '<sil>', '[NOISE]', '++BREATH++', '<unk>']) assert.ok(isFiller(w), w);
  assert.ok(!isFiller('hello'));
  assert.equal(baseWord('read(2)'), 'read');
  assert.equal(cleanHypothesis('<s> hello(2) <sil> world [NOISE]'), 'hello world');
  assert.equal(cleanHypothesis(null), '');
  const r = segmentsToWords(
    [
      { word: '<s>', startFrame: 0, endFrame: 9, prob: 1 },
      { word: 'hi(2)', startFrame: 10, endFrame: 29, prob: 0.5 },
      { word: '<sil>', startFrame: 30, endFrame: 39, prob: 1 },
      { word: 'there', startFrame: 40, endFrame: 59, prob: 1 },
    ],
    1000,
  );
  assert.deepEqual(r.words, [
    { word: 'hi', startMs: 1100, endMs: 1300 },
    { word: 'there', startMs: 1400, endMs: 1600 },
  ]);
  assert.equal(r.confidence, 0.75);
});

test('energy VAD: speech onset and end on a burst between silences', () => {
  const vad = new EnergyVad();
  const tone = (n: number, amp: number) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * 220 * i) / 16000));
  const noise = (n: number) => Float32Array.from({ length: n }, (_, i) => 0.0005 * Math.sin(i * 12.9898)); // ~ -69 dBFS
  assert.equal(vad.push(noise(16000)), -1);
  assert.equal(vad.silenceAt(vad.pos), Infinity);
  const onset = vad.push(tone(8000, 0.3));
  assert.equal(onset, 16000, 'speech starts where the burst starts');
  vad.push(noise(8000));
  assert.equal(vad.lastVoicedEnd, 24000);
  assert.equal(vad.silenceAt(vad.pos), 8000);
});

test('without the model the backend reports why, and loading fails cleanly', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const code = `
    const m = await import(${JSON.stringify(new URL('../../src-main/core/engine/backends/pocketsphinx/index.ts', import.meta.url).href)});
    const s = m.pocketsphinxStatus();
    let load = 'loaded';
    try { await m.loadPocketsphinxAsr({}); } catch (e) { load = e.code + ': ' + e.message; }
    console.log(JSON.stringify({ s, load }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, EARSHOT_POCKETSPHINX_MODEL: '/nonexistent/model' },
  });
  const r = JSON.parse(stdout) as { s: { available: boolean; detail: string }; load: string };
  assert.equal(r.s.available, false);
  assert.match(r.s.detail, /model file missing: \/nonexistent\/model/);
  assert.match(r.load, /^model_unavailable: pocketsphinx unavailable/);
});
