// `earshot models import <archive-or-folder>`: install a model downloaded elsewhere (the upstream .tar.bz2, a
// .tar.gz/.tgz/.tar, or a folder of its files) without the network. The catalog entry is identified from the
// name of the archive/folder, the archive's top folder, or (failing both) the set of files it holds; every
// catalog file is then checked (present, size and sha256 where the catalog knows them) BEFORE anything is
// written to the models dir. Only the catalog's files are taken from an archive, each a regular file at a
// safe relative path and no bigger than expected: an archive cannot write anywhere else or fill the disk.
import { CodedError } from '../../errors.js';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import unbzip2 from 'unbzip2-stream';
import { catalogModel, loadCatalog, type CatalogModel } from './catalog.js';

/** Why an import was refused; `code` lets the CLI/API name the problem without parsing the message. */
export class ModelImportError extends CodedError {
  constructor(
    readonly code: 'not_found' | 'unsupported' | 'unknown_model' | 'ambiguous' | 'missing_file' | 'size_mismatch' | 'checksum_mismatch' | 'too_large' | 'bad_archive',
    message: string,
  ) {
    // To a client every refusal is a bad request, except an archive over the limits.
    super(code === 'too_large' ? 'too_large' : 'bad_config', message);
    this.name = 'ModelImportError';
  }
}

export interface ImportOptions {
  /** Models folder that receives `<model.dir>/...`. */
  into: string;
  /** The catalog id, when the source's names do not say it. */
  id?: string;
  /** Largest single file accepted when the catalog does not know its size (default 2 GiB, as for downloads). */
  maxFileBytes?: number;
  /** Largest amount of data read out of an archive, skipped entries included (default 16 GiB). */
  maxArchiveBytes?: number;
  /** Most entries looked at in an archive or folder (default 100 000). */
  maxEntries?: number;
}

export interface ImportResult {
  model: CatalogModel;
  /** The installed model's folder. */
  dir: string;
  /** Per file: whether it was checked against a sha256 from the catalog, or its hash was recorded now. */
  files: { path: string; size: number; sha256: string; check: 'catalog' | 'recorded' }[];
}

/** One regular file found in the source, at `rel` (forward slashes, no `.`/`..`). */
interface Found {
  rel: string;
  size: number;
  sha256: string;
  /** Where its bytes are now: the source file itself (folder) or a staged copy (archive). */
  path: string;
}

const RECORD = '.earshot-sha256.json';
const ARCHIVE_EXT = /\.(tar\.bz2|tbz2|tar\.gz|tgz|tar)$/i;

