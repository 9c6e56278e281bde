// In test/slow (the complete gate, not test:quick): about 20 `earshot transcribe` processes, each starting an engine, about 35 CPU-seconds (test:quick keeps the CLI's errors, --language and models).
// `earshot transcribe` and `earshot engines` as a user runs them (bin/earshot.mjs, tsx register()).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encodeWav } from '../../src-main/core/audio/index.js';
import { TONE_ALPHABET } from '../helpers/shared.js';
import { TONE_MODELS } from '../helpers/fixtures.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'earshot-transcribe-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('transcribe a tone WAV with the sherpa fixture: text, json (words), srt and vtt', async () => {
  const wav = join(TONE_ALPHABET, 'test-wavs', 'pangram.wav');
  const text = await run(process.execPath, ['bin/earshot.mjs', 'transcribe', wav, '--model', 'tone-alphabet']);
  assert.equal(text.stdout, 'the quick brown fox jumps over the lazy dog\n');
  const json = JSON.parse(
    (await run(process.execPath, ['bin/earshot.mjs', 'transcribe', wav, '--model', 'tone-alphabet', '--format', 'json'])).stdout,
  );
  assert.equal(json.backend, 'sherpa');
  assert.equal(json.segments[0].words.length, 9);
  const srt = (await run(process.execPath, ['bin/earshot.mjs', 'transcribe', wav, '--model', 'tone-alphabet', '--format', 'srt'])).stdout;
  assert.match(srt, /^1\n00:00:00,\d{3} --> 00:00:0\d,\d{3}\nthe quick brown fox/);
  const vtt = (await run(process.execPath, ['bin/earshot.mjs', 'transcribe', wav, '--model', 'tone-alphabet', '--format', 'vtt'])).stdout;
  assert.match(vtt, /^WEBVTT/);
});

test('transcribe --engine sherpa --model tone-transducer prints exactly what the CTC fixture prints, for each test WAV', async () => {
  for (const name of ['hello-world.wav', 'pangram.wav']) {
    const wav = join(TONE_ALPHABET, 'test-wavs', name);
    const expected = name === 'pangram.wav' ? 'the quick brown fox jumps over the lazy dog\n' : 'hello world\n';
    for (const model of TONE_MODELS) {
      const out = await run(process.execPath, ['bin/earshot.mjs', 'transcribe', wav, '--engine', 'sherpa', '--model', model]);
      assert.equal(out.stdout, expected, `${name} with ${model}`);
    }
  }
  const json = JSON.parse(
    (
      await run(process.execPath, [
        'bin/earshot.mjs',
        'transcribe',
        join(TONE_ALPHABET, 'test-wavs', 'hello-world.wav'),
        '--model',
        'tone-transducer',
        '--format',
        'json',
      ])
    ).stdout,
  );
  assert.equal(json.model, 'tone-transducer');
  assert.deepEqual(
    json.segments[0].words.map((w: { word: string }) => w.word),
    ['hello', 'world'],
  );
});

test('transcribe with a punctuation model prints punctuated finals; --no-punctuate the raw text', async () => {
  const wav = join(TONE_ALPHABET, 'test-wavs', 'hello-world.wav');
  const args = ['bin/earshot.mjs', 'transcribe', wav, '--engine', 'sherpa', '--model', 'tone-transducer', '--punct-model', 'punct-fixture'];
  assert.equal((await run(process.execPath, args)).stdout, 'Hello world.\n');
  assert.equal((await run(process.execPath, [...args, '--no-punctuate'])).stdout, 'hello world\n');
  const bad = (await run(process.execPath, [...args.slice(0, -1), 'tone-alphabet']).catch((e) => e)) as { code: number; stderr: string };
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not punct/);
});

test('transcribe: two utterances at 48 kHz give two lines; bad input fails clearly', async () => {
  const a = toneAudio('one', { sampleRate: 48000, tail: 1.5 });
  const b = toneAudio('two', { sampleRate: 48000 });
  const both = new Float32Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  const file = join(tmp, 'two.wav');
  writeFileSync(file, encodeWav(both, 48000));
  const out = await run(process.execPath, ['bin/earshot.mjs', 'transcribe', file, '--model', 'tone-alphabet']);
  assert.equal(out.stdout, 'one\ntwo\n');
  const notWav = join(tmp, 'x.wav');
  writeFileSync(notWav, 'hello');
  const err = (await run(process.execPath, ['bin/earshot.mjs', 'transcribe', notWav]).catch((e) => e)) as { code: number; stderr: string };
  assert.equal(err.code, 1);
  assert.match(err.stderr, /unrecognised audio format/);
  const fmt = (await run(process.execPath, ['bin/earshot.mjs', 'transcribe', file, '--format', 'doc']).catch((e) => e)) as {
    stderr: string;
  };
  assert.match(fmt.stderr, /--format must be one of/);
});

test('transcribe --language: the offline fixture for en names its language per segment; a bad code or a language with no recognizer fails clearly', async () => {
  const wav = join(TONE_ALPHABET, 'test-wavs', 'hello-world.wav');
  const args = ['bin/earshot.mjs', 'transcribe', wav, '--model', 'tone-offline', '--language', 'en', '--format', 'json'];
  const json = JSON.parse((await run(process.execPath, args)).stdout);
  assert.equal(json.text, 'hello world');
  assert.equal(json.language, 'en');
  assert.deepEqual(
    json.segments.map((s: { language: string }) => s.language),
    ['en'],
  );
  const bad = (await run(process.execPath, ['bin/earshot.mjs', 'transcribe', wav, '--language', 'english']).catch((e) => e)) as {
    code: number;
    stderr: string;
  };
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--language must be an ISO 639-1 code/);
  const none = (await run(process.execPath, ['bin/earshot.mjs', 'transcribe', wav, '--model', 'tone-offline', '--language', 'ar']).catch(
    (e) => e,
  )) as {
    code: number;
    stderr: string;
  };
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no ASR engine fits .*ar/);
});

test('engines lists each backend with availability and reason', async () => {
  const rows = JSON.parse((await run(process.execPath, ['bin/earshot.mjs', 'engines', '--json'])).stdout) as {
    id: string;
    kind: string;
    available: boolean;
    detail: string;
  }[];
  const sherpaAsr = rows.find((r) => r.id === 'sherpa' && r.kind === 'asr')!;
  assert.equal(sherpaAsr.available, false, 'no real sherpa ASR model is installed here');
  assert.match(sherpaAsr.detail, /models pull zipformer-en-20m/);
  assert.deepEqual(
    rows.map((r) => `${r.id}:${r.kind}`),
    ['sherpa:asr', 'pocketsphinx:asr', 'sherpa:tts', 'espeak:tts'],
  );
});
