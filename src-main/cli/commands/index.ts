// The list of sub-commands, by name. Add one line per command module.
//
// Each module is imported only when it is needed: `earshot transcribe …` loads the transcribe command alone, not
// `serve`'s HTTP, WebSocket and gRPC stack (about a second of start-up on a small machine, paid by every CLI run and
// by every test that runs the CLI). `--version` loads none; help and anything else not naming a command load them all (commandsFor).
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

const COMMANDS = {
  sessions: async () => (await import('./sessions.js')).registerSessions,
  models: async () => (await import('./models.js')).registerModels,
  engines: async () => (await import('./engines.js')).registerEngines,
  transcribe: async () => (await import('./transcribe.js')).registerTranscribe,
  say: async () => (await import('./say.js')).registerSay,
  serve: async () => (await import('./serve.js')).registerServe,
  token: async () => (await import('./token.js')).registerToken,
} satisfies Record<string, () => Promise<RegisterCommand>>;

/**
 * The commands to register for these arguments (`process.argv.slice(2)`): the one named first, when the first
 * argument names one (commander then parses and dispatches exactly as with all registered); else every command, so
 * that help, suggestions for a mistyped command and `earshot help <command>` see the whole program.
 */
export async function commandsFor(args: readonly string[]): Promise<RegisterCommand[]> {
  const first = args[0];
  if (args.length === 1 && (first === '--version' || first === '-V')) return []; // the program's own option
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return [await COMMANDS[first as keyof typeof COMMANDS]()];
  return Promise.all(Object.values(COMMANDS).map((load) => load()));
}
