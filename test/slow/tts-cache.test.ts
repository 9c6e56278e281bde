// In test/slow (the complete gate, not test:quick): the real neural voice (piper joe) synthesizing in two engines, about 7 CPU-seconds.
// The synthesis cache on the path users take: the same prompt requested twice over the WebSocket (real server,
// real joe voice) comes back byte for byte identical, served from the engine's cache. The joe voice samples
// noise (VITS), so without the cache two syntheses of one text differ: shown here with the cache turned off.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEngine, requestSentences, type Engine } from '../../src-main/core/engine/index.js';
import { JOE, requireJoeVoice } from '../helpers/voices.js';
import { connect, startTestServer, wsUrl, type TestClient } from '../integration/ws-harness.js';

let h: Awaited<ReturnType<typeof startTestServer>>;
let uncached: Engine;

before(async () => {
  requireJoeVoice();
  h = await startTestServer({ asr: [], tts: [{ voice: JOE }] });
  uncached = await createEngine({ asr: [], tts: [{ voice: JOE }], vad: false, ttsCacheBytes: 0 });
  await uncached.ready;
});
after(async () => {
  await h?.close();
  await uncached?.close();
});

/** The binary audio of one request: frames between its synthesis_started and synthesis_complete. */
function audioOf(c: TestClient, id: string): Buffer {
  let inside = false;
  const parts: Buffer[] = [];
  for (const r of c.received) {
    if ('json' in r) {
      if (r.json.request_id === id && r.json.type === 'synthesis_started') inside = true;
      if (r.json.request_id === id && r.json.type === 'synthesis_complete') inside = false;
    } else if (inside) parts.push(r.binary);
  }
  return Buffer.concat(parts);
}

test('a repeated prompt over the WebSocket is served from the cache: identical audio, in every format', async () => {
  const before = h.engine.ttsCacheStats();
  const c = connect(wsUrl(h.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  const prompt = 'Sorry, I did not catch that. Please say it again.';
  c.send({ text: prompt, voice: JOE, request_id: 'a' });
  c.send({ text: prompt, voice: JOE, request_id: 'b' });
  // Same text, another format and rate: the cache holds the voice's own samples, the session encodes them.
  c.send({ text: prompt, voice: JOE, request_id: 'c', format: 'f32', sample_rate: 16000 });
  c.send({ text: prompt, voice: JOE, request_id: 'd', speed: 1.25 }); // another speed: synthesized anew
  await c.waitFor((m) => m.type === 'synthesis_complete' && m.request_id === 'd', 120_000);
  const a = audioOf(c, 'a');
  const b = audioOf(c, 'b');
  assert.ok(a.length > 22050 * 2, 'over a second of audio');
  assert.ok(a.equals(b), 'the repeat is byte for byte the first answer');
  assert.ok(audioOf(c, 'c').length > 0);
  assert.notEqual(audioOf(c, 'd').length, a.length, 'a faster request is not served from the cache');
  const after = h.engine.ttsCacheStats();
  // The session speaks sentence by sentence: 2 sentences × 2 repeats (b, c) are hits.
  assert.equal(after.hits - before.hits, 4);
  assert.ok(after.bytes > 0 && after.bytes <= after.maxBytes);
  c.ws.close();
});

test('without the cache the same voice gives different audio for the same text (so the identity above is the cache)', async () => {
  const once = async () => {
    const parts: Float32Array[] = [];
    for await (const ch of uncached
      .tts({ voice: JOE })
      .synthesize({ pieces: requestSentences('Please say it again.', undefined, { quickStart: true }), voice: JOE }))
      parts.push(ch.samples);
    return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  };
  const x = await once();
  const y = await once();
  assert.ok(x.length > 0 && !x.equals(y));
  assert.equal(uncached.ttsCacheStats().entries, 0);
});
