// The conformance fixtures that models/fixtures/generate.py builds (ignored build outputs in models/fixtures/),
// and the streaming models every exact-text ASR test runs on. Importing this module builds any fixture that
// is missing or stale (its files do not match the catalog's sizes), so a test never meets a half-made model:
// the generator writes each fixture into a temp dir and renames it into place.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../../src-main/core/paths.js';
import { catalogModel, resolveModel } from '../../src-main/core/engine/models/catalog.js';

/** Catalog ids of the fixtures generate.py writes (its FIXTURES keys are their dirs under models/fixtures/). */
export const GENERATED_FIXTURES = ['tone-transducer', 'punct-fixture', 'kokoro-fixture', 'tone-offline'] as const;

/**
 * The tone-alphabet streaming models: the NeMo CTC fixture from ../shared and the zipformer transducer built
 * here. Both decode the same tones to the same text, so exact-text tests run on each.
 */
export const TONE_MODELS = ['tone-alphabet', 'tone-transducer', 'tone-offline'] as const;
export type ToneModel = (typeof TONE_MODELS)[number];

export const GENERATOR = join(appRoot, 'models', 'fixtures', 'generate.py');

/** Debian's python3 carries python3-onnx; a pyenv python3 earlier on PATH usually does not. */
export function fixturePython(): string {
  return process.env.EARSHOT_FIXTURE_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** Build the generated fixtures unless every one resolves in the repo's models/ dir with the catalog's sizes. */
export function ensureGeneratedFixtures(): void {
  const inRepo = join(appRoot, 'models');
  const missing = GENERATED_FIXTURES.filter((id) => !resolveModel(id)?.path.startsWith(inRepo));
  if (!missing.length) return;
  const r = spawnSync(fixturePython(), [GENERATOR], { cwd: appRoot, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`models/fixtures/generate.py failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
  }
  for (const id of missing) {
    if (!resolveModel(id)) {
      const m = catalogModel(id);
      throw new Error(
        `generate.py ran but "${id}" still does not match models/catalog.json (${m.files.map((f) => `${f.path}:${f.size}`).join(', ')}); regenerate and update the catalog`,
      );
    }
  }
}

ensureGeneratedFixtures();