/** Install the model in `source` (archive or folder) into `opts.into`; throws ModelImportError naming the problem. */
export async function importModel(source: string, opts: ImportOptions): Promise<ImportResult> {
  const src = resolve(source);
  let st: Stats;
  try {
    st = statSync(src);
  } catch {
    throw new ModelImportError('not_found', `${source}: no such file or folder. Give the path of the downloaded model archive (.tar.bz2) or of the folder it unpacks to.`);
  }
  const catalog = loadCatalog();
  const named = opts.id ? byId(opts.id) : byName(basename(src).replace(ARCHIVE_EXT, ''), catalog);
  const staging = join(resolve(opts.into), `.import-${randomBytes(6).toString('hex')}`);
  try {
    let found: Found[];
    if (st.isDirectory()) found = await scanFolder(src, opts);
    else if (st.isFile()) {
      if (!ARCHIVE_EXT.test(src)) {
        throw new ModelImportError('unsupported', `${source}: not a model archive (expected .tar.bz2, .tar.gz, .tgz or .tar) nor a folder. Upstream models are .tar.bz2 files; a folder of their unpacked files works too.`);
      }
      mkdirSync(staging, { recursive: true });
      found = await scanArchive(src, staging, wantedPaths(named ? [named] : catalog), named, opts);
    } else throw new ModelImportError('unsupported', `${source}: not a file or folder`);

    const { model, prefix } = identify(source, found, named, catalog);
    const byRel = new Map(found.map((f) => [f.rel, f]));
    const files: ImportResult['files'] = [];
    for (const file of model.files) {
      const rel = prefix ? `${prefix}/${file.path}` : file.path;
      const f = byRel.get(rel);
      if (!f) throw new ModelImportError('missing_file', `${source}: missing file ${file.path} of model "${model.id}" (${model.name}); the download is incomplete or not this model. Download it again from ${downloadUrl(model)}`);
      if (file.size != null && f.size !== file.size) {
        throw new ModelImportError('size_mismatch', `${source}: ${file.path} is ${f.size} bytes, the catalog says ${file.size} for model "${model.id}"; the download is incomplete or corrupt. Download it again from ${downloadUrl(model)}`);
      }
      if (file.sha256 && f.sha256 !== file.sha256) {
        throw new ModelImportError('checksum_mismatch', `${source}: ${file.path} has sha256 ${f.sha256}, the catalog expects ${file.sha256} for model "${model.id}"; the file is corrupt or a different version. Nothing was installed. Download it again from ${downloadUrl(model)}`);
      }
      files.push({ path: file.path, size: f.size, sha256: f.sha256, check: file.sha256 ? 'catalog' : 'recorded' });
    }
    const dir = install(model, prefix, byRel, opts.into);
    return { model, dir, files };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Where the user can get the model by hand: its upstream archive, else its first file's URL. */
export function downloadUrl(model: CatalogModel): string {
  return model.upstream ?? model.files.find((f) => f.url)?.url ?? `(no download URL: "${model.id}" is a local fixture)`;
}

function byId(id: string): CatalogModel {
  try {
    return catalogModel(id);
  } catch (err) {
    throw new ModelImportError('unknown_model', (err as Error).message);
  }
}

/** The model a file/folder name stands for: its dir's last part, or its upstream archive's name. */
function byName(name: string, catalog: CatalogModel[]): CatalogModel | null {
  return catalog.find((m) => basename(m.dir) === name || (m.upstream && basename(new URL(m.upstream).pathname).replace(ARCHIVE_EXT, '') === name)) ?? null;
}

/** Relative paths inside an archive worth keeping: a catalog file path, directly or under one top folder. */
function wantedPaths(models: CatalogModel[]): (rel: string) => boolean {
  const paths = new Set(models.flatMap((m) => m.files.map((f) => f.path)));
  return (rel) => paths.has(rel) || paths.has(rel.slice(rel.indexOf('/') + 1));
}

/** Which model the found files are, and under which top folder (`''` = at the root). */
function identify(source: string, found: Found[], named: CatalogModel | null, catalog: CatalogModel[]): { model: CatalogModel; prefix: string } {
  const prefixes = [...new Set(found.map((f) => (f.rel.includes('/') ? f.rel.slice(0, f.rel.indexOf('/')) : '')))];
  const rels = new Set(found.map((f) => f.rel));
  const under = (m: CatalogModel, p: string) => m.files.filter((f) => rels.has(p ? `${p}/${f.path}` : f.path)).length;
  /** The prefix holding most of the model's files (the root first on a tie). */
  const bestPrefix = (m: CatalogModel) => [...prefixes].sort((a, b) => under(m, b) - under(m, a) || a.length - b.length)[0] ?? '';
  if (named) return { model: named, prefix: bestPrefix(named) };
  // The archive's/folder's top folder named like a catalog model.
  for (const p of prefixes) {
    const m = p && byName(p, catalog);
    if (m) return { model: m, prefix: p };
  }
  // By content: every file present (sha256 equal where known); the model with the most files wins.
  const shaOf = new Map(found.map((f) => [f.rel, f.sha256]));
  const complete = catalog.flatMap((m) =>
    prefixes
      .filter((p) => m.files.every((f) => { const sha = shaOf.get(p ? `${p}/${f.path}` : f.path); return sha !== undefined && (!f.sha256 || sha === f.sha256); }))
      .map((p) => ({ model: m, prefix: p })),
  );
  const most = Math.max(0, ...complete.map((c) => c.model.files.length));
  const best = complete.filter((c) => c.model.files.length === most);
  if (best.length === 1) return best[0]!;
  if (best.length > 1) {
    throw new ModelImportError('ambiguous', `${source} matches several catalog models (${best.map((c) => c.model.id).join(', ')}); say which with --id <id>`);
  }
  const ids = catalog.filter((m) => !m.fixture).map((m) => m.id);
  throw new ModelImportError(
    'unknown_model',
    `${source} is not a model Earshot knows: its name and its files match no catalog entry. Known models: ${ids.join(', ')} (see \`earshot models list\`). If it is one of them under another name, say which with --id <id>.`,
  );
}

/** Every regular file under the folder (depth ≤ 4), hashed in place. */
async function scanFolder(root: string, opts: ImportOptions): Promise<Found[]> {
  const maxEntries = opts.maxEntries ?? 100_000;
  const out: Found[] = [];
  let seen = 0;
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      if (++seen > maxEntries) throw new ModelImportError('too_large', `${root}: more than ${maxEntries} entries; point at the model's own folder`);
      const path = join(dir, ent.name);
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue; // a dangling link
      if (st.isDirectory()) {
        if (depth < 4 && !ent.name.startsWith('.import-')) await walk(path, r, depth + 1);
      } else if (st.isFile() && !ent.name.endsWith('.part')) {
        out.push({ rel: r, size: st.size, sha256: '', path });
      }
    }
  };
  await walk(root, '', 0);
  // Hash only what could be a catalog file (folders often hold test WAVs and READMEs too).
  const wanted = wantedPaths(loadCatalog());
  const kept = out.filter((f) => wanted(f.rel));
  for (const f of kept) f.sha256 = await hashFile(f.path);
  return kept;
}

/**
 * Read the archive once, copying the entries `want` accepts into `staging` (hashing as they stream). Entries
 * are never written under their own names, so `../`, absolute paths and links in an archive lead nowhere.
 */
