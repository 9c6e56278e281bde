// Audio in, any common format: the same real speech (six LibriSpeech dev utterances joined by sox) is
// encoded by Debian's ffmpeg into every input format Earshot decodes, posted to POST /v1/audio/transcriptions
// with pocketsphinx, and each transcript must score within 2 WER points of the 16-bit WAV's (FORMAT_POINTS). A truncated or
// bogus file of each kind must be a 400 `bad_audio`, never a transcript. The gRPC unary Transcribe and the
// CLI take the same files.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { appRoot } from '../../src-main/core/paths.js';
import { joinSpeech } from '../helpers/joined-speech.js';
import { librispeechRefs } from '../helpers/shared.js';
import { wordErrorRate } from '../helpers/wer.js';
import { grpcClients, startHarness, type Harness } from '../integration/grpc-rest-harness.js';

const run = promisify(execFile);
// About 119 words in 39 s: enough that "2 WER points" allows two changed words (pocketsphinx changes a word
// for a 1-sample shift, so resampled and lossy inputs cannot be word-identical), short enough for a shared CI.
const IDS = ['777-126732-0014', '84-121550-0022', '84-121550-0024', '2035-147960-0005', '1988-147956-0016', '1462-170142-0023'];

/**
 * name → ffmpeg output arguments (the file extension picks the container). Each must be within FORMAT_POINTS of
 * the WAV. The 8-bit sample formats change the samples themselves (µ-law decodes at its theoretical ~38 dB SNR,
 * u8 at ~25 dB), and pocketsphinx changes words for a 1-sample shift, so they are held to the 16-bit WAV of their
 * own (quantized) samples, which ffmpeg expands exactly: that checks our decoding of them, not pocketsphinx's
 * tolerance of quantization noise. Measured here: every lossy codec at these bitrates (MP3, Opus, Vorbis, AAC)
 * is within 1.7 points of the WAV.
 */
const EIGHT_BIT = new Set(['wav-mulaw.wav', 'wav-alaw.wav', 'wav-u8.wav']);
/**
 * How far an 8-bit file may be from its own samples as 16-bit; a decoding error gives 60-100 %. (The 41-46 % once
 * seen on the u8 file across runs was the fixture changing, not the engine. With the fixed fixture A-law and µ-law
 * equal their 16-bit samples' WER, but the u8 file gives 42.0 % against its samples' 50.4 %, every run. The
 * reason: @audio/decode-wav scales integer PCM asymmetrically, positive values by 1/127 and negative by 1/128 (so
 * +127 is exactly 1.0), where ffmpeg divides by 128 throughout: 0.8 % more gain on positive half-waves at 8 bits
 * (1/32767 against 1/32768 at 16 bits, too small to matter), a convention, not a decoding error, to which
 * pocketsphinx answers with different words.)
 */
const EIGHT_BIT_POINTS = 0.1;
const FORMATS: Record<string, string[]> = {
  'wav-s24-stereo-44k.wav': ['-ac', '2', '-ar', '44100', '-c:a', 'pcm_s24le'],
  'wav-s32.wav': ['-c:a', 'pcm_s32le'],
  'wav-f32-48k.wav': ['-ar', '48000', '-c:a', 'pcm_f32le'],
  // A-law at 16 kHz: at 8 kHz (telephone) the speech itself loses its upper band, which is no decoding error.
  'wav-alaw.wav': ['-c:a', 'pcm_alaw'],
  'wav-mulaw.wav': ['-c:a', 'pcm_mulaw'],
  'wav-u8.wav': ['-c:a', 'pcm_u8'],
  'flac.flac': ['-c:a', 'flac'],
  // Lossy codecs at high bitrates: pocketsphinx changes words for inaudible differences, and what is
  // tested here is the decoding, not the codec's quality.
  'mp3.mp3': ['-c:a', 'libmp3lame', '-b:a', '192k'],
  'ogg-opus.ogg': ['-c:a', 'libopus', '-b:a', '192k'],
  'ogg-vorbis.ogg': ['-c:a', 'libvorbis', '-q:a', '9'],
  'webm-opus.webm': ['-c:a', 'libopus', '-b:a', '192k'],
  'm4a-aac.m4a': ['-c:a', 'aac', '-b:a', '192k'],
  'adts-aac.aac': ['-c:a', 'aac', '-b:a', '192k'],
};

