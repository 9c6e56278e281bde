// Wyoming (Home Assistant's local speech protocol) with the `wyoming` package from PyPI as the client, as Home
// Assistant uses it: describe → info, transcribe real speech (held to `earshot transcribe`), synthesize → audio
// identical to the native TTS stream's; also a stereo 44.1 kHz upload (mixed down and resampled server-side) and
// bad framing answered with an error event.
// (pocketsphinx hears espeak's robotic voice poorly, so synthesis is held to the native TTS path's samples.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { parseWavHeader } from '../../src-main/core/audio/index.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { testPython } from '../helpers/python.js';
import { wordErrorRate } from '../helpers/wer.js';
import { startTestServer } from '../integration/ws-harness.js';

const run = promisify(execFile);
const FILE = '1272-135031-0001';
const tmp = mkdtempSync(join(tmpdir(), 'earshot-wyoming-'));

let srv: Awaited<ReturnType<typeof startTestServer>>;
let port: number;

async function client(...args: string[]): Promise<any> {
  const { stdout } = await run(testPython(), ['test/python/wyoming_client.py', String(port), ...args], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

before(async () => {
  srv = await startTestServer({ asr: [{ backend: 'pocketsphinx' }], tts: [{ backend: 'espeak' }] }, { wyoming: { port: 0 } });
  port = srv.server.wyomingPort!;
});
after(async () => srv?.close());

test('describe → info lists the recognizer and the voices with their languages', async () => {
  const info = await client('describe');
  assert.equal(info.asr[0].name, 'earshot');
  assert.ok(
    info.asr[0].models.some((m: any) => m.languages.includes('en')),
    JSON.stringify(info.asr),
  );
  assert.ok(info.tts[0].voices.length >= 1);
  assert.ok(
    info.tts[0].voices.some((v: any) => v.languages.includes('ar')),
    'espeak speaks Arabic too',
  );
});

test('transcribe + audio-start/chunk/stop → transcript of real speech, as earshot transcribe gives it', async () => {
  const wav = join(LIBRISPEECH, `${FILE}.wav`);
  const res = await client('transcribe', wav, 'en');
  const cli = (await run(process.execPath, ['bin/earshot.mjs', 'transcribe', wav, '--engine', 'pocketsphinx'])).stdout.trim();
  const ref = librispeechRefs().get(FILE)!;
  const ours = wordErrorRate(ref, res.text);
  const theirs = wordErrorRate(ref, cli);
  process.stderr.write(`  wyoming ${FILE}: WER ${(ours * 100).toFixed(1)}% (earshot transcribe ${(theirs * 100).toFixed(1)}%)\n`);
  assert.ok(Math.abs(ours - theirs) <= 0.02, `${ours} vs ${theirs}`);
});

test('a stereo 44.1 kHz recording is mixed down and resampled, not misread', async () => {
  const stereo = join(tmp, 'stereo.wav');
  await run('sox', [join(LIBRISPEECH, `${FILE}.wav`), '-r', '44100', '-c', '2', stereo]);
  const res = await client('transcribe', stereo);
  const ref = librispeechRefs().get(FILE)!;
  assert.ok(wordErrorRate(ref, res.text) < 0.7, res.text);
});

test("synthesize → audio-start/chunk/stop carrying the same speech as Earshot's own TTS stream", async () => {
  const out = join(tmp, 'tts.wav');
  const text = 'The weather today is sunny and warm. Tomorrow it may rain.';
  const res = await client('synthesize', text, out);
  assert.equal(res.width, 2);
  assert.equal(res.channels, 1);
  assert.ok(res.chunks >= 2);
  assert.ok(res.bytes / 2 / res.rate > 2, 'over two seconds of speech');
  // The same text through the native REST stream, same default voice: the same samples.
  const native = Buffer.from(
    await (
      await fetch(`${srv.server.ttsUrl}/v1/tts/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, format: 'pcm' }),
      })
    ).arrayBuffer(),
  );
  const file = readFileSync(out);
  const h = parseWavHeader(file);
  assert.equal(h.sampleRate, res.rate);
  assert.equal(res.bytes, native.length);
  assert.ok(file.subarray(h.dataOffset, h.dataOffset + h.dataBytes).equals(native), 'identical samples');
});

test('malformed framing gets an error event and the connection ends', async () => {
  const sock = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  sock.on('data', (c) => chunks.push(c));
  await new Promise((r) => sock.once('connect', r));
  sock.write('this is not json\n');
  await new Promise((r) => sock.once('close', r));
  const first = JSON.parse(Buffer.concat(chunks).toString('utf8').split('\n')[0]!);
  assert.equal(first.type, 'error');
});
