// The clients of the product's own source documents, run as written against a real server:
// - SM-AI-MODELS' Python `websockets` TTS client: `{"text": <Arabic>, "voice": "Yara"}`, several texts on one
//   connection, each read until `synthesis_complete`. "Yara" is not installed: the server must answer with a
//   `warning` naming the voice used and Arabic speech (the length of espeak's Arabic voice reading it, not
//   the English voice spelling the letters out), and every request must end.
// - the streaming-ASR article's browser client, which sends `{"type":"audio","audio":[…float32…]}` in
//   4096-sample buffers at 48 kHz (here from Node, the same JSON); and the same audio as a hex string.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { decodeWav, float32ToS16le, resample } from '../../src-main/core/audio/index.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { wordErrorRate } from '../helpers/wer.js';
import { connect, startTestServer, wsUrl } from '../integration/ws-harness.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const ARABIC = ['مرحباً', 'كيف حالك اليوم؟', 'أهلاً وسهلاً بكم في مدينتنا الجميلة.'];

// As the seed document writes it: one connection, one request at a time, audio until synthesis_complete.
const TTS_CLIENT = String.raw`
import asyncio, json, sys
import websockets

async def main(url, texts):
    results = []
    async with websockets.connect(url) as ws:
        for text in texts:
            await ws.send(json.dumps({"text": text, "voice": "Yara"}))
            audio = b""
            events = []
            while True:
                msg = await asyncio.wait_for(ws.recv(), timeout=60)
                if isinstance(msg, bytes):
                    audio += msg
                    continue
                data = json.loads(msg)
                events.append(data)
                if data.get("type") in ("synthesis_complete", "error"):
                    break
            results.append({"bytes": len(audio), "events": events})
    print(json.dumps(results))

asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))
`;

let srv: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  srv = await startTestServer({ asr: [{ backend: 'pocketsphinx' }], tts: [{ backend: 'espeak' }] }, { requireToken: false });
});
after(async () => {
  await srv?.close();
});