let h: Harness;
let dir: string;
let reference: string;
let wavPath: string;
/** WER of the 16-bit 16 kHz WAV: what every other format is held to. */
let baseWer: number;
/**
 * How far a format's WER may be from the WAV's: two words of ~119. pocketsphinx gives the same audio the same words
 * in every process and on every decoder (test/integration/pocketsphinx-determinism.test.ts); the WAV itself was
 * what moved between CI runs (sox dithered its silent gaps: test/helpers/joined-speech.ts). A decoding error
 * (wrong rate, channels, lost frames) gives 60-100%.
 */
const FORMAT_POINTS = 0.02;
/** How far `wer` is from the WAV's. */
const offBase = (wer: number): number => Math.abs(wer - baseWer);
const fmtBase = (): string => `${(baseWer * 100).toFixed(1)}%`;
/** WER of each 8-bit file's own samples as a 16-bit WAV (see EIGHT_BIT). */
const eightBitBase = new Map<string, number>();

async function transcribe(file: Buffer, name: string, extra: Record<string, string> = {}, type = 'application/octet-stream') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file)], { type }), name);
  form.append('model', 'whisper-1');
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  const r = await fetch(`${h.baseUrl}/v1/audio/transcriptions`, { method: 'POST', body: form });
  return { status: r.status, body: (await r.json()) as any };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-formats-'));
  const refs = librispeechRefs();
  reference = IDS.map((id) => refs.get(id)!).join(' ');
  wavPath = join(dir, 'speech.wav');
  // Half a second of silence between utterances, so each ends as an utterance of its own.
  await joinSpeech(IDS, 0.5, wavPath);
  for (const [name, args] of Object.entries(FORMATS)) {
    await run('ffmpeg', ['-loglevel', 'error', '-y', '-i', wavPath, ...args, join(dir, name)]);
  }
  h = await startHarness({ engine: { asr: [{ backend: 'pocketsphinx' }], tts: [] } });
  const base = await transcribe(readFileSync(wavPath), 'speech.wav');
  assert.equal(base.status, 200, JSON.stringify(base.body));
  baseWer = wordErrorRate(reference, base.body.text);
  process.stderr.write(`  wav s16 16k: WER ${(baseWer * 100).toFixed(1)}% "${base.body.text}"\n`);
  // The same file again, on the decoder the first request used: the same words (the baseline is one number).
  const again = await transcribe(readFileSync(wavPath), 'speech.wav');
  assert.equal(again.body.text, base.body.text, 'the same WAV twice gives the same words');
  // pocketsphinx's generic model is weak on read speech; broken audio handling gives ~100% or nothing.
  assert.ok(baseWer < 0.85, `the baseline itself is sane (WER ${(baseWer * 100).toFixed(1)}%): "${base.body.text}"`);
  for (const name of EIGHT_BIT) {
    const expanded = join(dir, `${name}.s16.wav`);
    await run('ffmpeg', ['-loglevel', 'error', '-y', '-i', join(dir, name), '-c:a', 'pcm_s16le', expanded]);
    const r = await transcribe(readFileSync(expanded), 'expanded.wav');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    eightBitBase.set(name, wordErrorRate(reference, r.body.text));
  }
});
after(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every input format transcribes within 2 WER points of the 16-bit WAV (8-bit PCM: within 10 of its own samples as 16-bit) (REST, pocketsphinx)', async () => {
  for (const name of Object.keys(FORMATS)) {
    const r = await transcribe(readFileSync(join(dir, name)), name);
    assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body)}`);
    const wer = wordErrorRate(reference, r.body.text);
    const eight = eightBitBase.get(name);
    process.stderr.write(
      `  ${name}: WER ${(wer * 100).toFixed(1)}%${eight === undefined ? '' : ` (its samples as 16-bit: ${(eight * 100).toFixed(1)}%)`}\n`,
    );
    if (eight !== undefined)
      assert.ok(
        Math.abs(wer - eight) <= EIGHT_BIT_POINTS,
        `${name}: WER ${(wer * 100).toFixed(1)}% vs its samples as 16-bit WAV ${(eight * 100).toFixed(1)}%: "${r.body.text}"`,
      );
    else assert.ok(offBase(wer) <= FORMAT_POINTS, `${name}: WER ${(wer * 100).toFixed(1)}% vs WAV ${fmtBase()}: "${r.body.text}"`);
  }
});

test('a truncated file of every format, or bytes of no known format, is a 400 bad_audio naming the problem', async () => {
  for (const name of ['speech.wav', ...Object.keys(FORMATS)]) {
    const whole = readFileSync(join(dir, name));
    const cut = whole.subarray(0, Math.floor(whole.byteLength * 0.6));
    const r = await transcribe(cut, name);
    assert.equal(r.status, 400, `${name} cut to 60%: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'bad_audio');
    assert.match(r.body.error.message, /truncated|invalid/, name);
  }
  const bogus = await transcribe(Buffer.from('this is a text file, not audio at all\n'.repeat(40)), 'speech.mp3');
  assert.equal(bogus.status, 400);
  assert.equal(bogus.body.error.code, 'bad_audio');
  assert.match(bogus.body.error.message, /unrecognised audio format/);
  // Raw PCM without a declaration is no longer read as 16 kHz s16le (that was silently wrong).
  const raw = readFileSync(wavPath).subarray(44);
  const undeclared = await transcribe(raw, 'speech.raw');
  assert.equal(undeclared.status, 400, JSON.stringify(undeclared.body));
  assert.equal(undeclared.body.error.code, 'bad_audio');
});

