// In test/slow (the complete gate, not test:quick): `earshot say` processes, each starting a TTS engine (espeak, sherpa), about 17 CPU-seconds.
// `earshot say` end to end: the real CLI process, real espeak-ng / sherpa, a WAV file checked by parsing it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { decodeWav, rms } from '../../src-main/core/audio/index.js';
import { appRoot } from '../../src-main/core/paths.js';
import type { SayReport } from '../../src-main/cli/commands/say.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'earshot-say-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function say(args: string[]): Promise<SayReport> {
  const { stdout } = await run(process.execPath, [join(appRoot, 'bin', 'earshot.mjs'), 'say', ...args, '--json'], {
    cwd: appRoot,
    timeout: 120_000,
  });
  return JSON.parse(stdout) as SayReport;
}

async function sayFails(args: string[]): Promise<string> {
  try {
    await run(process.execPath, [join(appRoot, 'bin', 'earshot.mjs'), 'say', ...args], { cwd: appRoot, timeout: 120_000 });
  } catch (err) {
    const e = err as { code: number; stderr: string };
    assert.equal(e.code, 1);
    return e.stderr;
  }
  assert.fail(`earshot say ${args.join(' ')} should have failed`);
}

test('espeak: a valid WAV, and the first audio came before the rest of the text was synthesized', async () => {
  const text = Array.from({ length: 8 }, (_, i) => `This is sentence number ${i + 1}, spoken by Earshot.`).join(' ');
  const out = join(dir, 'en.wav');
  const r = await say([text, '-o', out, '--engine', 'espeak']);
  const wav = decodeWav(readFileSync(out));
  assert.equal(wav.sampleRate, 22050);
  assert.equal(wav.channels, 1);
  assert.equal(r.backend, 'espeak');
  assert.equal(r.sentences, 8);
  assert.ok(Math.abs(wav.channelData[0]!.length / wav.sampleRate - r.audioMs / 1000) < 1e-6, 'header length matches the audio written');
  assert.ok(wav.channelData[0]!.length > 22050 * 8, 'about a second or more per sentence');
  assert.ok(rms(wav.channelData[0]!) > 0.02);
  // Streaming, by the order of events: sentence 1's audio arrived first, every later sentence after it,
  // and all of it before synthesis ended.
  const t = r.sentenceFirstAudioMs;
  for (let i = 1; i < t.length; i++) assert.ok(t[i]! >= t[i - 1]!, 'sentences arrive in order');
  assert.equal(r.ttfaMs, t[0]);
  assert.ok(r.ttfaMs < t.at(-1)!, 'first audio came before the last sentence was synthesized');
  assert.ok(r.ttfaMs < r.totalMs);
  console.log(`earshot say (espeak, 8 sentences): time to first audio ${r.ttfaMs.toFixed(0)} ms, total ${r.totalMs.toFixed(0)} ms`);
});

test('Arabic text is spoken (voice chosen from the script)', async () => {
  const out = join(dir, 'ar.wav');
  const r = await say(['مرحباً بكم في إيرشوت. هذا اختبار للكلام العربي؟ نعم!', '-o', out]);
  assert.equal(r.backend, 'espeak');
  assert.equal(r.sentences, 3);
  const wav = decodeWav(readFileSync(out));
  assert.ok(wav.channelData[0]!.length > 22050, 'more than a second of audio');
  assert.ok(rms(wav.channelData[0]!) > 0.02);
  // The same with the voice named explicitly.
  const r2 = await say(['مرحباً.', '-o', join(dir, 'ar2.wav'), '--voice', 'espeak:ar']);
  assert.equal(r2.sentences, 1);
});

test('sherpa: the fixture voice writes its token sequence into the WAV', async () => {
  const out = join(dir, 'sherpa.wav');
  const r = await say(['Hello world.', '-o', out, '--engine', 'sherpa', '--voice', 'synthetic-piper-fixture']);
  assert.equal(r.backend, 'sherpa');
  const x = decodeWav(readFileSync(out)).channelData[0]!;
  // "^_h_ə_l..." -> token ids 1, 0, 19, 0, 39 (× 0.001, through 16-bit PCM)
  assert.deepEqual(
    Array.from(x.subarray(0, 5), (v) => Math.round(v * 1000)),
    [1, 0, 19, 0, 39],
  );
});

test('speed changes the length of the audio', async () => {
  const text = 'The quick brown fox jumps over the lazy dog.';
  const normal = await say([text, '-o', join(dir, 's1.wav')]);
  const fast = await say([text, '-o', join(dir, 's2.wav'), '--speed', '2']);
  assert.ok(fast.audioMs < normal.audioMs * 0.7, `${fast.audioMs} vs ${normal.audioMs}`);
});

test('bad input: a clear error and exit code 1', async () => {
  assert.match(await sayFails(['  ', '-o', join(dir, 'x.wav')]), /text is empty/);
  assert.match(await sayFails(['Hi.', '-o', join(dir, 'x.wav'), '--voice', 'espeak:nope']), /unknown espeak voice/);
  assert.match(await sayFails(['Hi.', '-o', join(dir, 'x.wav'), '--speed', '9']), /speed/);
  assert.match(await sayFails(['Hi.', '-o', join(dir, 'x.wav'), '--engine', 'festival']), /--engine must be espeak or sherpa/);
  assert.match(await sayFails(['Hi.']), /--output/);
});
