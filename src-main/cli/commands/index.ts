// The list of sub-commands. Add one line per command module.
import type { Command } from 'commander';
import { registerSessions } from './sessions.js';
import { registerModels } from './models.js';
import { registerEngines } from './engines.js';
import { registerTranscribe } from './transcribe.js';
import { registerSay } from './say.js';
import { registerServe } from './serve.js';
import { registerToken } from './token.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerSessions,
  registerModels,
  registerEngines,
  registerTranscribe,
  registerSay,
  registerServe,
  registerToken,
];
