// The CLI loads only the sub-command it runs (src-main/cli/commands/index.ts): the table's names must be the names
// the modules register, or `earshot <name>` would dispatch to nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { commandsFor } from '../../src-main/cli/commands/index.js';

async function registered(args: string[]): Promise<string[]> {
  const program = new Command();
  for (const register of await commandsFor(args)) register(program);
  return program.commands.map((c) => c.name());
}

test('no command, help or a mistyped name registers every command', async () => {
  const all = ['sessions', 'models', 'engines', 'transcribe', 'say', 'serve', 'token'];
  assert.deepEqual(await registered([]), all);
  assert.deepEqual(await registered(['help', 'transcribe']), all);
  assert.deepEqual(await registered(['transcrib', 'x.wav']), all);
  assert.deepEqual(await registered(['--help']), all);
});

test('a named command registers that command alone, under the same name', async () => {
  for (const name of ['sessions', 'models', 'engines', 'transcribe', 'say', 'serve', 'token']) {
    assert.deepEqual(await registered([name, '--help']), [name], name);
  }
});

test('--version alone needs no command; prototype names are not commands', async () => {
  assert.deepEqual(await registered(['--version']), []);
  assert.deepEqual(await registered(['-V']), []);
  assert.equal((await registered(['toString'])).length, 7);
});
