// The one contract between the Electron main process and the preload bridge: channel names and payloads.
// Type-only imports and constants, so the sandboxed preload bundle pulls in no Node code through it.
import type { AsrServerMessage } from '../../proto/ws-messages.js';
import type { HotkeyAction, HotkeyMap, HotkeyPlan } from './accelerator.js';
import type { DictationResult } from './dictation-output.js';

export const IPC = {
  /** sync: BridgeConfig (the preload needs apiBase/token before the page runs). */
  config: 'earshot:config',
  setOverlay: 'earshot:set-overlay',
  setClickThrough: 'earshot:set-click-through',
  setAlwaysOnTop: 'earshot:set-always-on-top',
  registerHotkeys: 'earshot:register-hotkeys',
  dictate: 'earshot:dictate',
  startSystemAudio: 'earshot:system-audio-start',
  stopSystemAudio: 'earshot:system-audio-stop',
  setAutoStart: 'earshot:set-auto-start',
  /** main → renderer: a global hotkey fired. */
  hotkey: 'earshot:hotkey',
  /** main → renderer: a wire message of the system-audio ASR session. */
  systemTranscript: 'earshot:system-transcript',
  /** main → renderer: the tray asked to start/stop captions. */
  captionsCommand: 'earshot:captions-command',
} as const;

export interface BridgeConfig {
  apiBase: string;
  token: string;
  platform: NodeJS.Platform;
  /** Which view this window shows ('main' | 'overlay'). */
  view: 'main' | 'overlay';
}

/** A hotkey event: toggles are 'press'; push-to-talk sends 'down' on the first press and 'up' on release. */
export interface HotkeyEvent {
  action: HotkeyAction;
  phase: 'press' | 'down' | 'up';
}

export type SystemAudioStart = { mode: 'main'; sessionId: string; device: string } | { mode: 'renderer-loopback' };

export type ShellResult<T = void> = { ok: true; value: T } | { ok: false; error: string };

/** What `window.earshot.shell` offers the renderer. Every call resolves; failures come back as { ok: false, error }. */
export interface ShellBridge {
  setOverlay(visible: boolean): Promise<ShellResult>;
  setClickThrough(enabled: boolean): Promise<ShellResult>;
  setAlwaysOnTop(enabled: boolean): Promise<ShellResult>;
  /** Validates and registers; bindings that failed (invalid, duplicate, reserved, taken by another app) are in problems. */
  registerHotkeys(map: HotkeyMap): Promise<ShellResult<HotkeyPlan>>;
  /** Types text into the app that has the keyboard focus; says which mechanism did it. */
  dictate(text: string): Promise<DictationResult>;
  /**
   * Starts captions of system audio. Linux: captured in the main process (parec on the default sink's monitor) into
   * an AsrSession whose wire messages arrive through onSystemTranscript — `mode: 'main'`. Windows/macOS: nothing is
   * started here — `mode: 'renderer-loopback'` tells the renderer to call getDisplayMedia({ audio: true, video: true })
   * (the shell grants loopback audio) and stream that track to the WS API with `source=system`.
   * `session`: the stored id of the running mic session (one stored session, two tracks), or 'new' / 'none'.
   */
  startSystemAudio(opts?: { session?: string }): Promise<ShellResult<SystemAudioStart>>;
  stopSystemAudio(): Promise<ShellResult>;
  setAutoStart(enabled: boolean): Promise<ShellResult>;
  onHotkey(listener: (e: HotkeyEvent) => void): () => void;
  onSystemTranscript(listener: (msg: AsrServerMessage) => void): () => void;
  onCaptionsCommand(listener: (cmd: 'start' | 'stop') => void): () => void;
}

export interface EarshotBridge {
  apiBase: string;
  token: string;
  platform: NodeJS.Platform;
  view: 'main' | 'overlay';
  shell: ShellBridge;
}
