// The official ElevenLabs (`@elevenlabs/elevenlabs-js`) and LMNT (`lmnt-node`) SDKs, unchanged but for their base
// URL, against `earshot serve`: ElevenLabs text to speech (convert, stream, with timestamps), its voice list and
// speech to text on real speech (held to `earshot transcribe`); LMNT's streaming speech socket with text, flush,
// reset and finish. Real engines: espeak-ng speaks, pocketsphinx listens.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import Lmnt from 'lmnt-node';
import { decodeWithFfmpeg } from '../helpers/ffmpeg-decode.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { wordErrorRate } from '../helpers/wer.js';
import { startTestServer, TOKEN } from '../integration/ws-harness.js';

const run = promisify(execFile);
const STT_FILE = '1272-135031-0001';

let srv: Awaited<ReturnType<typeof startTestServer>>;
let eleven: ElevenLabsClient;
let lmnt: Lmnt;

before(async () => {
  srv = await startTestServer({ asr: [{ backend: 'pocketsphinx' }], tts: [{ backend: 'espeak' }] });
  eleven = new ElevenLabsClient({ apiKey: TOKEN, baseUrl: srv.server.ttsUrl, maxRetries: 0 });
  lmnt = new Lmnt({ apiKey: TOKEN, baseURL: srv.server.ttsUrl, maxRetries: 0 });
});
after(async () => srv?.close());

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

const seconds = (pcm: Buffer, rate: number) => pcm.length / 2 / rate;

test('ElevenLabs voices.getAll lists the installed voices', async () => {
  const res = await eleven.voices.getAll();
  assert.ok(res.voices.length >= 1);
  assert.ok(res.voices.every((v) => typeof v.voiceId === 'string' && v.voiceId.length > 0));
});

test('ElevenLabs textToSpeech.convert and .stream speak PCM at the asked rate; an unknown voice id means the default voice', async () => {
  const text = 'Earshot speaks on this machine. Nothing leaves it.';
  const a = await readAll(
    await eleven.textToSpeech.convert('21m00Tcm4TlvDq8ikWAM', { text, modelId: 'eleven_multilingual_v2', outputFormat: 'pcm_16000' }),
  );
  const b = await readAll(await eleven.textToSpeech.stream('21m00Tcm4TlvDq8ikWAM', { text, outputFormat: 'pcm_24000' }));
  assert.ok(seconds(a, 16000) > 2, `${seconds(a, 16000)} s`);
  // Same speech at another rate: the durations agree.
  assert.ok(Math.abs(seconds(a, 16000) - seconds(b, 24000)) < 0.1, `${seconds(a, 16000)} vs ${seconds(b, 24000)}`);
});

test('ElevenLabs voice_settings.speed makes speech shorter', async () => {
  const text = 'The quick brown fox jumps over the lazy dog.';
  const normal = await readAll(await eleven.textToSpeech.convert('x', { text, outputFormat: 'pcm_16000' }));
  const fast = await readAll(await eleven.textToSpeech.convert('x', { text, outputFormat: 'pcm_16000', voiceSettings: { speed: 1.2 } }));
  assert.ok(fast.length < normal.length * 0.95, `${fast.length} vs ${normal.length}`);
});

test('ElevenLabs default output (mp3_44100_128) and opus_48000_64 decode to the same speech as PCM', async () => {
  const text = 'Earshot speaks on this machine.';
  const pcm = await readAll(await eleven.textToSpeech.convert('x', { text, outputFormat: 'pcm_44100' }));
  const mp3 = await readAll(await eleven.textToSpeech.convert('x', { text }));
  assert.equal(mp3.subarray(0, 3).toString('latin1') === 'ID3' || (mp3[0] === 0xff && (mp3[1]! & 0xe0) === 0xe0), true, 'an MP3 stream');
  const opus = await readAll(await eleven.textToSpeech.convert('x', { text, outputFormat: 'opus_48000_64' }));
  assert.equal(opus.subarray(0, 4).toString('latin1'), 'OggS');
  for (const [name, body] of [
    ['mp3', mp3],
    ['opus', opus],
  ] as const) {
    const got = decodeWithFfmpeg(body, 44100).length / 2 / 44100;
    assert.ok(Math.abs(got - seconds(pcm, 44100)) < 0.15, `${name}: ${got} s vs ${seconds(pcm, 44100)} s`);
  }
  await assert.rejects(
    eleven.textToSpeech.convert('x', { text: 'Hello.', outputFormat: 'ulaw_8000' }),
    (err: any) => err.statusCode === 400 && /mp3_44100_128/.test(JSON.stringify(err.body)),
  );
});

