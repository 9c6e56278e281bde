// Live streams come before bursts and batch work inside the pocketsphinx worker (engine/realtime-order.ts).
// One worker; stream A queues minutes of audio at once (a burst, or a batch file), then stream B speaks a
// short utterance at real-time pace. Everything of A was queued before B's first sample, so in arrival order
// (how the worker decoded before) B's final could only come after all of A. Here it must come while A still
// has audio waiting — and A must still advance: a burst takes turns with live streams, a batch gets the
// capacity live streams leave idle (after B, if the machine is too busy to leave any while B speaks).
// An ordering check, not a timing one. Each case has its own engine (one worker), so they cannot interfere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, test } from 'node:test';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { loadPocketsphinxAsr } from '../../src-main/core/engine/backends/pocketsphinx/index.js';
import type { AsrEngine, AsrFinal, AsrStream } from '../../src-main/core/engine/types.js';
import { LIBRISPEECH, LONGFORM } from '../helpers/shared.js';

const MEETING = decodeWav(readFileSync(join(LONGFORM, 'dev-meeting-1.wav'))).channelData[0]!;
const SHORT = decodeWav(readFileSync(join(LIBRISPEECH, '1272-135031-0009.wav'))).channelData[0]!;
/** Burst length: far more than one worker decodes while B speaks, on any machine pocketsphinx runs on. */
const BURST_S = 360;

let engine: (AsrEngine & { close(): Promise<void> }) | null = null;
// Closing the engine drops A's backlog (closing A would decode all of it first).
afterEach(async () => {
  await engine?.close();
  engine = null;
});

function queueBurst(stream: AsrStream): void {
  const chunk = 10 * 16000;
  for (let written = 0; written < BURST_S * 16000; written += chunk) {
    const o = written % (MEETING.length - chunk);
    stream.write(MEETING.subarray(o, o + chunk));
  }
}

/** B: the utterance then 1.5 s of silence, in 100 ms writes at real-time pace; resolves with its first final. */
async function speakLive(stream: AsrStream): Promise<AsrFinal> {
  const gotFinal = new Promise<AsrFinal>((resolve) => stream.on('final', resolve));
  const audio = new Float32Array(SHORT.length + 24000);
  audio.set(SHORT);
  const step = 1600;
  let stop = false;
  void gotFinal.then(() => (stop = true));
  for (let i = 0; i < audio.length && !stop; i += step) {
    stream.write(audio.subarray(i, i + step));
    await sleep(100);
  }
  return gotFinal;
}

for (const kind of ['burst', 'batch'] as const) {
  test(`a live stream's final is not queued behind a ${kind} of ${BURST_S} s sent before it, and the ${kind} still advances`, async () => {
    engine = await loadPocketsphinxAsr({ workers: 1 });
    const a = engine.createStream({ sampleRate: 16000, batch: kind === 'batch' });
    queueBurst(a);
    const b = engine.createStream({ sampleRate: 16000 });
    const final = await speakLive(b);
    const aWaiting = a.pendingMs;
    assert.ok(final.text.split(' ').length >= 2, `B's final has its words: "${final.text}"`);
    assert.ok(aWaiting > 0, `A still had audio waiting when B's final came (${Math.round(aWaiting)} ms): B went first`);
    if (kind === 'burst')
      assert.ok(aWaiting < BURST_S * 1000 - 1000, `A took turns with B (${Math.round(aWaiting)} ms of ${BURST_S * 1000} ms left)`);
    await b.close();
    // With B gone the worker is idle but for A: it must advance now.
    const before = a.pendingMs;
    await a.drained(before - 2000);
    assert.ok(a.pendingMs <= before - 2000);
  });
}
