// Which catalog recognizers speak a language, and the sentence that tells a user how to get one: a session that
// asks for `language=ar` with no Arabic recognizer installed must name the model to install, not just refuse.
import type { CatalogModel } from './catalog.js';
import { ACCURACY_CLASSES } from './catalog.js';

/** The catalog kinds that recognize speech. */
export const ASR_KINDS: readonly string[] = ['asr-streaming', 'asr-offline'];

/** Base language of a tag: `ar-EG` → `ar`, `pt_BR` → `pt`. */
export function baseLanguage(tag: string): string {
  return tag.toLowerCase().split(/[-_]/)[0] ?? '';
}

/** Every language a catalog model covers (ISO 639-1): its `languages`, else its single `language`. */
export function modelLanguages(m: Pick<CatalogModel, 'language' | 'languages'>): string[] {
  return m.languages ?? [m.language];
}

/** True when the model recognizes (or speaks) `language`; `*` models (VAD) cover every language. */
export function coversLanguage(m: Pick<CatalogModel, 'language' | 'languages'>, language: string): boolean {
  const want = baseLanguage(language);
  return m.language === '*' || modelLanguages(m).some((l) => baseLanguage(l) === want);
}

/** Total download bytes, or undefined while a file's size is unknown. */
export function downloadBytes(m: CatalogModel): number | undefined {
  return m.files.every((f) => f.size != null) ? m.files.reduce((a, f) => a + (f.size ?? 0), 0) : undefined;
}

/**
 * The catalog's (non-fixture) recognizers for a language, best first: most accurate, then streaming before
 * offline (live interims), then the smaller download.
 */
export function recognizersFor(catalog: readonly CatalogModel[], language: string): CatalogModel[] {
  const acc = (m: CatalogModel) => (m.accuracy ? ACCURACY_CLASSES.indexOf(m.accuracy) : -1);
  return catalog
    .filter((m) => ASR_KINDS.includes(m.kind) && !m.fixture && coversLanguage(m, language))
    .sort(
      (a, b) =>
        acc(b) - acc(a) ||
        Number(a.kind !== 'asr-streaming') - Number(b.kind !== 'asr-streaming') ||
        (downloadBytes(a) ?? Infinity) - (downloadBytes(b) ?? Infinity),
    );
}

/** "375 MB" */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return 'size unknown';
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1e6))} MB`;
}

/**
 * What to tell a user who asked for `language` when no loaded recognizer speaks it: the catalog models that add
 * it (id, size, speed and accuracy) and how to install one; or, when the catalog has none, that no model for it
 * is known. `installed(m)` says whether a model's files are already here (then it was not loaded: say so).
 */
export function missingLanguageHint(catalog: readonly CatalogModel[], language: string, installed: (m: CatalogModel) => boolean): string {
  const base = baseLanguage(language);
  const candidates = recognizersFor(catalog, base);
  if (!candidates.length) {
    return `no speech recognizer for language "${base}" is installed, and the model catalog has none for it either`;
  }
  const describe = (m: CatalogModel) =>
    `${m.id} (${[m.kind === 'asr-streaming' ? 'live' : 'offline', formatSize(downloadBytes(m)), m.speed, m.accuracy && `${m.accuracy} accuracy`]
      .filter(Boolean)
      .join(', ')})`;
  const present = candidates.filter(installed);
  const missing = candidates.filter((m) => !installed(m));
  const parts = [`no installed speech recognizer understands "${base}"`];
  if (present.length) parts.push(`installed but not loaded: ${present.map((m) => m.id).join(', ')} (restart the server, or see GET /v1/engines)`);
  if (missing.length) {
    parts.push(
      `models that add it: ${missing.map(describe).join('; ')}. Install one with \`earshot models pull ${missing[0]!.id}\` ` +
        `or in the app under Settings → Engines and models`,
    );
  }
  return parts.join('; ');
}
