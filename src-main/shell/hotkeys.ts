// Global hotkeys: validated by accelerator.ts (pure), registered with Electron's globalShortcut here.
// Push-to-talk is emulated from key auto-repeat (push-to-talk.ts) because globalShortcut has no key-up.
import { globalShortcut } from 'electron';
import { planHotkeys, type HotkeyAction, type HotkeyMap, type HotkeyPlan, type Platform } from './accelerator.js';
import type { HotkeyEvent } from './ipc-contract.js';
import { PushToTalk } from './push-to-talk.js';

export class HotkeyRegistry {
  private registered: string[] = [];
  private readonly pushToTalk: PushToTalk;

  constructor(private readonly onHotkey: (e: HotkeyEvent) => void) {
    this.pushToTalk = new PushToTalk({
      onStart: () => onHotkey({ action: 'dictatePushToTalk', phase: 'down' }),
      onStop: () => onHotkey({ action: 'dictatePushToTalk', phase: 'up' }),
    });
  }

  /** Replaces every hotkey this app holds with `map`. Bindings the OS refuses come back as 'unavailable' problems. */
  apply(map: HotkeyMap): HotkeyPlan {
    this.clear();
    const plan = planHotkeys(map, process.platform as Platform);
    const bindings: HotkeyPlan['bindings'] = [];
    const problems = [...plan.problems];
    for (const b of plan.bindings) {
      const ok = globalShortcut.register(b.accelerator, () => this.fire(b.action));
      if (ok) {
        this.registered.push(b.accelerator);
        bindings.push(b);
      } else {
        problems.push({
          action: b.action,
          accelerator: b.accelerator,
          kind: 'unavailable',
          message: `"${b.accelerator}" is already taken by another application`,
        });
      }
    }
    return { bindings, problems };
  }

  private fire(action: HotkeyAction): void {
    if (action === 'dictatePushToTalk') this.pushToTalk.press();
    else this.onHotkey({ action, phase: 'press' });
  }

  clear(): void {
    this.pushToTalk.release();
    for (const acc of this.registered) globalShortcut.unregister(acc);
    this.registered = [];
  }
}
