// The official `@deepgram/sdk`, unchanged but for its base URL, against `earshot serve`'s Deepgram endpoints:
// live transcription of real speech (LibriSpeech, pocketsphinx) over /v1/listen with interims, Finalize and
// CloseStream; prerecorded POST /v1/listen; text to speech over REST and the live /v1/speak socket (espeak).
// Live and prerecorded results are held to `earshot transcribe` on the same files (within 2 WER points).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { DeepgramClient } from '@deepgram/sdk';
import { bundledFfmpeg, decodeWav, parseWavHeader } from '../../src-main/core/audio/index.js';
import { decodeWithFfmpeg } from '../helpers/ffmpeg-decode.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { normalizeWords, wordErrorRate } from '../helpers/wer.js';
import { startTestServer, TOKEN } from '../integration/ws-harness.js';

const run = promisify(execFile);

async function readBody(res: any): Promise<Buffer> {
  return Buffer.from(await (res.arrayBuffer ? res.arrayBuffer() : new Response(res.stream()).arrayBuffer()));
}

const FILES = ['1272-135031-0001', '251-118436-0019']; // 11 s each

let srv: Awaited<ReturnType<typeof startTestServer>>;
let client: DeepgramClient;
const cliText = new Map<string, string>();

before(async () => {
  srv = await startTestServer({ asr: [{ backend: 'pocketsphinx' }], tts: [{ backend: 'espeak' }] });
  const base = srv.server.asrUrl;
  client = new DeepgramClient({
    apiKey: TOKEN,
    environment: { base, production: base.replace(/^http/, 'ws'), agent: base, agentRest: base },
  });
  // The reference: what `earshot transcribe` prints for the same files, with the same engine.
  for (const id of FILES) {
    const out = await run(process.execPath, ['bin/earshot.mjs', 'transcribe', join(LIBRISPEECH, `${id}.wav`), '--engine', 'pocketsphinx']);
    cliText.set(id, out.stdout.trim());
  }
});
after(async () => srv?.close());

/** WER against refs.tsv of `hyp`, and of the CLI's transcript of the same file. */
function werPair(id: string, hyp: string): { ours: number; cli: number } {
  const ref = librispeechRefs().get(id)!;
  return { ours: wordErrorRate(ref, hyp), cli: wordErrorRate(ref, cliText.get(id)!) };
}

/** PCM s16le samples of a LibriSpeech WAV (16 kHz mono), without its header. */
function pcmOf(id: string): Buffer {
  const wav = readFileSync(join(LIBRISPEECH, `${id}.wav`));
  const h = parseWavHeader(wav);
  return wav.subarray(h.dataOffset, h.dataOffset + h.dataBytes);
}

test('live /v1/listen: real speech streamed at real-time pace gives interims, speech_final results and Metadata', async () => {
  for (const id of FILES) {
    const socket = await client.listen.v1.connect({
      model: 'nova-3',
      encoding: 'linear16',
      sample_rate: 16000,
      interim_results: 'true',
      utterance_end_ms: '1000',
      punctuate: 'true',
    } as any);
    const messages: any[] = [];
    socket.on('message', (m: any) => messages.push(m));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.connect();
    await socket.waitForOpen();
    const pcm = pcmOf(id);
    const chunk = 3200; // 100 ms
    for (let o = 0; o < pcm.length; o += chunk) {
      socket.sendMedia(pcm.subarray(o, o + chunk));
      await new Promise((r) => setTimeout(r, 25)); // 4x real time: a live client, quicker to test
    }
    socket.sendFinalize({ type: 'Finalize' });
    socket.sendCloseStream({ type: 'CloseStream' });
    await closed;
    const results = messages.filter((m) => m.type === 'Results');
    const finals = results.filter((m) => m.is_final);
    assert.ok(
      results.some((m) => !m.is_final),
      'interim results with interim_results=true',
    );
    assert.ok(finals.length >= 1, 'at least one final');
    for (const f of finals) {
      assert.deepEqual(f.channel_index, [0, 1]);
      assert.ok(f.start >= 0 && f.duration >= 0);
      for (const w of f.channel.alternatives[0].words) assert.ok(w.end >= w.start && w.start >= f.start - 0.05, JSON.stringify(w));
    }
    const meta = messages.at(-1);
    assert.equal(meta.type, 'Metadata');
    assert.ok(meta.duration > 10, `Metadata.duration ${meta.duration}`);
    const text = finals.map((f) => f.channel.alternatives[0].transcript).join(' ');
    const { ours, cli } = werPair(id, text);
    process.stderr.write(`  live ${id}: WER ${(ours * 100).toFixed(1)}% (earshot transcribe ${(cli * 100).toFixed(1)}%)\n`);
    assert.ok(Math.abs(ours - cli) <= 0.02, `live WER ${ours} vs CLI ${cli}`);
  }
});