/** Samples espeak's Arabic voice produces for `text`, asked for by its real id. */
async function arabicVoiceSamples(text: string, voice: string): Promise<number> {
  const c = connect(wsUrl(srv.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  c.send({ text, voice, request_id: 'x' });
  const done = await c.waitFor((m) => m.type === 'synthesis_complete' || m.type === 'error', 60_000);
  c.ws.close();
  assert.equal(done.type, 'synthesis_complete', JSON.stringify(done));
  return done.samples;
}

test('the Python websockets TTS client with "voice":"Yara" gets Arabic speech and a warning for each text', async () => {
  const url = wsUrl(srv.server, 'tts', '/v1/audio/stream');
  const { stdout } = await run(PYTHON, ['-c', TTS_CLIENT, url, JSON.stringify(ARABIC)], { timeout: 180_000 });
  const results = JSON.parse(stdout) as { bytes: number; events: any[] }[];
  assert.equal(results.length, ARABIC.length);
  for (const [i, r] of results.entries()) {
    const types = r.events.map((e) => e.type);
    assert.deepEqual(types, ['warning', 'synthesis_started', 'synthesis_complete'], JSON.stringify(r.events));
    const [warning, started, complete] = r.events;
    assert.equal(warning.code, 'voice_fallback');
    assert.equal(warning.requested_voice, 'Yara');
    assert.equal(warning.voice, 'espeak:ar');
    assert.match(warning.message, /"Yara" is not installed.*espeak:ar/);
    assert.equal(started.voice, 'espeak:ar');
    assert.equal(r.bytes, complete.samples * 2, 'pcm s16le: two bytes a sample');
    // The length of the Arabic voice reading it, far from the English voice spelling letters.
    const arabic = await arabicVoiceSamples(ARABIC[i]!, 'espeak:ar');
    const english = await arabicVoiceSamples(ARABIC[i]!, 'espeak:en-us');
    assert.ok(
      Math.abs(complete.samples - arabic) <= arabic * 0.05,
      `text ${i}: ${complete.samples} samples vs the Arabic voice's ${arabic}`,
    );
    assert.ok(english > arabic * 2, `text ${i}: the English voice spells it out (${english} vs ${arabic} samples)`);
  }
});

test('no voice: Arabic text is read by the Arabic voice; "default" is a voice', async () => {
  const c = connect(wsUrl(srv.server, 'tts', '/v1/audio/stream'));
  await c.opened;
  c.send({ text: ARABIC[1], request_id: 'none' });
  const s1 = await c.waitFor((m) => m.type === 'synthesis_started' && m.request_id === 'none', 60_000);
  assert.equal(s1.voice, 'espeak:ar');
  await c.waitFor((m) => m.type === 'synthesis_complete' && m.request_id === 'none', 60_000);
  c.send({ text: 'Hello there.', voice: 'default', request_id: 'def' });
  const s2 = await c.waitFor((m) => (m.type === 'synthesis_started' || m.type === 'error') && m.request_id === 'def', 60_000);
  assert.equal(s2.type, 'synthesis_started', JSON.stringify(s2));
  assert.equal(s2.voice, 'espeak:en-us');
  await c.waitFor((m) => m.type === 'synthesis_complete' && m.request_id === 'def', 60_000);
  assert.ok(!c.messages.some((m) => m.type === 'warning' || m.type === 'error'), JSON.stringify(c.messages));
  c.ws.close();
});

test('the float-array ASR client (4096-sample buffers at 48 kHz) and a hex-string client transcribe real speech', async () => {
  const id = '2035-147960-0002';
  const reference = librispeechRefs().get(id)!;
  const wav = decodeWav(readFileSync(join(LIBRISPEECH, `${id}.wav`)));
  const at48k = resample(wav.channelData[0]!, wav.sampleRate, 48000);

  const floats = connect(wsUrl(srv.server, 'asr', '/v1/audio/stream', { sample_rate: 48000 }));
  await floats.waitFor((m) => m.type === 'ready');
  for (let o = 0; o < at48k.length; o += 4096) {
    // What the article's client sends: JSON.stringify of Array.from(a Float32Array).
    floats.ws.send(JSON.stringify({ type: 'audio', audio: Array.from(at48k.subarray(o, o + 4096)) }));
  }
  floats.send({ type: 'end' });
  await floats.waitFor((m) => m.type === 'session_complete', 120_000);
  assert.ok(!floats.messages.some((m) => m.type === 'error'), JSON.stringify(floats.messages.filter((m) => m.type === 'error')));
  const floatText = floats.messages
    .filter((m) => m.type === 'transcript' && m.is_final)
    .map((m) => m.text)
    .join(' ');

  const hex = connect(wsUrl(srv.server, 'asr', '/v1/audio/stream', { sample_rate: 16000, encoding: 'pcm_s16le' }));
  await hex.waitFor((m) => m.type === 'ready');
  const pcm = float32ToS16le(wav.channelData[0]!);
  for (let o = 0; o < pcm.length; o += 3200) hex.send({ type: 'audio', audio: pcm.subarray(o, o + 3200).toString('hex') });
  hex.send({ type: 'end' });
  await hex.waitFor((m) => m.type === 'session_complete', 120_000);
  assert.ok(!hex.messages.some((m) => m.type === 'error'), JSON.stringify(hex.messages.filter((m) => m.type === 'error')));
  const hexText = hex.messages
    .filter((m) => m.type === 'transcript' && m.is_final)
    .map((m) => m.text)
    .join(' ');

  const floatWer = wordErrorRate(reference, floatText);
  const hexWer = wordErrorRate(reference, hexText);
  process.stderr.write(
    `  float array: WER ${(floatWer * 100).toFixed(1)}% "${floatText}"\n  hex: WER ${(hexWer * 100).toFixed(1)}% "${hexText}"\n`,
  );
  // Garbage (hex read as base64, floats refused) gives ~100% or nothing.
  assert.ok(floatWer < 0.6, `float array: WER ${(floatWer * 100).toFixed(1)}%`);
  assert.ok(hexWer < 0.6, `hex: WER ${(hexWer * 100).toFixed(1)}%`);
});