test('ElevenLabs convertWithTimestamps and streamWithTimestamps: audio plus an alignment covering every character in order', async () => {
  const text = 'First sentence here. Second one follows.';
  const whole = await eleven.textToSpeech.convertWithTimestamps('x', { text, outputFormat: 'pcm_16000' });
  const pcm = Buffer.from(whole.audioBase64, 'base64');
  const al = whole.alignment!;
  assert.equal(al.characters.join(''), text);
  assert.equal(al.characterStartTimesSeconds.length, text.length);
  for (let i = 1; i < text.length; i++) assert.ok(al.characterStartTimesSeconds[i]! >= al.characterStartTimesSeconds[i - 1]!);
  assert.ok(Math.abs(al.characterEndTimesSeconds.at(-1)! - seconds(pcm, 16000)) < 0.01, 'the last character ends with the audio');

  const chunks = [];
  for await (const c of await eleven.textToSpeech.streamWithTimestamps('x', { text, outputFormat: 'pcm_16000' })) chunks.push(c);
  assert.equal(chunks.length, 2, 'one chunk per sentence');
  assert.equal(chunks.flatMap((c) => c.alignment!.characters).join(''), text);
});

test('ElevenLabs speechToText.convert on real speech matches earshot transcribe', async () => {
  const wav = readFileSync(join(LIBRISPEECH, `${STT_FILE}.wav`));
  const res: any = await eleven.speechToText.convert({ file: new Blob([wav], { type: 'audio/wav' }), modelId: 'scribe_v1' });
  const cli = (
    await run(process.execPath, ['bin/earshot.mjs', 'transcribe', join(LIBRISPEECH, `${STT_FILE}.wav`), '--engine', 'pocketsphinx'])
  ).stdout.trim();
  const ref = librispeechRefs().get(STT_FILE)!;
  const ours = wordErrorRate(ref, res.text);
  const theirs = wordErrorRate(ref, cli);
  process.stderr.write(
    `  ElevenLabs STT ${STT_FILE}: WER ${(ours * 100).toFixed(1)}% (earshot transcribe ${(theirs * 100).toFixed(1)}%)\n`,
  );
  assert.ok(Math.abs(ours - theirs) <= 0.02);
  const words = res.words.filter((w: any) => w.type === 'word');
  assert.ok(words.length >= 5);
  for (const w of words) assert.ok(w.end >= w.start);
});

