// Overlay window geometry, remembered per display and restored onto whatever displays exist now.
// Pure: the shell passes Electron's screen.getAllDisplays() in and persists the JSON out, so the clamping
// rules (display unplugged, resolution changed, taskbar moved) are unit-tested without Electron.
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The parts of Electron's Display this module needs. */
export interface DisplayInfo {
  id: number;
  bounds: Rect;
  /** The display minus taskbars/docks/panels: where a window may be placed. */
  workArea: Rect;
}

const rectSchema = z.object({
  x: z.number().finite(),
  y: z.number().finite(),
  width: z.number().finite().positive(),
  height: z.number().finite().positive(),
});

const MAX_REMEMBERED = 16;

export const windowStateSchema = z.object({
  version: z.literal(1),
  /** displayKey -> bounds last used on that display. */
  byDisplay: z.record(z.string().max(64), rectSchema),
  /** The display the window was on last. */
  lastDisplay: z.string().max(64).nullable(),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export const EMPTY_WINDOW_STATE: WindowState = { version: 1, byDisplay: {}, lastDisplay: null };

/** Reads stored state; anything malformed (hand-edited, older version, truncated) yields the empty state. */
export function parseWindowState(json: unknown): WindowState {
  const r = windowStateSchema.safeParse(json);
  return r.success ? r.data : { ...EMPTY_WINDOW_STATE, byDisplay: {} };
}

/**
 * A display's identity across runs: its id plus its size. The size is part of the key so a display whose
 * resolution changed gets a fresh placement rather than one computed for another geometry.
 */
export function displayKey(d: DisplayInfo): string {
  return `${d.id}:${d.bounds.width}x${d.bounds.height}`;
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function distanceToRect(px: number, py: number, r: Rect): number {
  const dx = Math.max(r.x - px, 0, px - (r.x + r.width));
  const dy = Math.max(r.y - py, 0, py - (r.y + r.height));
  return Math.hypot(dx, dy);
}

/** The display a window mostly lies on; when it lies on none, the one nearest its centre. */
export function displayFor(bounds: Rect, displays: readonly DisplayInfo[]): DisplayInfo {
  if (!displays.length) throw new Error('no displays');
  let best = displays[0]!;
  let bestArea = -1;
  for (const d of displays) {
    const a = overlapArea(bounds, d.bounds);
    if (a > bestArea) {
      best = d;
      bestArea = a;
    }
  }
  if (bestArea > 0) return best;
  const cx = bounds.x + bounds.width / 2;
  const cy = bounds.y + bounds.height / 2;
  return displays.reduce((a, b) => (distanceToRect(cx, cy, b.bounds) < distanceToRect(cx, cy, a.bounds) ? b : a));
}

/** Shrinks a rectangle to fit the work area, then moves it fully inside. Integers, as Electron wants. */
export function clampToWorkArea(r: Rect, area: Rect, min: { width: number; height: number } = { width: 120, height: 40 }): Rect {
  const width = Math.round(Math.max(Math.min(r.width, area.width), Math.min(min.width, area.width)));
  const height = Math.round(Math.max(Math.min(r.height, area.height), Math.min(min.height, area.height)));
  const x = Math.round(Math.min(Math.max(r.x, area.x), area.x + area.width - width));
  const y = Math.round(Math.min(Math.max(r.y, area.y), area.y + area.height - height));
  return { x, y, width, height };
}

/** Records where the window is now, under the display it is on. Returns a new state. */
export function rememberBounds(state: WindowState, bounds: Rect, displays: readonly DisplayInfo[]): WindowState {
  const key = displayKey(displayFor(bounds, displays));
  const byDisplay = { ...state.byDisplay, [key]: { ...bounds } };
  // Bound the file: forget the oldest-inserted displays beyond MAX_REMEMBERED.
  const keys = Object.keys(byDisplay);
  for (const k of keys.slice(0, Math.max(0, keys.length - MAX_REMEMBERED))) if (k !== key) delete byDisplay[k];
  return { version: 1, byDisplay, lastDisplay: key };
}

/** Default overlay placement: a caption strip centred near the bottom of the primary work area. */
export function defaultOverlayBounds(area: Rect): Rect {
  const width = Math.round(Math.min(900, area.width * 0.8));
  const height = Math.round(Math.min(160, area.height * 0.25));
  return { x: Math.round(area.x + (area.width - width) / 2), y: Math.round(area.y + area.height - height - 48), width, height };
}

/**
 * Where to open the window: the bounds remembered for the last-used display if it is still connected,
 * else those of any connected display remembered before, else the default on the primary display —
 * always clamped into that display's current work area.
 */
export function restoreBounds(state: WindowState, displays: readonly DisplayInfo[], primary: DisplayInfo): Rect {
  const present = new Map(displays.map((d) => [displayKey(d), d]));
  const candidates = [state.lastDisplay, ...Object.keys(state.byDisplay)].filter((k): k is string => k !== null);
  for (const key of candidates) {
    const d = present.get(key);
    const saved = state.byDisplay[key];
    if (d && saved) return clampToWorkArea(saved, d.workArea);
  }
  return clampToWorkArea(defaultOverlayBounds(primary.workArea), primary.workArea);
}
