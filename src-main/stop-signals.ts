// How `earshot serve` and the desktop app read SIGINT/SIGTERM/SIGHUP: the first starts the graceful stop (every stream's final
// delivered and stored, bounded in time); a signal arriving soon after it is the SAME stop, not a second request;
// a later one means "exit now".
//
// Why a window: Ctrl-C in a terminal sends SIGINT to the whole foreground process group, so under `npm start`
// serve gets it from the terminal AND again from bin/start.mjs (and npm), which forward signals so that a
// signal sent to the launcher alone still stops serve. Those copies arrive within milliseconds; a person
// pressing Ctrl-C again because the stop seems stuck does so seconds later.
export const SAME_STOP_WINDOW_MS = 1500;

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface StopSignalHandlers {
  /** First signal: begin the graceful stop. */
  stop(signal: StopSignal): void;
  /** A signal after the window: the user insists; exit without waiting. */
  exitNow(signal: StopSignal): void;
}

export interface StopSignalOptions {
  /** Where signals come from (default: process). */
  source?: { on(event: StopSignal, listener: () => void): unknown; off(event: StopSignal, listener: () => void): unknown };
  windowMs?: number;
  now?: () => number;
}

/** Installs the handlers; returns their removal. */
export function onStopSignals(handlers: StopSignalHandlers, opts: StopSignalOptions = {}): () => void {
  const source = opts.source ?? process;
  const windowMs = opts.windowMs ?? SAME_STOP_WINDOW_MS;
  const now = opts.now ?? (() => performance.now());
  let firstAt: number | null = null;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      if (firstAt === null) {
        firstAt = now();
        handlers.stop(signal);
      } else if (now() - firstAt > windowMs) {
        handlers.exitNow(signal);
      }
      // else: a copy of the first (process group + launcher forwarding): the stop in progress goes on.
    };
    source.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) source.off(signal, listener);
  };
}
