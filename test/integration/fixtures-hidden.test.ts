// Fixtures (catalog `fixture: true`: tone-alphabet, compute-20m, synthetic-piper-fixture) sit on every
// development checkout's model path (../shared/models) but must never be offered to users (issue 9): not in
// GET /v1/models or /v1/voices, nor `earshot models list`, unless the developer switch is on
// (EARSHOT_DEV_FIXTURES=1, `--dev-fixtures`, or the server's listFixtures option). Naming one still uses it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadCatalog } from '../../src-main/core/engine/index.js';
import { startTestServer } from './ws-harness.js';

type Running = Awaited<ReturnType<typeof startTestServer>>;
const FIXTURE_IDS = loadCatalog()
  .filter((m) => m.fixture)
  .map((m) => m.id);
const engineConfig = {
  asr: [{ backend: 'sherpa' as const, model: 'tone-alphabet' }],
  tts: [{ backend: 'sherpa' as const, voice: 'synthetic-piper-fixture' }, { backend: 'espeak' as const }],
};
let forUsers: Running;
let forDevelopers: Running;
const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'earshot-fixtures-'));

before(async () => {
  assert.ok(FIXTURE_IDS.includes('tone-alphabet') && FIXTURE_IDS.includes('synthetic-piper-fixture'), `catalog fixtures: ${FIXTURE_IDS}`);
  forUsers = await startTestServer(engineConfig, { listFixtures: false });
  forDevelopers = await startTestServer(engineConfig, { listFixtures: true });
});
after(async () => {
  await forUsers?.close();
  await forDevelopers?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const list = async (r: Running, path: string) =>
  ((await (await fetch(`${r.server.asrUrl}${path}`)).json()) as { data: { id: string; fixture: boolean }[] }).data;

test('GET /v1/models and /v1/voices leave the loaded fixtures out; the real entries stay', async () => {
  const models = await list(forUsers, '/v1/models');
  assert.ok(models.length > 0);
  assert.deepEqual(
    models.filter((m) => m.fixture || FIXTURE_IDS.includes(m.id)).map((m) => m.id),
    [],
  );
  const voices = await list(forUsers, '/v1/voices');
  assert.ok(
    voices.some((v) => v.id.startsWith('espeak:')),
    'espeak voices are listed',
  );
  assert.deepEqual(
    voices.filter((v) => v.fixture || v.id === 'synthetic-piper-fixture').map((v) => v.id),
    [],
  );
});

test('with the developer switch they are listed, marked fixture', async () => {
  const models = await list(forDevelopers, '/v1/models');
  assert.ok(models.some((m) => m.id === 'tone-alphabet' && m.fixture));
  const voices = await list(forDevelopers, '/v1/voices');
  assert.ok(voices.some((v) => v.id === 'synthetic-piper-fixture' && v.fixture));
});

test('a fixture named explicitly still works while unlisted', async () => {
  const form = new FormData();
  const { toneAudio } = await import('../../../shared/models/fixtures/tone-audio.mjs');
  const { encodeWav } = await import('../../src-main/core/audio/index.js');
  form.append('file', new Blob([new Uint8Array(encodeWav(toneAudio('named'), 16000))], { type: 'audio/wav' }), 'a.wav');
  form.append('model', 'tone-alphabet');
  const r = await fetch(`${forUsers.server.asrUrl}/v1/audio/transcriptions`, { method: 'POST', body: form });
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as { text: string }).text, 'named');
});

test('earshot models list: no fixtures; EARSHOT_DEV_FIXTURES=1 or --dev-fixtures lists them', () => {
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, EARSHOT_DATA_DIR: dataDir };
    delete env.EARSHOT_DEV_FIXTURES;
    Object.assign(env, extra);
    const r = spawnSync(process.execPath, ['bin/earshot.mjs', 'models', 'list', '--json', ...args], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { id: string; fixture: boolean }[]).map((m) => m.id);
  };
  const plain = run([]);
  assert.ok(plain.length > 0);
  assert.deepEqual(
    plain.filter((id) => FIXTURE_IDS.includes(id)),
    [],
  );
  for (const ids of [run([], { EARSHOT_DEV_FIXTURES: '1' }), run(['--dev-fixtures'])]) {
    for (const f of FIXTURE_IDS) assert.ok(ids.includes(f), `${f} listed for developers`);
  }
});
