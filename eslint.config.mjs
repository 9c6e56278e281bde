// ESLint (flat config): typescript-eslint's recommended rules plus the type-aware promise rules (a dropped promise
// in a server is a lost error), Svelte's rules for the renderer, and the architecture's layering
// (docs/ARCHITECTURE.md) as import zones, so a wrong import fails `npm run lint` where it is written.
// Formatting is Prettier's job (`npm run format:check`), so no stylistic rule is on here.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

/** The core's layers, lowest first: each imports only the ones before it (docs/ARCHITECTURE.md). */
const LAYERS = ['audio', 'engine', 'store', 'sessions', 'api'];
/** Main-process code above the core. */
const ABOVE_CORE = ['src-main/shell', 'src-main/cli', 'src-main/headless.ts'];

/** The layering as `import-x/no-restricted-paths` zones (paths relative to the repository root). */
export function layeringZones() {
  const core = (layer) => `src-main/core/${layer}`;
  const zones = LAYERS.slice(0, -1).map((layer, i) => ({
    target: core(layer),
    from: LAYERS.slice(i + 1).map(core),
    message: `The ${layer} layer must not import a higher layer (docs/ARCHITECTURE.md).`,
  }));
  zones.push({
    target: 'src-main/core',
    from: [...ABOVE_CORE, 'src-main/stop-signals.ts', 'src-preload', 'src-renderer', 'bin', 'build', 'test'],
    message: 'The core imports only the core and proto/.',
  });
  zones.push({
    target: 'src-renderer',
    from: ['src-main', 'src-preload'],
    message: 'The renderer reaches the engine only through the public API (proto/), never main-process code.',
  });
  zones.push({
    target: 'proto',
    from: join(root, '**'),
    except: [join(root, 'proto', '**'), join(root, 'node_modules', '**')],
    message: 'proto/ (the wire contract shared with the renderer) is self-contained.',
  });
  return zones;
}

/** Across layers only through a layer's index.ts, its public surface: one zone per layer. */
export function indexOnlyZones() {
  return LAYERS.map((layer) => ({
    target: [...LAYERS.filter((l) => l !== layer).map((l) => `src-main/core/${l}`), ...ABOVE_CORE],
    from: `src-main/core/${layer}`,
    except: ['index.ts'],
    message: `Other layers reach src-main/core/${layer} only through its index.ts.`,
  }));
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      '.cache/',
      'test-artifacts/',
      'models/',
      'resources/',
      'src-main/core/engine/backends/pocketsphinx/native/build/',
      'test/python/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs['flat/recommended'],
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    // The same plugin a second time, under its own name, so the index.ts rule has its own severity (below).
    plugins: { 'import-x': importX, 'layer-index': importX },
    settings: {
      // TypeScript sources are imported as `./x.js` (NodeNext); the resolver maps that back to `x.ts`, so the zones
      // below see every import. `import-x/no-unresolved` makes an import the resolver cannot follow an error
      // instead of a silent hole in the layering check.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.mts', '.mjs', '.js', '.json', '.node', '.svelte'],
          extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'] },
          conditionNames: ['types', 'import', 'require', 'node', 'default'],
        }),
      ],
    },
    rules: {
      'import-x/no-unresolved': ['error', { ignore: ['\\?(worker&)?url$', '\\?raw$'] }],
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layeringZones() }],
      // Across layers, only through each layer's index.ts (the layer's public surface).
      'layer-index/no-restricted-paths': ['error', { basePath: root, zones: indexOnlyZones() }],
      // Only the shell (Electron main) and the preload script may import Electron.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Electron belongs to src-main/shell and src-preload only.' }] },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['src-main/shell/**', 'src-preload/**', 'electron.vite.config.ts', 'test/unit/shell-*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The wire contract shared with the browser: no Node built-ins.
    files: ['proto/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^node:', message: 'proto/ is shared with the browser: no Node built-ins.' }] },
      ],
    },
  },
  {
    // A string with an escape (a multi-line placeholder: {'a\nb'}) needs its mustache.
    files: ['**/*.svelte'],
    rules: { 'svelte/no-useless-mustaches': ['error', { ignoreStringEscape: true }] },
  },
  {
    // Tests read untyped wire data (JSON bodies, proto-loader's dynamic gRPC clients) and assert on its shape.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src-renderer/src/audio/mic-worklet.ts'],
    languageOptions: { globals: { ...globals.audioWorklet } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // Type-aware rules, only where they are cheap (one program per tsconfig, through the project service) and
    // catch what tsc does not: promises that are neither awaited nor handled.
    files: ['src-main/**/*.ts', 'src-preload/**/*.ts', 'proto/**/*.ts', 'test/**/*.ts', 'bin/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
);
