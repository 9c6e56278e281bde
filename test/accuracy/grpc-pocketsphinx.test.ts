// gRPC StreamingTranscribe with pocketsphinx on real speech (LibriSpeech dev-clean), streamed in 100 ms
// chunks: a sensible transcript (WER vs refs.tsv) with word timings inside each final's span.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseWavHeader } from '../../src-main/core/audio/index.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { collect, grpcClients, startHarness, type Harness } from '../integration/grpc-rest-harness.js';
import { wordErrorRate } from '../helpers/wer.js';

let h: Harness;
let clients: ReturnType<typeof grpcClients>;

before(async () => {
  h = await startHarness({ engine: { asr: [{ backend: 'pocketsphinx' }], tts: [] } });
  clients = grpcClients(h);
});
after(async () => {
  clients?.close();
  await h?.close();
});

test('StreamingTranscribe (WAV bytes in 100 ms chunks) gives a sensible transcript with word timings', async () => {
  const id = '2035-147960-0002';
  const wav = readFileSync(join(LIBRISPEECH, `${id}.wav`));
  const info = parseWavHeader(wav);
  const call = clients.asr.StreamingTranscribe();
  const results = collect<any>(call);
  const chunk = 3200;
  let i = 0;
  for (let o = 0; o < wav.length; o += chunk, i++) {
    call.write({ audio_data: wav.subarray(o, o + chunk), chunk_index: i, ...(i === 0 ? { config: { encoding: 'wav' } } : {}) });
    // A little faster than real time, so interims have a chance to appear.
    await new Promise((r) => setTimeout(r, 20));
  }
  call.write({ is_final: true, chunk_index: i });
  call.end();
  const all = await results;
  const finals = all.filter((r) => r.is_final);
  assert.ok(finals.length >= 1);
  const text = finals.map((f) => f.text).join(' ');
  const e = wordErrorRate(librispeechRefs().get(id)!, text);
  process.stderr.write(`  ${id}: WER ${(e * 100).toFixed(1)}% "${text}"\n`);
  assert.ok(e < 0.85, `WER ${(e * 100).toFixed(1)}%`);
  const durationMs = (info.dataBytes / 2 / info.sampleRate) * 1000;
  for (const f of finals) {
    assert.ok(f.words.length > 0, 'finals carry word timings');
    assert.ok(f.start_ms >= 0 && f.end_ms <= durationMs + 500, `final within the audio: ${f.start_ms}-${f.end_ms} of ${durationMs}`);
    for (const w of f.words)
      assert.ok(w.start_ms >= f.start_ms - 50 && w.end_ms <= f.end_ms + 50 && w.end_ms >= w.start_ms, JSON.stringify(w));
  }
  assert.deepEqual(
    finals.map((f) => f.segment),
    finals.map((_, k) => k),
  );
});
