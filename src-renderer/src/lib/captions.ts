// The live caption model: what the caption views show, built from the ASR WebSocket's transcript messages.
// Pure TS (no Svelte, no DOM) so the rules are unit-tested on their own:
// - an interim for a segment is replaced by the next interim, then by that segment's final;
// - lines are ordered by (connection, segment), whatever order messages arrive in;
// - a reconnect opens a new "epoch": segment numbers restart on a new connection, so keys are epoch-qualified;
//   the interim of a dead connection stays visible (marked stale) until the new connection speaks, because the
//   client re-sends the audio after the last final and that utterance comes back re-recognized — no text lost,
//   none duplicated (finals already received are never re-sent).
import type { TranscriptMessage } from '../../../proto/ws-messages.js';

export interface CaptionLine {
  /** `${epoch}:${segment}`: stable across interim → final. */
  key: string;
  epoch: number;
  segment: number;
  text: string;
  final: boolean;
  /** An interim from a connection that has since gone; replaced when the new connection speaks. */
  stale: boolean;
  startMs: number;
  endMs: number;
}

export interface CaptionLogOptions {
  /** Finals kept in memory (the oldest are dropped). The stored session keeps everything. */
  maxFinals?: number;
}

export class CaptionLog {
  private readonly finals = new Map<string, CaptionLine>();
  private readonly interims = new Map<string, CaptionLine>();
  private epoch = 0;
  private readonly maxFinals: number;
  private listeners = new Set<() => void>();
  /** Bumped on every change: cheap to compare in views. */
  version = 0;

  constructor(opts: CaptionLogOptions = {}) {
    this.maxFinals = opts.maxFinals ?? 2000;
  }

  /** The current connection number (starts at 0). */
  get currentEpoch(): number {
    return this.epoch;
  }

  /** A new connection: later messages belong to it. Interims of earlier connections become stale. */
  newEpoch(): number {
    this.epoch++;
    for (const line of this.interims.values()) line.stale = true;
    this.changed();
    return this.epoch;
  }

  /** Apply a transcript message received on connection `epoch` (defaults to the current one). */
  apply(msg: TranscriptMessage, epoch = this.epoch): void {
    const key = `${epoch}:${msg.segment}`;
    const line: CaptionLine = {
      key,
      epoch,
      segment: msg.segment,
      text: msg.text,
      final: msg.is_final,
      stale: false,
      startMs: msg.start_ms,
      endMs: msg.end_ms,
    };
    // The new connection produced text: the old connection's interim has been re-recognized.
    if (epoch === this.epoch) {
      for (const [k, l] of this.interims) if (l.epoch < epoch) this.interims.delete(k);
    }
    if (msg.is_final) {
      this.interims.delete(key);
      // An empty final only closes the segment (nothing was recognized).
      if (msg.text.trim()) this.finals.set(key, line);
      this.trim();
    } else {
      if (this.finals.has(key)) return; // a late interim never overrides its final
      if (msg.text.trim()) this.interims.set(key, line);
      else this.interims.delete(key);
    }
    this.changed();
  }

  /** Finals then interims, in (epoch, segment) order. */
  lines(): CaptionLine[] {
    return [...this.finals.values(), ...this.interims.values()].sort(compareLines);
  }

  /** Only the finals, in order. */
  finalLines(): CaptionLine[] {
    return [...this.finals.values()].sort(compareLines);
  }

  /** The last `n` finals and every current interim: what the overlay shows. */
  tail(n: number): CaptionLine[] {
    const finals = this.finalLines().slice(-n);
    const interims = [...this.interims.values()].sort(compareLines);
    return [...finals, ...interims];
  }

  /** All final text joined with spaces (copy, tests). */
  text(): string {
    return this.finalLines()
      .map((l) => l.text.trim())
      .join(' ');
  }

  clear(): void {
    this.finals.clear();
    this.interims.clear();
    this.changed();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private trim(): void {
    if (this.finals.size <= this.maxFinals) return;
    const drop = this.finalLines().slice(0, this.finals.size - this.maxFinals);
    for (const l of drop) this.finals.delete(l.key);
  }

  private changed(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }
}

function compareLines(a: CaptionLine, b: CaptionLine): number {
  return a.epoch - b.epoch || a.segment - b.segment;
}