test('live /v1/listen: Finalize answers with a from_finalize final of the utterance in progress', async () => {
  const socket = await client.listen.v1.connect({ encoding: 'linear16', sample_rate: 16000, endpointing: 'false' } as any);
  const messages: any[] = [];
  socket.on('message', (m: any) => messages.push(m));
  socket.connect();
  await socket.waitForOpen();
  const pcm = pcmOf(FILES[0]!).subarray(0, 16000 * 2 * 3);
  for (let o = 0; o < pcm.length; o += 6400) socket.sendMedia(pcm.subarray(o, o + 6400));
  socket.sendFinalize({ type: 'Finalize' });
  const deadline = Date.now() + 20_000;
  while (!messages.some((m) => m.type === 'Results' && m.from_finalize) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const fin = messages.find((m) => m.type === 'Results' && m.from_finalize);
  assert.ok(fin, 'a from_finalize result');
  assert.equal(fin.is_final, true);
  assert.equal(fin.speech_final, false);
  assert.ok(normalizeWords(fin.channel.alternatives[0].transcript).length >= 3, fin.channel.alternatives[0].transcript);
  assert.equal(messages.filter((m) => m.type === 'Results' && !m.is_final).length, 0, 'no interims unless asked for (Deepgram default)');
  socket.close();
});

test('live /v1/listen: a cloud-only option is refused with a message that names it', async () => {
  const res = await fetch(`${srv.server.asrUrl}/v1/listen?diarize=true&encoding=linear16&sample_rate=16000`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: new Uint8Array(pcmOf(FILES[0]!).subarray(0, 3200)),
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as any;
  assert.match(body.err_msg, /diarize/);
});

test('prerecorded POST /v1/listen via listen.v1.media.transcribeFile matches earshot transcribe', async () => {
  for (const id of FILES) {
    const res: any = await client.listen.v1.media.transcribeFile(readFileSync(join(LIBRISPEECH, `${id}.wav`)), {
      model: 'nova-3',
      utterances: true,
    });
    const alt = res.results.channels[0].alternatives[0];
    assert.ok(res.metadata.duration > 10);
    assert.ok(res.results.utterances.length >= 1);
    assert.ok(alt.words.length >= 5);
    const { ours, cli } = werPair(id, alt.transcript);
    process.stderr.write(`  prerecorded ${id}: WER ${(ours * 100).toFixed(1)}% (earshot transcribe ${(cli * 100).toFixed(1)}%)\n`);
    assert.ok(Math.abs(ours - cli) <= 0.02, `prerecorded WER ${ours} vs CLI ${cli}`);
  }
});

test('prerecorded: raw audio with an encoding Earshot cannot decode is a 400, never a transcript', async () => {
  await assert.rejects(
    client.listen.v1.media.transcribeFile(Buffer.alloc(8000, 7), { encoding: 'mulaw' as any, sample_rate: 8000 } as any),
    (err: any) => err.statusCode === 400 && /mulaw/.test(JSON.stringify(err.body)),
  );
});

test('speak REST: speak.v1.audio.generate returns a WAV of speech at the asked rate', async () => {
  const res: any = await client.speak.v1.audio.generate({
    text: 'Hello from Earshot. This is on-device speech.',
    model: 'aura-2-thalia-en',
    encoding: 'linear16',
    sample_rate: 24000,
  } as any);
  const buf = Buffer.from(await (res.arrayBuffer ? res.arrayBuffer() : new Response(res.stream()).arrayBuffer()));
  const wav = decodeWav(buf);
  assert.equal(wav.sampleRate, 24000);
  assert.ok(wav.channelData[0]!.length / 24000 > 1.5, 'about two seconds or more of speech');
});

test('speak REST: the default encoding (MP3) and opus/flac/aac are real encodings of the same speech', async () => {
  const text = 'Hello from Earshot. This is on-device speech.';
  const pcm = await readBody(
    await client.speak.v1.audio.generate({ text, encoding: 'linear16', container: 'none', sample_rate: 24000 } as any),
  );
  const seconds = pcm.length / 2 / 24000;
  for (const encoding of [undefined, 'opus', 'flac', 'aac']) {
    const body = await readBody(await client.speak.v1.audio.generate({ text, ...(encoding ? { encoding } : {}) } as any));
    const decoded = decodeWithFfmpeg(body, 24000);
    const got = decoded.length / 2 / 24000;
    // Lossy codecs pad a few frames; a wrong rate or a raw-PCM body would be far off.
    assert.ok(Math.abs(got - seconds) < 0.15, `${encoding ?? 'mp3'}: ${got} s vs ${seconds} s`);
  }
});

test('speak REST: an encoding Earshot does not produce is refused with the ones it does', async () => {
  await assert.rejects(
    client.speak.v1.audio.generate({ text: 'Hello.', encoding: 'mulaw' } as any),
    (err: any) => err.statusCode === 400 && /linear16, mp3/.test(JSON.stringify(err.body)),
  );
});

test('speak live: Speak + Flush gives audio then Flushed; Clear is acknowledged; Close ends the socket', async () => {
  const socket = await client.speak.v1.connect({ model: 'aura-2-thalia-en', encoding: 'linear16', sample_rate: 16000 } as any);
  const messages: any[] = [];
  let audioBytes = 0;
  socket.on('message', async (m: any) => {
    if (m instanceof Blob) audioBytes += (await m.arrayBuffer()).byteLength;
    else if (Buffer.isBuffer(m) || m instanceof ArrayBuffer) audioBytes += (m as ArrayBuffer).byteLength;
    else messages.push(m);
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.connect();
  await socket.waitForOpen();
  socket.sendText({ type: 'Speak', text: 'The first sentence is spoken now. ' } as any);
  socket.sendText({ type: 'Speak', text: 'And a second one follows it.' } as any);
  socket.sendFlush({ type: 'Flush' } as any);
  const deadline = Date.now() + 20_000;
  while (!messages.some((m) => m.type === 'Flushed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(
    messages.some((m) => m.type === 'Metadata'),
    'Metadata first',
  );
  assert.deepEqual(
    messages.find((m) => m.type === 'Flushed'),
    { type: 'Flushed', sequence_id: 0 },
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(audioBytes > 16000 * 2 * 1.5, `about three seconds of 16 kHz audio, got ${audioBytes} bytes`);
  socket.sendClear({ type: 'Clear' } as any);
  while (!messages.some((m) => m.type === 'Cleared') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    messages.find((m) => m.type === 'Cleared'),
    { type: 'Cleared', sequence_id: 1 },
  );
  socket.sendClose({ type: 'Close' } as any);
  await closed;
});

/** Everything a live speak socket sends for `text` (Speak, Flush, Close), as one buffer, with its messages. */
async function speakLive(query: Record<string, unknown>, text: string): Promise<{ audio: Buffer; messages: any[] }> {
  const socket = await client.speak.v1.connect({ model: 'aura-2-thalia-en', ...query } as any);
  const messages: any[] = [];
  const parts: Promise<Buffer>[] = [];
  socket.on('message', (m: any) => {
    if (m instanceof Blob) parts.push(m.arrayBuffer().then((b) => Buffer.from(b)));
    else if (Buffer.isBuffer(m)) parts.push(Promise.resolve(Buffer.from(m)));
    else if (m instanceof ArrayBuffer) parts.push(Promise.resolve(Buffer.from(m)));
    else messages.push(m);
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.connect();
  await socket.waitForOpen();
  socket.sendText({ type: 'Speak', text } as any);
  socket.sendFlush({ type: 'Flush' } as any);
  const deadline = Date.now() + 30_000;
  while (!messages.some((m) => m.type === 'Flushed' || m.type === 'Warning') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  socket.sendClose({ type: 'Close' } as any);
  await closed;
  return { audio: Buffer.concat(await Promise.all(parts)), messages };
}

test('speak live: mp3 (and Deepgram’s mulaw/alaw) are the same speech as linear16 at the default 24 kHz', async () => {
  const text = 'Hello from Earshot. This is on-device speech.';
  const pcm = await speakLive({ encoding: 'linear16' }, text);
  const reference = pcm.audio.length / 2 / 24000; // Deepgram's live default rate
  assert.ok(reference > 1.5, `${reference} s`);
  for (const encoding of ['mp3', 'mulaw', 'alaw', 'opus']) {
    const { audio, messages } = await speakLive(
      { encoding, ...(encoding === 'mp3' || encoding === 'opus' ? {} : { sample_rate: 8000 }) },
      text,
    );
    assert.deepEqual(
      messages.find((m) => m.type === 'Flushed'),
      { type: 'Flushed', sequence_id: 0 },
    );
    assert.ok(!messages.some((m) => m.type === 'Warning'), JSON.stringify(messages));
    let decoded: Buffer;
    if (encoding === 'mulaw' || encoding === 'alaw') {
      // Raw G.711 as Deepgram's socket sends it: one byte per sample at the asked rate, no header.
      assert.ok(Math.abs(audio.length / 8000 - reference) < 0.1, `${encoding}: ${audio.length / 8000} s`);
      const ffmpeg = bundledFfmpeg();
      assert.ok('path' in ffmpeg);
      const r = spawnSync(
        ffmpeg.path,
        ['-loglevel', 'error', '-f', encoding, '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-f', 's16le', '-ar', '24000', 'pipe:1'],
        {
          input: audio,
          maxBuffer: 64 << 20,
        },
      );
      decoded = r.stdout;
    } else {
      decoded = decodeWithFfmpeg(audio, 24000);
    }
    const got = decoded.length / 2 / 24000;
    assert.ok(Math.abs(got - reference) < 0.15, `${encoding}: ${got} s vs ${reference} s`);
    const samples = new Int16Array(decoded.buffer, decoded.byteOffset, decoded.length / 2);
    let energy = 0;
    for (const x of samples) energy += x * x;
    assert.ok(Math.sqrt(energy / samples.length) > 500, `${encoding} carries sound`);
  }
});

test('speak live: an encoding the socket does not produce is refused with a Warning naming the ones it does', async () => {
  const socket = await client.speak.v1.connect({ model: 'aura-2-thalia-en', encoding: 'speex' } as any);
  const messages: any[] = [];
  socket.on('message', (m: any) => messages.push(m));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.connect();
  await closed;
  const w = messages.find((m) => m.type === 'Warning');
  assert.ok(w, JSON.stringify(messages));
  assert.match(w.description, /linear16, mulaw, alaw, mp3, opus, flac, aac/);
});
