// The model catalog (models/catalog.json) and where each model's files are found on this machine.
// Resolution order: EARSHOT_MODELS_DIR, userDataDir()/models, the repo's models/, then ../shared/models.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { appRoot, sharedDir, userDataDir } from '../../paths.js';
import { PIPER_DERIVED } from './piper-voice.js';

const CatalogFileSchema = z.object({
  /** What the file is to the backend: model, encoder, decoder, joiner, tokens, voices... */
  role: z.string().min(1),
  /** Relative to the model's dir. */
  path: z.string().min(1).refine((p) => !p.split(/[\\/]/).includes('..') && !p.startsWith('/'), 'must stay inside the model dir'),
  size: z.number().int().positive().nullable().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable().optional(),
  url: z.string().url().optional(),
});

/** Where a model comes from when it is not a plain download: a registry package and the step that installs it. */
const CatalogSourceSchema = z.object({
  registry: z.enum(['pypi', 'npm']),
  package: z.string().min(1),
  version: z.string().min(1),
  /** The command (run from the repo root) that installs and converts it into a models dir. */
  install: z.string().min(1),
});

export const SPEED_CLASSES = ['fastest', 'fast', 'moderate', 'slow'] as const;
export const ACCURACY_CLASSES = ['basic', 'fair', 'good', 'best'] as const;

const CatalogModelSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string(),
  /** asr-streaming: live, interims as you speak; asr-offline: decodes finished (VAD-cut) segments. */
  kind: z.enum(['asr-streaming', 'asr-offline', 'tts', 'vad', 'punct', 'kws']),
  backend: z.literal('sherpa'),
  language: z.string(),
  /** Every language a voice speaks (ISO 639-1), when it is more than `language` or worth listing. */
  languages: z.array(z.string().regex(/^[a-z]{2}$/)).min(1).optional(),
  /**
   * sherpa model family. Streaming: transducer, nemo_ctc, zipformer2_ctc. Offline: the OfflineModelConfig field that
   * loads it (whisper, nemo_transducer, transducer, nemo_ctc, zipformer_ctc, sense_voice, moonshine: offline-asr-config.ts). TTS: vits, kokoro, matcha. silero_vad.
   */
  type: z.string(),
  /**
   * sherpa's modelling unit, for hotwords (custom vocabulary): `cjkchar` = one token per character. Absent: the
   * model cannot be biased toward custom words (the replacement list still applies).
   */
  modelingUnit: z.enum(['cjkchar']).optional(),
  /** The model finds the spoken language itself (Whisper, SenseVoice). */
  detectsLanguage: z.boolean().optional(),
  /** Speed class, fastest > fast > moderate > slow (how each is judged: the catalog's $comment). */
  speed: z.enum(SPEED_CLASSES).optional(),
  /** Accuracy class, basic < fair < good < best (how each is judged: the catalog's $comment). */
  accuracy: z.enum(ACCURACY_CLASSES).optional(),
  /** One sentence for Settings: what the model is good for. */
  note: z.string().optional(),
  /** Folder name under a models dir. */
  dir: z.string().min(1).refine((p) => !p.split(/[\\/]/).includes('..') && !p.startsWith('/'), 'must be relative'),
  license: z.string(),
  fixture: z.boolean().optional(),
  sampleRate: z.number().int().positive(),
  featureDim: z.number().int().positive().optional(),
  /** Duration of one output frame of a streaming ASR model (subsampling × 10 ms). */
  frameMs: z.number().positive().optional(),
  /** Audio consumed per decode call of a streaming ASR model. */
  chunkMs: z.number().positive().optional(),
  upstream: z.string().url().optional(),
  source: CatalogSourceSchema.optional(),
  /**
   * `piper`: the files are an upstream piper voice (roles piper_model, piper_config), converted after download into
   * model.onnx + tokens.txt for sherpa-onnx (models/piper-voice.ts); the derived files take the roles model/tokens.
   */
  convert: z.literal('piper').optional(),
  files: z.array(CatalogFileSchema).min(1),
});

const CatalogSchema = z.object({ version: z.literal(1), models: z.array(CatalogModelSchema) });

export type CatalogFile = z.infer<typeof CatalogFileSchema>;
export type CatalogSource = z.infer<typeof CatalogSourceSchema>;
export type CatalogModel = z.infer<typeof CatalogModelSchema>;

