// WebSocket ASR with a compressed container stream (`encoding=webm_opus` / `ogg_opus`), as a browser's
// MediaRecorder sends it: real speech encoded by Debian's ffmpeg, sent in 4 KiB pieces, transcribed by
// pocketsphinx about as well as the same speech sent as raw PCM; bytes that are not the declared container
// are `bad_audio`, and the connection goes on.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { wordErrorRate } from '../helpers/wer.js';
import { connect, startTestServer, wsUrl } from '../integration/ws-harness.js';

const run = promisify(execFile);
const ID = '2035-147960-0002';

let srv: Awaited<ReturnType<typeof startTestServer>>;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-ws-containers-'));
  const wav = join(LIBRISPEECH, `${ID}.wav`);
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-i', wav, '-c:a', 'libopus', '-b:a', '128k', join(dir, 'a.webm')]);
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-i', wav, '-c:a', 'libopus', '-b:a', '128k', join(dir, 'a.ogg')]);
  srv = await startTestServer({ asr: [{ backend: 'pocketsphinx' }], tts: [] });
});
after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function transcribeStream(bytes: Buffer, query: Record<string, string>) {
  const c = connect(wsUrl(srv.server, 'asr', '/v1/audio/stream', query));
  await c.waitFor((m) => m.type === 'ready');
  for (let o = 0; o < bytes.length; o += 4096) c.ws.send(bytes.subarray(o, o + 4096));
  c.send({ type: 'end' });
  await c.waitFor((m) => m.type === 'session_complete', 120_000);
  return {
    text: c.messages
      .filter((m) => m.type === 'transcript' && m.is_final)
      .map((m) => m.text)
      .join(' '),
    errors: c.messages.filter((m) => m.type === 'error'),
  };
}

test('webm_opus and ogg_opus streams transcribe like the same speech as raw PCM', async () => {
  const reference = librispeechRefs().get(ID)!;
  const pcm = readFileSync(join(LIBRISPEECH, `${ID}.wav`)).subarray(44);
  const base = await transcribeStream(pcm, { sample_rate: '16000', encoding: 'pcm_s16le' });
  const baseWer = wordErrorRate(reference, base.text);
  for (const [file, encoding] of [
    ['a.webm', 'webm_opus'],
    ['a.ogg', 'ogg_opus'],
  ] as const) {
    const r = await transcribeStream(readFileSync(join(dir, file)), { encoding });
    assert.deepEqual(r.errors, []);
    const wer = wordErrorRate(reference, r.text);
    process.stderr.write(`  ${encoding}: WER ${(wer * 100).toFixed(1)}% (raw PCM ${(baseWer * 100).toFixed(1)}%) "${r.text}"\n`);
    // Lossy audio: pocketsphinx changes words for inaudible differences (see audio-formats.test.ts).
    assert.ok(Math.abs(wer - baseWer) <= 0.1, `${encoding}: WER ${(wer * 100).toFixed(1)}% vs ${(baseWer * 100).toFixed(1)}%`);
  }
});

test('bytes that are not the declared container are bad_audio, and the connection stays usable', async () => {
  const c = connect(wsUrl(srv.server, 'asr', '/v1/audio/stream', { encoding: 'ogg_opus' }));
  await c.waitFor((m) => m.type === 'ready');
  c.ws.send(Buffer.from('this is not an ogg stream at all, just text '.repeat(100)));
  const e = await c.waitFor((m) => m.type === 'error', 30_000);
  assert.equal(e.code, 'bad_audio');
  assert.match(e.message, /encoding=ogg_opus/);
  c.send({ type: 'end' });
  await c.waitFor((m) => m.type === 'session_complete', 30_000);
});
