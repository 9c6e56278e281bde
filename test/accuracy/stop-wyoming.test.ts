// A server stop while a Wyoming (Home Assistant) client is mid-recording: the recording ends as `audio-stop`
// would — the client gets its transcript of real speech — and then the connection ends; the stop is bounded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseWavHeader } from '../../src-main/core/audio/index.js';
import { WyomingParser, type WyomingEvent } from '../../src-main/core/api/wyoming/framing.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import { startTestServer } from '../integration/ws-harness.js';

const STOP_BOUND_MS = 10_000;

function frame(type: string, data: Record<string, unknown>, payload?: Buffer): Buffer {
  const header = Buffer.from(`${JSON.stringify({ type, data, ...(payload ? { payload_length: payload.length } : {}) })}\n`);
  return payload ? Buffer.concat([header, payload]) : header;
}

test('Wyoming mid-recording: a stop sends the transcript of what was heard, then ends the connection, bounded', async () => {
  const wav = readFileSync(join(LIBRISPEECH, '1272-135031-0001.wav'));
  const h = parseWavHeader(wav);
  const pcm = wav.subarray(h.dataOffset, h.dataOffset + h.dataBytes);
  const srv = await startTestServer({ asr: [{ backend: 'pocketsphinx' }], tts: [] }, { wyoming: { port: 0 } });
  try {
    const socket = connect(srv.server.wyomingPort!, '127.0.0.1');
    const events: WyomingEvent[] = [];
    const parser = new WyomingParser(16 * 1024 * 1024);
    socket.on('data', (d) => events.push(...parser.push(d)));
    const ended = new Promise<void>((r) => socket.once('close', () => r()));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const fmt = { rate: h.sampleRate, width: 2, channels: 1 };
    socket.write(frame('transcribe', { language: 'en' }));
    socket.write(frame('audio-start', fmt));
    for (let o = 0; o < pcm.length; o += 32_000) socket.write(frame('audio-chunk', fmt, pcm.subarray(o, o + 32_000)));
    // Wait until the server is decoding the recording (its stream is open), then stop it: no audio-stop was sent.
    for (const t0 = Date.now(); srv.engine.asr({}).activeStreams === 0;) {
      assert.ok(Date.now() - t0 < 30_000, 'the recording is being decoded');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    await srv.server.close();
    const stopMs = performance.now() - t0;
    await ended;
    const transcript = events.find((e) => e.type === 'transcript');
    assert.ok(transcript, `a transcript was sent: ${JSON.stringify(events.map((e) => e.type))}`);
    assert.ok(String(transcript!.data.text).split(' ').length >= 3, `the transcript has the words heard: "${transcript!.data.text}"`);
    assert.ok(stopMs < STOP_BOUND_MS, `stop took ${Math.round(stopMs)} ms`);
  } finally {
    await srv.close();
  }
});
