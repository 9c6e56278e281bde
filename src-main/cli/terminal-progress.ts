// A one-line progress display for long CLI work: percent and time left, redrawn in place on stderr. Only on a
// terminal: when stderr is a pipe or a file nothing is written, so logs and scripts see no control characters.

/** Fewest ms between redraws (a terminal needs no more than a few per second). */
const REDRAW_MS = 200;

export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

export class TerminalProgress {
  /** When the first update came: the pace counts from the work, not from loading the engine. */
  private startedAt: number | null = null;
  private lastDraw = 0;
  private shown = false;
  private finished = false;

  constructor(
    private readonly out: ProgressSink,
    private readonly label = 'transcribing',
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.out.isTTY === true;
  }

  /** `fraction` done, 0..1. */
  update(fraction: number): void {
    if (!this.enabled || this.finished) return;
    const t = this.now();
    this.startedAt ??= t;
    if (t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const elapsed = t - this.startedAt;
    // Time left from the pace so far; none until there is a pace to go by.
    const left = f >= 0.02 && f < 1 ? ` · about ${formatSeconds((elapsed * (1 - f)) / f)} left` : '';
    this.out.write(`\r\x1b[K${this.label} ${Math.floor(f * 100)} %${left}`);
    this.shown = true;
  }

  /** Clears the line (idempotent). */
  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.shown) this.out.write('\r\x1b[K');
  }
}

export function formatSeconds(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
