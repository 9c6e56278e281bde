// Push-to-talk from the desktop shell's global hotkey: the shell sends `dictatePushToTalk` with phase 'down'
// on press and 'up' on release (src-main/shell/ipc-contract.ts HotkeyEvent). Key repeat can deliver several
// 'down's, and an 'up' can arrive for a press that began before we listened; both are filtered here so the
// view sees exactly one down per hold and one up after it.
import type { ShellBridge } from './api-config.js';

export const PUSH_TO_TALK_ACTION = 'dictatePushToTalk';

/** Whether the push-to-talk key is held now (set by trackPushToTalk; read by a view mounted mid-hold). */
export const pushToTalk = { held: false };

export interface PushToTalkHandlers {
  down(): void;
  up(): void;
}

/** Calls `down` once per hold and `up` once at its release (`held`: a hold already in progress). Returns the unsubscribe function (no-op without a shell). */
export function onPushToTalk(
  shell: Pick<ShellBridge, 'onHotkey'> | null,
  handlers: PushToTalkHandlers,
  opts: { held?: boolean } = {},
): () => void {
  if (!shell?.onHotkey) return () => undefined;
  // A listener added mid-hold (the view opened by the press) must still see that hold's release.
  let held = opts.held ?? false;
  return shell.onHotkey((e) => {
    if (e.action !== PUSH_TO_TALK_ACTION) return;
    if (e.phase === 'down' && !held) {
      held = true;
      handlers.down();
    } else if (e.phase === 'up' && held) {
      held = false;
      handlers.up();
    }
  });
}

/** App-wide: keeps `pushToTalk.held` current and calls `onDown` at each press (e.g. to show the Dictation view). */
export function trackPushToTalk(shell: Pick<ShellBridge, 'onHotkey'> | null, onDown: () => void): () => void {
  return onPushToTalk(shell, {
    down: () => {
      pushToTalk.held = true;
      onDown();
    },
    up: () => (pushToTalk.held = false),
  });
}
