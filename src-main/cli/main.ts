// `earshot` command-line entry. Each sub-command lives in its own module under ./commands and registers
// itself on the program; this file only assembles them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { appRoot } from '../core/paths.js';
import { commandsFor } from './commands/index.js';
import { describeError } from './errors.js';

const { version } = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version: string };

const program = new Command()
  .name('earshot')
  .description('On-device speech: live captions, dictation, text-to-speech and transcripts, with a local API.')
  .version(`earshot ${version}`, '-V, --version', 'print the version')
  .showHelpAfterError();

for (const register of await commandsFor(process.argv.slice(2))) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // One line that names the problem and the next step (errors.ts), never a raw ENOENT/EISDIR/EADDRINUSE.
  process.stderr.write(`earshot: ${describeError(err)}\n`);
  process.exitCode = 1;
}
