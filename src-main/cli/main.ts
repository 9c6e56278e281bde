// `earshot` command-line entry. Each sub-command lives in its own module under ./commands and registers
// itself on the program; this file only assembles them.
import { Command } from 'commander';
import { commands } from './commands/index.js';

const program = new Command()
  .name('earshot')
  .description('On-device speech: live captions, dictation, text-to-speech and transcripts, with a local API.')
  .showHelpAfterError();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`earshot: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