/** A catalog model found on disk: plain data (it is posted to workers). */
export interface ResolvedModel extends CatalogModel {
  /** Absolute folder holding the files. */
  path: string;
  /** role -> absolute file path. */
  paths: Record<string, string>;
}

export const CATALOG_PATH = join(appRoot, 'models', 'catalog.json');

let cachedCatalog: CatalogModel[] | null = null;

/** Parse a catalog document; throws with the first problem found. */
export function parseCatalog(json: unknown, source = 'catalog'): CatalogModel[] {
  const r = CatalogSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${source}: invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const ids = new Set<string>();
  for (const m of r.data.models) {
    if (ids.has(m.id)) throw new Error(`${source}: duplicate model id "${m.id}"`);
    if (m.convert === 'piper' && !['piper_model', 'piper_config'].every((role) => m.files.some((f) => f.role === role))) {
      throw new Error(`${source}: model "${m.id}" converts a piper voice but lacks a piper_model or piper_config file`);
    }
    ids.add(m.id);
  }
  return r.data.models;
}

export function loadCatalog(): CatalogModel[] {
  cachedCatalog ??= parseCatalog(JSON.parse(readFileSync(CATALOG_PATH, 'utf8')), CATALOG_PATH);
  return cachedCatalog;
}

export function catalogModel(id: string): CatalogModel {
  const m = loadCatalog().find((x) => x.id === id);
  if (!m) throw new Error(`unknown model "${id}"; known: ${loadCatalog().map((x) => x.id).join(', ')}`);
  return m;
}

/** Folders searched for models, most specific first. `extra` (config) comes before all of them. */
export function modelsDirs(extra: string[] = []): string[] {
  const dirs = [...extra];
  if (process.env.EARSHOT_MODELS_DIR) dirs.push(process.env.EARSHOT_MODELS_DIR);
  dirs.push(join(userDataDir(), 'models'), join(appRoot, 'models'));
  const shared = sharedDir();
  if (shared) dirs.push(join(shared, 'models'));
  return [...new Set(dirs.map((d) => resolve(d)))];
}

/** Where `pull` writes: EARSHOT_MODELS_DIR when set, else the user-data models dir. */
export function downloadDir(): string {
  return resolve(process.env.EARSHOT_MODELS_DIR ?? join(userDataDir(), 'models'));
}

/** Files a converted model derives from its upstream files, by role (none for plain downloads). */
function derivedFiles(model: CatalogModel): Record<string, string> {
  return model.convert === 'piper' ? { ...PIPER_DERIVED } : {};
}

/** True when every file of the model is present (non-empty; right size when the size is known), derived ones too. */
function completeIn(model: CatalogModel, base: string): boolean {
  const nonEmpty = (p: string) => existsSync(p) && statSync(p).isFile() && statSync(p).size > 0;
  return (
    model.files.every((f) => {
      const p = join(base, model.dir, f.path);
      return nonEmpty(p) && (f.size == null || f.sha256 == null || statSync(p).size === f.size);
    }) && Object.values(derivedFiles(model)).every((f) => nonEmpty(join(base, model.dir, f)))
  );
}

/** The first models dir holding a complete copy of the model, or null. */
export function resolveModel(model: CatalogModel | string, extraDirs: string[] = []): ResolvedModel | null {
  const m = typeof model === 'string' ? catalogModel(model) : model;
  for (const base of modelsDirs(extraDirs)) {
    if (completeIn(m, base)) {
      const path = join(base, m.dir);
      const files: [string, string][] = [...m.files.map((f) => [f.role, f.path] as [string, string]), ...Object.entries(derivedFiles(m))];
      return { ...m, path, paths: Object.fromEntries(files.map(([role, file]) => [role, join(path, file)])) };
    }
  }
  return null;
}

/** Like resolveModel, but says where it looked when the model is missing. */
export function requireModel(model: CatalogModel | string, extraDirs: string[] = []): ResolvedModel {
  const m = typeof model === 'string' ? catalogModel(model) : model;
  const r = resolveModel(m, extraDirs);
  if (!r) {
    throw new Error(
      `model "${m.id}" is not installed (looked for ${m.dir}/ in ${modelsDirs(extraDirs).join(', ')}); ` +
        (m.fixture
          ? 'it is a test fixture: from ../shared/models, or built by /usr/bin/python3 models/fixtures/generate.py'
          : `run: earshot models pull ${m.id}`),
    );
  }
  return r;
}
