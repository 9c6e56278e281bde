// The list of sub-commands. Add one line per command module.
import type { Command } from 'commander';
import { registerSessions } from './sessions.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerSessions];
