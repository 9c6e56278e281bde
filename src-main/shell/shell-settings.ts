// The shell's own settings (hotkeys, overlay geometry, overlay behaviour), in one JSON file beside the
// engine's data. Read leniently (a bad or old file falls back to defaults, field by field), written atomically.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DEFAULT_HOTKEYS, HOTKEY_ACTIONS, type HotkeyAction } from './accelerator.js';
import { EMPTY_WINDOW_STATE, parseWindowState, type WindowState } from './window-state.js';

const hotkeysSchema = z.object(
  Object.fromEntries(HOTKEY_ACTIONS.map((a) => [a, z.string().max(100).optional()])) as Record<HotkeyAction, z.ZodOptional<z.ZodString>>,
);

export interface ShellSettings {
  hotkeys: Partial<Record<HotkeyAction, string>>;
  overlay: WindowState;
  clickThrough: boolean;
  alwaysOnTop: boolean;
}

export const DEFAULT_SHELL_SETTINGS: ShellSettings = {
  hotkeys: { ...DEFAULT_HOTKEYS },
  overlay: EMPTY_WINDOW_STATE,
  clickThrough: false,
  alwaysOnTop: true,
};

/** Settings from JSON; each field that is missing or malformed takes its default. */
export function parseShellSettings(json: unknown): ShellSettings {
  const o = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const hotkeys = hotkeysSchema.safeParse(o.hotkeys);
  return {
    hotkeys: hotkeys.success ? { ...DEFAULT_HOTKEYS, ...hotkeys.data } : { ...DEFAULT_HOTKEYS },
    overlay: parseWindowState(o.overlay),
    clickThrough: typeof o.clickThrough === 'boolean' ? o.clickThrough : DEFAULT_SHELL_SETTINGS.clickThrough,
    alwaysOnTop: typeof o.alwaysOnTop === 'boolean' ? o.alwaysOnTop : DEFAULT_SHELL_SETTINGS.alwaysOnTop,
  };
}

export function loadShellSettings(path: string): ShellSettings {
  try {
    return parseShellSettings(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return parseShellSettings({});
  }
}

export function saveShellSettings(path: string, settings: ShellSettings): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(settings, null, 2), { mode: 0o600 });
  renameSync(tmp, path);
}
