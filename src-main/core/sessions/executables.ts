// Whether a command-line tool is installed: the shell's OS integrations (dictation, system audio) pick a
// mechanism by what exists on PATH and report the missing ones by name.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether `command` is an executable file on PATH (PATHEXT suffixes on Windows). */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      try {
        accessSync(join(dir, command + ext), constants.X_OK);
        return true;
      } catch {
        // not in this directory
      }
    }
  }
  return false;
}
