// Quitting the desktop app, as a plain function (no Electron), so the path a user takes — tray "Quit", the
// window manager, the OS logging out — can be tested: the same graceful stop as Ctrl-C / SIGTERM on `earshot
// serve` (headless.ts close()), preceded by what only the app has.
//
// Order: OS hooks and windows go first (no new dictation or captions can start), then in-process system-audio
// captions stop (their last final is stored), then the core: every API stream's final delivered and stored,
// REST work finished or cut, all bounded in time; then the store and the engine close.

export interface QuitParts {
  /** Synchronous teardown of OS integration (hotkeys, overlay, tray); a throwing step is logged and skipped. */
  teardown?: ReadonlyArray<() => void>;
  /** In-process captions (Linux system audio); stopped so the utterance in progress is stored. */
  systemAudio?: { stop(): Promise<unknown> } | null;
  /** The core started by startCore(); null when it never started. */
  core: { close(): Promise<void> } | null;
  /** Where problems are told (default console.error). */
  log?: (message: string) => void;
}

/** Runs the quit sequence; resolves when everything is closed. Never throws (each failure is logged). */
export async function quitApp(parts: QuitParts): Promise<void> {
  const log = parts.log ?? ((m: string) => console.error(m));
  for (const step of parts.teardown ?? []) {
    try {
      step();
    } catch (err) {
      log(`earshot: quit: ${(err as Error).message}`);
    }
  }
  try {
    await parts.systemAudio?.stop();
  } catch (err) {
    log(`earshot: quit: system-audio captions: ${(err as Error).message}`);
  }
  try {
    await parts.core?.close();
  } catch (err) {
    log(`earshot: quit: ${(err as Error).message}`);
  }
}
