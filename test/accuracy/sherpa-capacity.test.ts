// The sherpa backend's side of admission and backpressure, on the real recognizer (tone-alphabet fixture):
// a calibrated capacity, and progress reports that keep pendingMs true across endpoints (finals reset the
// recognizer's own counters) so a long stream never trips the queued-audio bound by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type AsrFinal, type Engine } from '../../src-main/core/engine/index.js';
import { toneAudio, silence } from '../../../shared/models/fixtures/tone-audio.mjs';

let engine: Engine;
before(async () => {
  engine = await createEngine({ asr: [{ model: 'tone-alphabet' }], tts: [], vad: false });
  await engine.ready;
});
after(() => engine?.close());

test('capacity is calibrated at load: a real-time factor, at least one live stream, no lag while idle', () => {
  const c = engine.asr({ model: 'tone-alphabet' }).capacity();
  assert.ok(c.rtf > 0 && c.rtf < 1, `rtf ${c.rtf}`);
  assert.ok(c.liveStreams >= 1);
  assert.equal(c.liveActive, 0);
  assert.equal(c.lagMs, 0);
});

test(
  'after several endpoint finals every written sample is reported decoded (pendingMs back under one chunk)',
  { timeout: 60_000 },
  async () => {
    const asr = engine.asr({ model: 'tone-alphabet' });
    const s = asr.createStream({ sampleRate: 16000, vad: false });
    const finals: AsrFinal[] = [];
    s.on('final', (f) => finals.push(f));
    const phrases = ['alpha', 'bravo two', 'charlie', 'delta echo'];
    for (const p of phrases) {
      s.write(toneAudio(p));
      s.write(silence(1.2));
    }
    assert.equal(asr.capacity().liveActive, 1);
    await s.drained(400);
    assert.ok(s.pendingMs <= 400, `pending ${s.pendingMs} ms`);
    assert.deepEqual(
      finals.map((f) => f.text),
      phrases,
    );
    await s.close();
  },
);
