// Language choice users can act on (issue 15): `language=ar` with no Arabic recognizer installed fails on every
// path (WS query, gRPC config, REST `language` field, `earshot transcribe --language`) with an error that names the
// catalog models that add Arabic and how to install one; the model lists show each model's languages, and
// `earshot models list --language de` filters. A real engine (the tone fixture, English) on free ports, with the
// models dirs pointed at an empty temp folder so nothing real is installed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { encodeWav } from '../../src-main/core/audio/index.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { TONE_ALPHABET } from '../helpers/shared.js';
import { connect, startTestServer, wsUrl } from './ws-harness.js';
import { grpcClients, startHarness, unary, type Harness } from './grpc-rest-harness.js';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'earshot-language-'));
const saved = { models: process.env.EARSHOT_MODELS_DIR, data: process.env.EARSHOT_DATA_DIR };
/** The environment the CLI runs with (set in `before`: the quick loop imports a process's files before any runs). */
let cliEnv: NodeJS.ProcessEnv;

/** What every path must say: which models add Arabic, and the install step. */
function assertNamesArabicModels(message: string): void {
  assert.match(message, /no installed speech recognizer understands "ar"/, message);
  assert.match(message, /whisper-small-int8 \(offline, 375 MB, slow, good accuracy\)/, message);
  assert.match(message, /whisper-tiny-int8/, message);
  assert.match(message, /earshot models pull whisper-small-int8/, message);
  assert.match(message, /Settings → Engines and models/, message);
}

let ws: Awaited<ReturnType<typeof startTestServer>>;
let h: Harness;
before(async () => {
  process.env.EARSHOT_MODELS_DIR = join(tmp, 'models');
  process.env.EARSHOT_DATA_DIR = join(tmp, 'data');
  cliEnv = { ...process.env };
  ws = await startTestServer({ asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [] });
  h = await startHarness({ engine: { asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [] } });
});
after(async () => {
  await ws?.close();
  await h?.close();
  if (saved.models === undefined) delete process.env.EARSHOT_MODELS_DIR;
  else process.env.EARSHOT_MODELS_DIR = saved.models;
  if (saved.data === undefined) delete process.env.EARSHOT_DATA_DIR;
  else process.env.EARSHOT_DATA_DIR = saved.data;
  rmSync(tmp, { recursive: true, force: true });
});

test('WS: language=ar with no Arabic recognizer is model_unavailable naming the models that add it; language=en still works', async () => {
  const c = connect(wsUrl(ws.server, 'asr', '/v1/audio/stream', { language: 'ar' }));
  const e = await c.waitFor((m) => m.type === 'error');
  assert.equal(e.code, 'model_unavailable');
  assertNamesArabicModels(e.message);
  await c.closed;
  const ok = connect(wsUrl(ws.server, 'asr', '/v1/audio/stream', { language: 'en', model: 'tone-alphabet' }));
  await ok.waitFor((m) => m.type === 'ready');
  ok.ws.close();
});

test('gRPC: config.language "ar" fails with the same message (status NOT_FOUND/UNAVAILABLE family, not INTERNAL)', async () => {
  const clients = grpcClients(h);
  try {
    const wav = encodeWav(toneAudio('a'), 16000);
    const err: any = await unary(clients.asr, 'Transcribe', { audio: wav, config: { language: 'ar' } }).then(
      () => assert.fail('expected an error'),
      (x) => x,
    );
    assert.notEqual(err.code, grpc.status.INTERNAL);
    assertNamesArabicModels(err.details);
  } finally {
    clients.close();
  }
});

test('REST: POST /v1/audio/transcriptions with language=ar is a model_unavailable error naming the models', async () => {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(encodeWav(toneAudio('a'), 16000))], { type: 'audio/wav' }), 'a.wav');
  body.append('language', 'ar');
  const r = await fetch(`${h.baseUrl}/v1/audio/transcriptions`, { method: 'POST', body });
  const json = (await r.json()) as any;
  assert.equal(json.error.code, 'model_unavailable', JSON.stringify(json));
  assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
  assertNamesArabicModels(json.error.message);
});

test('GET /v1/models and gRPC ListModels show each model its languages, speed and accuracy', async () => {
  const list = (await (await fetch(`${h.baseUrl}/v1/models`)).json()) as any;
  const small = list.data.find((m: any) => m.id === 'whisper-small-int8');
  assert.equal(small.kind, 'asr-offline');
  assert.ok(['ar', 'de', 'fr', 'es', 'pt'].every((l) => small.languages.includes(l)));
  assert.equal(small.speed, 'slow');
  assert.equal(small.accuracy, 'good');
  assert.equal(small.detects_language, true);
  assert.equal(small.installed, false);
  assert.deepEqual(list.data.find((m: any) => m.id === 'kroko-de-streaming').languages, ['de']);
  const clients = grpcClients(h);
  try {
    const res: any = await unary(clients.asr, 'ListModels', { kind: 'asr-offline' });
    const parakeet = res.models.find((m: any) => m.id === 'parakeet-tdt-0.6b-v2-int8');
    assert.deepEqual(parakeet.languages, ['en']);
    assert.equal(parakeet.accuracy, 'best');
    assert.ok(res.models.every((m: any) => m.kind === 'asr-offline'));
  } finally {
    clients.close();
  }
});

test('CLI: earshot transcribe --language ar fails naming the models; models list --language de filters, best recognizer first', async () => {
  const wav = join(TONE_ALPHABET, 'test-wavs', 'hello-world.wav');
  const failed: any = await run(process.execPath, ['bin/earshot.mjs', 'transcribe', wav, '--language', 'ar'], { env: cliEnv }).then(
    () => assert.fail('expected a failure'),
    (x) => x,
  );
  assert.notEqual(failed.code, 0);
  assertNamesArabicModels(failed.stderr);

  const rows = JSON.parse(
    (await run(process.execPath, ['bin/earshot.mjs', 'models', 'list', '--language', 'de', '--json'], { env: cliEnv })).stdout,
  );
  const ids = rows.map((m: any) => m.id);
  assert.ok(ids.includes('kroko-de-streaming') && ids.includes('whisper-small-int8') && ids.includes('piper-de-de-thorsten-medium'), ids);
  assert.ok(!ids.includes('zipformer-en-20m') && !ids.includes('silero-vad'), ids);
  assert.equal(ids[0], 'whisper-small-int8', 'the most accurate German recognizer first');
  const table = (await run(process.execPath, ['bin/earshot.mjs', 'models', 'list', '--language', 'ar'], { env: cliEnv })).stdout;
  assert.match(table, /LANGUAGES +DOWNLOAD +SPEED +ACCURACY/);
  assert.match(table, /whisper-tiny-int8 +asr-offline +\d+ languages +103\.6 MB +fast +basic/);
  assert.match(table, /No recognizer for "ar" is installed\. Install one with: earshot models pull whisper-small-int8/);
  const bad: any = await run(process.execPath, ['bin/earshot.mjs', 'models', 'list', '--language', 'xx'], { env: cliEnv }).then(
    () => assert.fail('expected a failure'),
    (x) => x,
  );
  assert.match(bad.stderr, /no model in the catalog covers language "xx"/);
});
