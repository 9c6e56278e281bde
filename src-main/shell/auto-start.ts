// Start at login. macOS and Windows have an OS API (Electron's app.setLoginItemSettings); Linux desktops
// follow the XDG autostart spec: a .desktop file in ~/.config/autostart. The file handling is here, pure of
// Electron, so it is unit-tested; shell code passes Electron's app in for the other platforms.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const AUTOSTART_FILE_NAME = 'earshot.desktop';

export function xdgAutostartPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart', AUTOSTART_FILE_NAME);
}

/** Quotes one Exec argument per the Desktop Entry spec (reserved characters inside double quotes). */
function quoteExecArg(arg: string): string {
  if (!/[\s"'\\`$<>|&;*?#()]/.test(arg)) return arg.replace(/%/g, '%%');
  return '"' + arg.replace(/([\\"`$])/g, '\\$1').replace(/%/g, '%%') + '"';
}

/** The autostart entry: starts Earshot hidden in the tray (`--hidden`). */
export function desktopEntry(execPath: string, args: string[] = []): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Earshot',
    'Comment=On-device live captions and dictation',
    `Exec=${[execPath, ...args, '--hidden'].map(quoteExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function setLinuxAutoStart(enabled: boolean, execPath: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): void {
  const path = xdgAutostartPath(env);
  if (!enabled) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, desktopEntry(execPath, args), { mode: 0o644 });
}

export function isLinuxAutoStartEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const path = xdgAutostartPath(env);
  return existsSync(path) && !/^(X-GNOME-Autostart-enabled=false|Hidden=true)$/m.test(readFileSync(path, 'utf8'));
}

/** The slice of Electron's app this module uses (injected so this file stays Electron-free). */
export interface LoginItemApi {
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
  getLoginItemSettings(): { openAtLogin: boolean };
}

/** Turns start-at-login on or off for this platform. */
export function setAutoStart(enabled: boolean, app: LoginItemApi, execPath: string, args: string[] = []): void {
  if (process.platform === 'linux') setLinuxAutoStart(enabled, execPath, args);
  else app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: [...args, '--hidden'] });
}

export function isAutoStartEnabled(app: LoginItemApi): boolean {
  return process.platform === 'linux' ? isLinuxAutoStartEnabled() : app.getLoginItemSettings().openAtLogin;
}