test('raw PCM is read when declared (audio/L16 content type or the encoding field)', async () => {
  const raw = readFileSync(wavPath).subarray(44);
  for (const [extra, type] of [
    [{ encoding: 'pcm_s16le', sample_rate: '16000' }, 'application/octet-stream'],
    [{}, 'audio/L16;rate=16000'],
  ] as const) {
    const r = await transcribe(raw, 'speech.raw', { ...extra }, type);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(offBase(wordErrorRate(reference, r.body.text)) <= FORMAT_POINTS, r.body.text);
  }
});

test('gRPC Transcribe decodes an Opus file', async () => {
  const clients = grpcClients(h);
  const res: any = await new Promise((resolve, reject) =>
    clients.asr.Transcribe({ audio: readFileSync(join(dir, 'ogg-opus.ogg')), config: {} }, (err: unknown, r: unknown) =>
      err ? reject(err) : resolve(r),
    ),
  );
  const wer = wordErrorRate(reference, res.text);
  assert.ok(offBase(wer) <= FORMAT_POINTS, `gRPC: WER ${(wer * 100).toFixed(1)}% vs WAV ${fmtBase()}: "${res.text}"`);
});

test('the CLI transcribes an MP3 and refuses bytes of no format', async () => {
  const { stdout } = await run(
    process.execPath,
    [join(appRoot, 'bin', 'earshot.mjs'), 'transcribe', join(dir, 'mp3.mp3'), '--engine', 'pocketsphinx'],
    { cwd: appRoot, timeout: 300_000 },
  );
  const cliWer = wordErrorRate(reference, stdout.replace(/\n/g, ' '));
  assert.ok(offBase(cliWer) <= FORMAT_POINTS, `CLI on MP3: WER ${(cliWer * 100).toFixed(1)}% vs WAV ${fmtBase()}: "${stdout}"`);
  await assert.rejects(
    run(process.execPath, [join(appRoot, 'bin', 'earshot.mjs'), 'transcribe', join(dir, 'speech.raw-does-not-exist')], { cwd: appRoot }),
  );
  writeFileSync(join(dir, 'bogus.mp3'), 'not audio');
  await assert.rejects(
    run(process.execPath, [join(appRoot, 'bin', 'earshot.mjs'), 'transcribe', join(dir, 'bogus.mp3'), '--engine', 'pocketsphinx'], {
      cwd: appRoot,
    }),
    (err: any) => {
      assert.match(String(err.stderr), /unrecognised audio format/);
      return true;
    },
  );
});
