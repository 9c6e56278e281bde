// In test/slow (the complete gate, not test:quick): a real meeting recording through pocketsphinx, about 38 CPU-seconds.
// Endpointing on a long recording over the ASR WebSocket (pocketsphinx, default endpointing 600 ms):
// dev-meeting-1.wav gives about one final per spoken utterance, and every boundary an endpointer can see
// (utterances apart by >= 600 ms of silence) has a final boundary within 500 ms of dev-meeting-1.json's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { LONGFORM } from '../helpers/shared.js';
import { connect, startTestServer, streamPcm, wsUrl } from '../integration/ws-harness.js';

interface RefSegment {
  start_ms: number;
  end_ms: number;
  text: string;
}
const meeting = JSON.parse(readFileSync(join(LONGFORM, 'dev-meeting-1.json'), 'utf8')) as { segments: RefSegment[] };
const refs = meeting.segments;
/** Faster than real time (the test would take 3 minutes otherwise); timestamps are audio time, not wall time. */
const SPEEDUP = 3;

let h: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  h = await startTestServer(
    { asr: [{ backend: 'pocketsphinx' }], tts: [] },
    { limits: { audioAheadBudgetMs: 300_000, maxQueuedAudioMs: 300_000 } },
  );
});
after(async () => {
  await h?.close();
});

test(
  'dev-meeting-1: about one final per utterance, run boundaries found (starts within 500 ms, ends within 700 ms)',
  { timeout: 300_000 },
  async () => {
    const bytes = readFileSync(join(LONGFORM, 'dev-meeting-1.wav'));
    const wav = decodeWav(bytes);
    const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: wav.sampleRate }));
    await c.waitFor((m) => m.type === 'ready');
    await streamPcm(c.ws, bytes.subarray(wav.dataOffset, wav.dataOffset + wav.dataBytes), wav.sampleRate, 100, 100 / SPEEDUP);
    c.send({ type: 'end' });
    await c.waitFor((m) => m.type === 'session_complete', 120_000);
    const finals = c.messages.filter((m) => m.type === 'transcript' && m.is_final);
    assert.deepEqual(
      c.messages.filter((m) => m.type === 'error'),
      [],
    );

    // Utterances separated by less than the endpointing silence (600 ms) are one spoken run for an endpointer;
    // read speech also has pauses over 600 ms inside sentences, where pocketsphinx's endpointer cuts too.
    const runs: { start_ms: number; end_ms: number }[] = [];
    for (const r of refs) {
      const last = runs.at(-1);
      if (last && r.start_ms - last.end_ms < 600) last.end_ms = r.end_ms;
      else runs.push({ start_ms: r.start_ms, end_ms: r.end_ms });
    }
    process.stderr.write(`dev-meeting-1: ${finals.length} finals for ${refs.length} utterances (${runs.length} runs apart by >= 600 ms)\n`);
    assert.ok(
      finals.length >= runs.length - 2 && finals.length <= refs.length + 6,
      `${finals.length} finals for ${refs.length} utterances`,
    );

    const near = (x: number, ys: number[]) => Math.min(...ys.map((y) => Math.abs(x - y)));
    // Every boundary an endpointer can see (the start and end of each run) has a final boundary near it: starts
    // within 500 ms. The .json boundaries are those of the LibriSpeech clips, which end with 0.3-0.6 s of
    // recorded near-silence after the last word, while a final ends at its last word: ends get 700 ms.
    for (const r of runs) {
      assert.ok(
        near(
          r.start_ms,
          finals.map((f) => f.start_ms),
        ) <= 500,
        `run starting at ${r.start_ms}: nearest final start is ${near(
          r.start_ms,
          finals.map((f) => f.start_ms),
        )} ms away`,
      );
      assert.ok(
        near(
          r.end_ms,
          finals.map((f) => f.end_ms),
        ) <= 700,
        `run ending at ${r.end_ms}: nearest final end is ${near(
          r.end_ms,
          finals.map((f) => f.end_ms),
        )} ms away`,
      );
    }
    // No final reaches into the silence around the speech by more than 500 ms, or spans two runs.
    for (const f of finals) {
      const run = runs.find((r) => f.start_ms >= r.start_ms - 500 && f.end_ms <= r.end_ms + 500);
      assert.ok(run, `final ${f.start_ms}-${f.end_ms} "${f.text.slice(0, 30)}" lies within one spoken run (±500 ms)`);
    }
    assert.deepEqual(
      finals.map((f) => f.segment),
      finals.map((_, i) => i),
    );
  },
);
