// The global hotkeys the desktop shell registers: part of the shell↔renderer contract, so it lives here
// (shared, dependency-free) rather than in src-main, which the renderer must not import.

/** What the user can bind. `dictatePushToTalk` is held; the others toggle. */
export type HotkeyAction = 'toggleCaptions' | 'toggleOverlay' | 'dictatePushToTalk' | 'toggleDictation';

export const HOTKEY_ACTIONS: readonly HotkeyAction[] = ['toggleCaptions', 'toggleOverlay', 'dictatePushToTalk', 'toggleDictation'];

export type HotkeyMap = Partial<Record<HotkeyAction, string>>;

export const DEFAULT_HOTKEYS: Readonly<Record<HotkeyAction, string>> = {
  toggleCaptions: 'CommandOrControl+Alt+C',
  toggleOverlay: 'CommandOrControl+Alt+O',
  dictatePushToTalk: 'CommandOrControl+Alt+Space',
  toggleDictation: 'CommandOrControl+Alt+D',
};