test('LMNT sessions.create: text, flush → flush_complete with its nonce, reset → reset_complete, finish closes', async () => {
  const session = lmnt.speech.sessions.create({ voice: 'leah', format: 'pcm_s16le', sample_rate: 16000 });
  const seen: any[] = [];
  let audio = 0;
  const done = (async () => {
    for await (const m of session) {
      if (m.type === 'audio') audio += (m.audio as Buffer).byteLength;
      else seen.push(m);
    }
  })();
  session.sendText('Streaming speech from a local engine. ');
  session.sendText('It arrives sentence by sentence.');
  const nonce = session.sendFlush();
  const deadline = Date.now() + 20_000;
  while (!seen.some((m) => m.type === 'flush_complete') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(seen[0]?.type, 'ready');
  assert.deepEqual(
    seen.find((m) => m.type === 'flush_complete'),
    { type: 'flush_complete', nonce },
  );
  assert.ok(audio > 16000 * 2 * 2, `${audio} bytes of audio before flush_complete`);
  const r = session.sendReset();
  while (!seen.some((m) => m.type === 'reset_complete') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  assert.deepEqual(
    seen.find((m) => m.type === 'reset_complete'),
    { type: 'reset_complete', nonce: r },
  );
  // A flush with nothing pending is still acknowledged (a client waiting on it never hangs).
  const empty = session.sendFlush();
  while (!seen.some((m) => m.type === 'flush_complete' && m.nonce === empty) && Date.now() < deadline)
    await new Promise((res) => setTimeout(res, 50));
  session.sendText('One more sentence.');
  session.sendFinish();
  await done;
  assert.ok(!seen.some((m) => m.type === 'error'), JSON.stringify(seen));
});

/** All the audio one LMNT session sends for `text` (text, flush, finish), with the messages it got. */
async function lmntAudio(opts: Record<string, unknown>, text: string): Promise<{ audio: Buffer; seen: any[] }> {
  const session = lmnt.speech.sessions.create({ voice: 'leah', ...opts } as any);
  const seen: any[] = [];
  const parts: Buffer[] = [];
  session.sendText(text);
  session.sendFlush();
  session.sendFinish();
  for await (const m of session) {
    if (m.type === 'audio') parts.push(Buffer.from(m.audio as Buffer));
    else seen.push(m);
  }
  return { audio: Buffer.concat(parts), seen };
}

test('LMNT: the default format (mp3), ulaw and webm are real encodings of the same speech as pcm_s16le', async () => {
  const text = 'Streaming speech from a local engine, encoded as it is spoken.';
  const pcm = await lmntAudio({ format: 'pcm_s16le', sample_rate: 24000 }, text);
  const reference = seconds(pcm.audio, 24000);
  assert.ok(reference > 2, `${reference} s of speech`);
  for (const [format, magic] of [
    [undefined, null], // LMNT's default: MP3
    ['mp3', null],
    ['ulaw', 'RIFF'],
    ['webm', '\x1aE\xdf\xa3'],
  ] as const) {
    const { audio, seen } = await lmntAudio(format ? { format } : {}, text);
    assert.ok(!seen.some((m) => m.type === 'error'), JSON.stringify(seen));
    assert.ok(seen.some((m) => m.type === 'flush_complete'));
    if (magic) assert.equal(audio.subarray(0, 4).toString('latin1'), magic, `${format} container`);
    else assert.ok(audio[0] === 0xff || audio.subarray(0, 3).toString() === 'ID3', 'MP3 frames');
    const decoded = decodeWithFfmpeg(audio, 24000);
    const got = seconds(decoded, 24000);
    // Same speech: lossy codecs pad a few frames; raw PCM mislabelled, or another text, would be far off.
    assert.ok(Math.abs(got - reference) < 0.15, `${format ?? 'default mp3'}: ${got} s vs ${reference} s`);
    const samples = new Int16Array(decoded.buffer, decoded.byteOffset, decoded.length / 2);
    let energy = 0;
    for (const x of samples) energy += x * x;
    assert.ok(Math.sqrt(energy / samples.length) > 500, `${format ?? 'mp3'} carries sound, not silence`);
  }
});

test('LMNT: a format LMNT does not offer is refused in its error shape, naming the ones it does', async () => {
  const { seen } = await lmntAudio({ format: 'aiff' }, 'Hello.');
  const err = seen.find((m) => m.type === 'error');
  assert.ok(err, JSON.stringify(seen));
  assert.equal(err.error.type, 'invalid_request_error');
  assert.match(err.error.message, /mp3, pcm_s16le, pcm_f32le, ulaw, webm/);
});

test('LMNT with --require-token semantics: a wrong X-API-Key is refused in-band', async () => {
  const strict = await startTestServer({ asr: [], tts: [{ backend: 'espeak' }] }, { requireToken: true });
  try {
    const bad = new Lmnt({ apiKey: 'wrong-key', baseURL: strict.server.ttsUrl, maxRetries: 0 }).speech.sessions.create({
      voice: 'x',
      format: 'pcm_s16le',
    });
    const seen: any[] = [];
    for await (const m of bad) seen.push(m);
    assert.equal(seen[0]?.type, 'error');
    assert.equal(seen[0].error.type, 'authentication_error');
    const good = new Lmnt({ apiKey: TOKEN, baseURL: strict.server.ttsUrl, maxRetries: 0 }).speech.sessions.create({
      voice: 'x',
      format: 'pcm_s16le',
    });
    let audio = 0;
    good.sendText('Allowed.');
    good.sendFinish();
    for await (const m of good) if (m.type === 'audio') audio += (m.audio as Buffer).byteLength;
    assert.ok(audio > 0);
  } finally {
    await strict.close();
  }
});