async function scanArchive(file: string, staging: string, want: (rel: string) => boolean, named: CatalogModel | null, opts: ImportOptions): Promise<Found[]> {
  const maxFile = opts.maxFileBytes ?? 2 * 1024 ** 3;
  const maxTotal = opts.maxArchiveBytes ?? 16 * 1024 ** 3;
  const maxEntries = opts.maxEntries ?? 100_000;
  // A file the catalog knows the size of is never staged bigger than that (the largest, where models share a
  // path; no limit but maxFile where any of them does not know it): it is reported as a size mismatch instead.
  const sizeLimit = new Map<string, number>();
  for (const m of named ? [named] : loadCatalog()) {
    for (const f of m.files) sizeLimit.set(f.path, f.size == null ? maxFile : Math.max(Math.min(sizeLimit.get(f.path) ?? 0, maxFile), f.size));
  }
  const out: Found[] = [];
  let total = 0;
  let entries = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      if (total > maxTotal) return cb(new ModelImportError('too_large', `${file}: unpacks to more than ${maxTotal} bytes; not a model archive`));
      cb(null, chunk);
    },
  });
  const ex = tarExtract();
  ex.on('entry', (header, stream, next) => {
    const done = (err?: unknown) => (err ? next(err instanceof Error ? err : new Error(String(err))) : next());
    if (++entries > maxEntries) return void ex.destroy(new ModelImportError('too_large', `${file}: more than ${maxEntries} entries; not a model archive`));
    const rel = safeRel(header.name);
    if (header.type !== 'file' || rel === null || !want(rel)) {
      stream.on('end', () => done());
      stream.on('error', done);
      stream.resume();
      return;
    }
    const limit = sizeLimit.get(rel.slice(rel.indexOf('/') + 1)) ?? sizeLimit.get(rel) ?? maxFile;
    if ((header.size ?? 0) > limit) {
      // Not staged: verification then names the file and its wrong size (or the limit, for unknown sizes).
      if (limit === maxFile) return void ex.destroy(new ModelImportError('too_large', `${file}: ${rel} is ${header.size} bytes, over the ${maxFile}-byte limit for one model file`));
      out.push({ rel, size: header.size ?? 0, sha256: '', path: '' });
      stream.on('end', () => done());
      stream.on('error', done);
      stream.resume();
      return;
    }
    const path = join(staging, String(out.length));
    const h = createHash('sha256');
    let size = 0;
    stream.on('data', (c: unknown) => {
      if (!(c instanceof Uint8Array)) return;
      size += c.length;
      h.update(c);
    });
    pipeline(stream, createWriteStream(path)).then(
      () => {
        out.push({ rel, size, sha256: h.digest('hex'), path });
        done();
      },
      done,
    );
  });
  const input = createReadStream(file);
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [input];
  if (/\.(tar\.bz2|tbz2)$/i.test(file)) stages.push(unbzip2() as unknown as NodeJS.ReadWriteStream);
  else if (/\.(tar\.gz|tgz)$/i.test(file)) stages.push(createGunzip());
  try {
    await pipeline([...stages, counter, ex] as unknown as [Readable, ...NodeJS.WritableStream[]]);
  } catch (err) {
    if (err instanceof ModelImportError) throw err;
    throw new ModelImportError('bad_archive', `${file}: cannot read the archive (${(err as Error).message}); it is damaged or not a ${basename(file).match(ARCHIVE_EXT)?.[1] ?? 'tar'} file. Download it again.`);
  }
  return out;
}

/** A tar entry name as a safe relative path (`./a/b` → `a/b`), or null when it leaves the archive's root. */
function safeRel(name: string): string | null {
  const parts = name.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (name.startsWith('/') || parts.length === 0 || parts.includes('..')) return null;
  return parts.join('/');
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/**
 * Copy the verified files into `<into>/<model.dir>/`: each through `<file>.part` then a rename, so a model
 * folder never holds a half-written file under its real name. Hashes the catalog lacks are recorded as the
 * downloader does, so `earshot models verify` checks them later.
 */
function install(model: CatalogModel, prefix: string, byRel: Map<string, Found>, into: string): string {
  const modelDir = join(resolve(into), model.dir);
  mkdirSync(modelDir, { recursive: true });
  const record: Record<string, string> = existsSync(join(modelDir, RECORD)) ? safeJson(readFileSync(join(modelDir, RECORD), 'utf8')) : {};
  for (const file of model.files) {
    const f = byRel.get(prefix ? `${prefix}/${file.path}` : file.path)!;
    const dest = join(modelDir, file.path);
    mkdirSync(dirname(dest), { recursive: true });
    if (resolve(f.path) === resolve(dest)) continue; // importing the installed folder onto itself
    copyFileSync(f.path, `${dest}.part`);
    renameSync(`${dest}.part`, dest);
    if (!file.sha256) record[file.path] = f.sha256;
    else delete record[file.path];
  }
  if (Object.keys(record).length) writeFileSync(join(modelDir, RECORD), JSON.stringify(record, null, 2));
  return modelDir;
}

function safeJson(text: string): Record<string, string> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}
