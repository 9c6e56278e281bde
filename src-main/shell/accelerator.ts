// Global-hotkey accelerators: parse, normalise and check for conflicts. Pure (no Electron import) so the
// settings UI's input can be validated and unit-tested; the shell hands the normalised strings to
// Electron's globalShortcut, whose accelerator grammar this follows.

export type Platform = 'darwin' | 'linux' | 'win32';

import { DEFAULT_HOTKEYS, HOTKEY_ACTIONS, type HotkeyAction, type HotkeyMap } from '../../proto/hotkeys.js';

export { DEFAULT_HOTKEYS, HOTKEY_ACTIONS, type HotkeyAction, type HotkeyMap };

export class AcceleratorError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`hotkey "${input}": ${message}`);
    this.name = 'AcceleratorError';
  }
}

/** Canonical modifier names, in the order a normalised accelerator lists them. */
const MODIFIER_ORDER = ['CommandOrControl', 'Command', 'Control', 'Alt', 'AltGr', 'Shift', 'Super'] as const;
type Modifier = (typeof MODIFIER_ORDER)[number];

const MODIFIER_ALIASES: Record<string, Modifier> = {
  commandorcontrol: 'CommandOrControl',
  cmdorctrl: 'CommandOrControl',
  command: 'Command',
  cmd: 'Command',
  control: 'Control',
  ctrl: 'Control',
  alt: 'Alt',
  option: 'Alt',
  altgr: 'AltGr',
  shift: 'Shift',
  super: 'Super',
  meta: 'Super',
};

/** Named keys Electron accepts, keyed by lower case, valued by canonical spelling. */
const NAMED_KEYS: Record<string, string> = Object.fromEntries(
  [
    'Plus',
    'Space',
    'Tab',
    'Capslock',
    'Numlock',
    'Scrolllock',
    'Backspace',
    'Delete',
    'Insert',
    'Return',
    'Up',
    'Down',
    'Left',
    'Right',
    'Home',
    'End',
    'PageUp',
    'PageDown',
    'Escape',
    'VolumeUp',
    'VolumeDown',
    'VolumeMute',
    'MediaNextTrack',
    'MediaPreviousTrack',
    'MediaStop',
    'MediaPlayPause',
    'PrintScreen',
    'numdec',
    'numadd',
    'numsub',
    'nummult',
    'numdiv',
    ...Array.from({ length: 10 }, (_, i) => `num${i}`),
    ...Array.from({ length: 24 }, (_, i) => `F${i + 1}`),
  ].map((k) => [k.toLowerCase(), k]),
);
const KEY_ALIASES: Record<string, string> = {
  enter: 'Return',
  esc: 'Escape',
  del: 'Delete',
  ins: 'Insert',
  pgup: 'PageUp',
  pgdn: 'PageDown',
};
/** Single printable characters Electron accepts as keys ('+' must be spelled Plus: it is the separator). */
const PUNCTUATION = new Set([...')!@#$%^&*(:;<=,_->.?/~`{][|\\}"\'']);

/** Keys that are fine on their own (no modifier): they do not eat ordinary typing. */
const STANDALONE_OK = /^(F([1-9]|1[0-9]|2[0-4])|Media\w+|Volume\w+|PrintScreen)$/;

export interface Accelerator {
  modifiers: Modifier[];
  key: string;
  /** Canonical Electron spelling, e.g. "CommandOrControl+Alt+C". */
  normalized: string;
}

/** Parses and normalises one accelerator; throws AcceleratorError with a specific reason when it is not valid. */
export function parseAccelerator(input: string): Accelerator {
  if (typeof input !== 'string') throw new AcceleratorError(String(input), 'must be a string');
  const trimmed = input.trim();
  if (!trimmed) throw new AcceleratorError(input, 'is empty');
  if (trimmed.length > 100) throw new AcceleratorError(input.slice(0, 40) + '…', 'is too long');
  const parts = trimmed.split('+').map((p) => p.trim());
  if (parts.some((p) => !p)) throw new AcceleratorError(input, 'has an empty part (write "Plus" for the + key)');

  const modifiers = new Set<Modifier>();
  let key: string | null = null;
  for (const part of parts) {
    const mod = MODIFIER_ALIASES[part.toLowerCase()];
    if (mod) {
      if (key !== null) throw new AcceleratorError(input, `modifier "${part}" must come before the key`);
      if (modifiers.has(mod)) throw new AcceleratorError(input, `modifier "${part}" is repeated`);
      modifiers.add(mod);
      continue;
    }
    if (key !== null) throw new AcceleratorError(input, `has two keys ("${key}" and "${part}"); use one key plus modifiers`);
    key = canonicalKey(part);
    if (key === null) throw new AcceleratorError(input, `unknown key "${part}"`);
  }
  if (key === null) throw new AcceleratorError(input, 'has modifiers but no key');
  if (modifiers.has('CommandOrControl') && (modifiers.has('Command') || modifiers.has('Control'))) {
    throw new AcceleratorError(input, 'combines CommandOrControl with Command or Control');
  }
  if (modifiers.size === 0 && !STANDALONE_OK.test(key)) {
    throw new AcceleratorError(input, `a global hotkey on "${key}" alone would swallow normal typing; add a modifier`);
  }
  const ordered = MODIFIER_ORDER.filter((m) => modifiers.has(m));
  return { modifiers: ordered, key, normalized: [...ordered, key].join('+') };
}

