// Enforces the architecture's layering (docs/ARCHITECTURE.md): each layer imports only layers below it,
// the renderer reaches the engine only through the public API (never src-main), and the core never imports
// Electron. Parses every import specifier of every source file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { appRoot } from '../../src-main/core/paths.js';

const LAYERS = ['audio', 'engine', 'store', 'sessions', 'api'] as const;

function sources(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const name of names) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'build') continue;
    if (statSync(p).isDirectory()) out = out.concat(sources(p));
    else if (/\.(ts|mts|svelte|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) specs.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return specs;
}

/** The core layer a path belongs to, or null. */
function layerOf(absPath: string): (typeof LAYERS)[number] | null {
  const rel = relative(join(appRoot, 'src-main', 'core'), absPath);
  if (rel.startsWith('..')) return null;
  const first = rel.split(sep)[0] as (typeof LAYERS)[number];
  return LAYERS.includes(first) ? first : null;
}

function violations(files: string[], rule: (from: string, target: string | null, spec: string) => string | null): string[] {
  const found: string[] = [];
  for (const file of files) {
    for (const spec of importsOf(file)) {
      const target = spec.startsWith('.') ? resolve(dirname(file), spec) : null;
      const why = rule(file, target, spec);
      if (why) found.push(`${relative(appRoot, file)} imports '${spec}': ${why}`);
    }
  }
  return found;
}

test('core layers import only the layers below them', () => {
  const files = sources(join(appRoot, 'src-main', 'core'));
  assert.ok(files.length > 10, 'expected core sources');
  const bad = violations(files, (from, target) => {
    if (!target) return null;
    const a = layerOf(from);
    const b = layerOf(target);
    if (!a || !b) {
      // core files may import only core files (and the leaf paths.ts)
      if (a && !target.startsWith(join(appRoot, 'src-main', 'core')) && !target.startsWith(join(appRoot, 'proto'))) {
        return 'core must not import outside src-main/core (and proto/)';
      }
      return null;
    }
    return LAYERS.indexOf(b) > LAYERS.indexOf(a) ? `layer ${a} must not import the higher layer ${b}` : null;
  });
  assert.deepEqual(bad, []);
});

/**
 * The area of src-main a file belongs to: a core layer (`core/engine`…), `core-leaf` (core/paths.ts, core/errors.ts:
 * leaves every layer may import), `shell`, `cli`, or `top` (headless.ts, stop-signals.ts); null outside src-main.
 */
function areaOf(absPath: string): string | null {
  const rel = relative(join(appRoot, 'src-main'), absPath);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  if (parts[0] === 'core') return LAYERS.includes(parts[1] as (typeof LAYERS)[number]) ? `core/${parts[1]}` : 'core-leaf';
  return parts.length === 1 ? 'top' : parts[0]!;
}

/** Why importing `target` from `from` crosses into a core layer other than through its index.ts; null when it does not. */
function throughIndexRule(from: string, target: string | null): string | null {
  if (!target) return null;
  const a = areaOf(from);
  const b = areaOf(target);
  if (!a || !b || a === b || !b.startsWith('core/')) return null;
  const index = join(appRoot, 'src-main', ...b.split('/'), 'index.ts');
  return target.replace(/\.js$/, '.ts') === index ? null : `${a} may use ${b} only through ${b}/index.ts`;
}

test('core layers, the shell, the CLI and headless.ts import another layer only through its index.ts', () => {
  const files = sources(join(appRoot, 'src-main'));
  assert.deepEqual(violations(files, throughIndexRule), []);
});

test('the index rule fails on a deliberate cross-layer import', () => {
  const at = (...p: string[]) => join(appRoot, 'src-main', ...p);
  // Deliberate violations: reaching into another layer's internals.
  assert.match(
    throughIndexRule(at('shell', 'core-host.ts'), at('core', 'engine', 'types.js')) ?? '',
    /only through core\/engine\/index\.ts/,
  );
  assert.match(throughIndexRule(at('headless.ts'), at('core', 'api', 'server.js')) ?? '', /only through core\/api\/index\.ts/);
  assert.match(throughIndexRule(at('core', 'sessions', 'tts-session.ts'), at('core', 'engine', 'text', 'sentences.js')) ?? '', /engine/);
  // Allowed: the index itself, the same layer, the core's leaves.
  assert.equal(throughIndexRule(at('cli', 'commands', 'serve.ts'), at('core', 'api', 'index.js')), null);
  assert.equal(throughIndexRule(at('core', 'engine', 'engine.ts'), at('core', 'engine', 'types.js')), null);
  assert.equal(throughIndexRule(at('core', 'audio', 'pcm.ts'), at('core', 'errors.js')), null);
});

test('gRPC shares the one-shot helpers from api/one-shot, never from the HTTP routes', () => {
  const files = sources(join(appRoot, 'src-main', 'core', 'api', 'grpc'));
  assert.ok(files.length > 3, 'expected gRPC sources');
  const http = join(appRoot, 'src-main', 'core', 'api', 'http');
  assert.deepEqual(
    violations(files, (_from, target) => (target && target.startsWith(http + sep) ? 'gRPC must not import api/http' : null)),
    [],
  );
});

test('the core never imports Electron; only src-main/shell and src-preload may', () => {
  const files = [...sources(join(appRoot, 'src-main')), ...sources(join(appRoot, 'src-renderer'))].filter(
    (f) => !f.startsWith(join(appRoot, 'src-main', 'shell')),
  );
  const bad = violations(files, (_from, _target, spec) =>
    spec === 'electron' || spec.startsWith('electron/') ? 'Electron outside the shell' : null,
  );
  assert.deepEqual(bad, []);
});

test('the renderer reaches the engine only through the public API (no src-main imports)', () => {
  const files = sources(join(appRoot, 'src-renderer'));
  const bad = violations(files, (_from, target) =>
    target && target.startsWith(join(appRoot, 'src-main')) ? 'renderer must use the HTTP/WS API, not main-process code' : null,
  );
  assert.deepEqual(bad, []);
});

test('proto/ (wire schemas shared with the renderer) imports no Node or main-process code', () => {
  const files = sources(join(appRoot, 'proto'));
  const bad = violations(files, (_from, target, spec) => {
    if (spec.startsWith('node:')) return 'Node built-in in a browser-shared schema';
    if (target && !target.startsWith(join(appRoot, 'proto'))) return 'proto must be self-contained';
    return null;
  });
  assert.deepEqual(bad, []);
});
