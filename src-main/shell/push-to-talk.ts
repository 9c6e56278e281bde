// Push-to-talk on top of Electron's globalShortcut, which reports key presses but never releases.
// While a key is held the OS auto-repeats it, so the shortcut fires again and again; we treat the key as
// released when no repeat has arrived for `releaseAfterMs` (longer than the typical initial repeat delay).
// Pure state machine with an injected clock, so it is unit-testable without timers of its own.

export interface PushToTalkOptions {
  /** Silence after the last press that counts as release. Default 650 ms (X11/macOS/Windows repeat delay is 250–600 ms). */
  releaseAfterMs?: number;
  onStart: () => void;
  onStop: () => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class PushToTalk {
  private timer: unknown = null;
  private held = false;
  private readonly releaseAfterMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly opts: PushToTalkOptions) {
    this.releaseAfterMs = opts.releaseAfterMs ?? 650;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Call on every globalShortcut callback (first press and each auto-repeat). */
  press(): void {
    if (!this.held) {
      this.held = true;
      this.opts.onStart();
    }
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => this.release(), this.releaseAfterMs);
  }

  /** Ends a hold now (e.g. the hotkey was unregistered or the app quits). */
  release(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    if (this.held) {
      this.held = false;
      this.opts.onStop();
    }
  }
}