function canonicalKey(part: string): string | null {
  if (/^[a-z0-9]$/i.test(part)) return part.toUpperCase();
  if (part.length === 1 && PUNCTUATION.has(part)) return part;
  const lower = part.toLowerCase();
  return NAMED_KEYS[lower] ?? KEY_ALIASES[lower] ?? null;
}

/**
 * The physical chord an accelerator means on one platform: CommandOrControl resolved, modifiers sorted.
 * Two accelerators with the same chord collide even when spelled differently ("Ctrl+Alt+C" vs "CmdOrCtrl+Option+c").
 */
export function chordOf(acc: Accelerator, platform: Platform): string {
  const mods = new Set<Modifier>(
    acc.modifiers.map((m) => (m === 'CommandOrControl' ? (platform === 'darwin' ? 'Command' : 'Control') : m)),
  );
  const ordered = MODIFIER_ORDER.filter((m) => mods.has(m));
  return [...ordered, acc.key].join('+');
}

/** Shortcuts the OS or every desktop owns; binding them globally would break the user's machine. */
const RESERVED: Record<Platform, string[]> = {
  darwin: ['Command+Q', 'Command+Tab', 'Command+Space', 'Command+W', 'Command+C', 'Command+V', 'Command+X', 'Command+Z', 'Command+A'],
  linux: ['Control+Alt+Delete', 'Alt+Tab', 'Alt+F4', 'Control+C', 'Control+V', 'Control+X', 'Control+Z', 'Control+A', 'Super+L'],
  win32: ['Control+Alt+Delete', 'Alt+Tab', 'Alt+F4', 'Control+C', 'Control+V', 'Control+X', 'Control+Z', 'Control+A', 'Super+L'],
};

export interface HotkeyProblem {
  action: HotkeyAction;
  accelerator: string;
  /** `unavailable`: valid, but the OS refused it (another app holds it) — set by the shell at registration. */
  kind: 'invalid' | 'duplicate' | 'reserved' | 'unavailable';
  message: string;
}

export interface HotkeyPlan {
  /** Valid, conflict-free bindings, normalised, ready for globalShortcut.register. */
  bindings: { action: HotkeyAction; accelerator: string }[];
  problems: HotkeyProblem[];
}

/**
 * Validates a whole hotkey map for one platform: every entry parsed, duplicates (same physical chord) and
 * OS-reserved chords reported. The first action (in HOTKEY_ACTIONS order) keeps a duplicated chord.
 */
export function planHotkeys(map: HotkeyMap, platform: Platform): HotkeyPlan {
  const bindings: HotkeyPlan['bindings'] = [];
  const problems: HotkeyProblem[] = [];
  const taken = new Map<string, HotkeyAction>();
  for (const action of HOTKEY_ACTIONS) {
    const raw = map[action];
    if (raw === undefined || raw === '') continue; // unbound
    let acc: Accelerator;
    try {
      acc = parseAccelerator(raw);
    } catch (err) {
      problems.push({ action, accelerator: raw, kind: 'invalid', message: (err as Error).message });
      continue;
    }
    const chord = chordOf(acc, platform);
    if (RESERVED[platform].includes(chord)) {
      problems.push({
        action,
        accelerator: raw,
        kind: 'reserved',
        message: `"${acc.normalized}" is reserved by the system on ${platform}`,
      });
      continue;
    }
    const owner = taken.get(chord);
    if (owner) {
      problems.push({ action, accelerator: raw, kind: 'duplicate', message: `"${acc.normalized}" is already bound to ${owner}` });
      continue;
    }
    taken.set(chord, action);
    bindings.push({ action, accelerator: acc.normalized });
  }
  return { bindings, problems };
}
