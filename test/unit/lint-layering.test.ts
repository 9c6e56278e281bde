// The layering as ESLint enforces it (eslint.config.mjs): each deliberate violation below, linted through ESLint's API
// as if it were written into a real source file, must be reported with the zone's message, and the same file with a
// permitted import must lint clean, so the rules can neither go silent nor fire on everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { appRoot } from '../../src-main/core/paths.js';

const LAYERING_RULES = new Set([
  'import-x/no-restricted-paths',
  'layer-index/no-restricted-paths',
  'no-restricted-imports',
  'import-x/no-unresolved',
]);

// Only the import rules, and no type information (the type-aware rules are filtered out; building a program for
// them would only slow this test down).
const eslint = new ESLint({
  cwd: appRoot,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => LAYERING_RULES.has(ruleId),
});

/** The messages (rule, severity, text) ESLint gives `code` written into the repository file `file`. */
async function lint(file: string, code: string): Promise<{ rule: string | null; severity: number; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: `${appRoot}/${file}` });
  assert.ok(result, `ESLint linted ${file}`);
  return result.messages.map((m) => ({ rule: m.ruleId, severity: m.severity, message: m.message }));
}

test('a lower core layer importing a higher one is an error', async () => {
  const messages = await lint('src-main/core/audio/pcm.ts', `import { startServer } from '../api/server.js';\nexport { startServer };\n`);
  // The index.ts rule also notes the deep import (api/server.ts, not api/index.ts).
  assert.deepEqual(
    messages.map((m) => [m.rule, m.severity]),
    [
      ['import-x/no-restricted-paths', 2],
      ['layer-index/no-restricted-paths', 2],
    ],
  );
  assert.match(messages[0]?.message ?? '', /audio layer must not import a higher layer/);
  assert.deepEqual(await lint('src-main/core/audio/pcm.ts', `import { decodeWav } from './wav.js';\nexport { decodeWav };\n`), []);
});

test('the core importing the shell is an error', async () => {
  const messages = await lint('src-main/core/store/types.ts', `import * as tray from '../../shell/tray.js';\nexport { tray };\n`);
  assert.deepEqual(
    messages.map((m) => [m.rule, m.severity]),
    [['import-x/no-restricted-paths', 2]],
  );
  assert.match(messages[0]?.message ?? '', /core imports only the core and proto/);
});

test("another layer's internals are reached only through its index.ts", async () => {
  const deep = await lint('src-main/shell/tray.ts', `import * as engine from '../core/engine/engine.js';\nexport { engine };\n`);
  assert.deepEqual(
    deep.map((m) => m.rule),
    ['layer-index/no-restricted-paths'],
  );
  assert.match(deep[0]?.message ?? '', /reach src-main\/core\/engine only through its index\.ts/);
  assert.deepEqual(await lint('src-main/shell/tray.ts', `import * as engine from '../core/engine/index.js';\nexport { engine };\n`), []);
});

test('the renderer never imports main-process code', async () => {
  const messages = await lint(
    'src-renderer/src/lib/captions.ts',
    `import { decodeWav } from '../../../src-main/core/audio/index.js';\nexport { decodeWav };\n`,
  );
  assert.deepEqual(
    messages.map((m) => [m.rule, m.severity]),
    [['import-x/no-restricted-paths', 2]],
  );
  assert.match(messages[0]?.message ?? '', /renderer reaches the engine only through the public API/);
  assert.deepEqual(
    await lint(
      'src-renderer/src/lib/captions.ts',
      `import type { TranscriptMessage } from '../../../proto/ws-messages.js';\nexport type { TranscriptMessage };\n`,
    ),
    [],
  );
});

test('proto/ imports neither Node built-ins nor anything outside proto/', async () => {
  const node = await lint('proto/hotkeys.ts', `import { readFileSync } from 'node:fs';\nexport { readFileSync };\n`);
  assert.deepEqual(
    node.map((m) => [m.rule, m.severity]),
    [['no-restricted-imports', 2]],
  );
  const outside = await lint('proto/hotkeys.ts', `import { appRoot } from '../src-main/core/paths.js';\nexport { appRoot };\n`);
  assert.deepEqual(
    outside.map((m) => [m.rule, m.severity]),
    [['import-x/no-restricted-paths', 2]],
  );
  assert.deepEqual(await lint('proto/hotkeys.ts', `import { z } from 'zod';\nexport { z };\n`), []);
});

test('Electron outside the shell is an error; in the shell it is allowed', async () => {
  const core = await lint('src-main/core/api/context.ts', `import { app } from 'electron';\nexport { app };\n`);
  assert.deepEqual(
    core.map((m) => [m.rule, m.severity]),
    [['no-restricted-imports', 2]],
  );
  assert.deepEqual(await lint('src-main/shell/tray.ts', `import { app } from 'electron';\nexport { app };\n`), []);
});

test('an import the resolver cannot follow is an error, not a hole in the zones', async () => {
  const messages = await lint('src-main/core/audio/pcm.ts', `import { x } from '../sesions/typo.js';\nexport { x };\n`);
  assert.deepEqual(
    messages.map((m) => [m.rule, m.severity]),
    [['import-x/no-unresolved', 2]],
  );
});
