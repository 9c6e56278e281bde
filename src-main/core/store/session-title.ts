// The one title rule for sessions (list, search, detail, export file names, CLI): the title a person gave it,
// else an automatic one from when it started and its first words ("2026-11-28 06:53 · the budget for next year…").
// Renaming to an empty title goes back to the automatic one. Dates are the machine's local time: the server and
// the app run on the same machine.

import { basename, extname } from 'node:path';

/** Longest title kept from a file name (the store's title limit is larger; a name longer than this is noise). */
const FILE_TITLE_CHARS = 200;

/** A session title from a file name (`earshot transcribe --save`, the app's file jobs): its base name without the extension. */
export function titleFromFileName(filename: string): string {
  const base = basename(filename.replace(/\\/g, '/'));
  const stem = base.slice(0, base.length - extname(base).length) || base;
  return (
    stem
      // eslint-disable-next-line no-control-regex -- control characters in a file name become spaces
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .trim()
      .slice(0, FILE_TITLE_CHARS) || 'Untitled file'
  );
}

/** Words of the first segments that go into an automatic title. */
export const AUTO_TITLE_WORDS = 6;
/** Characters of the first segments shown as a session's preview line. */
export const PREVIEW_CHARS = 160;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `YYYY-MM-DD HH:MM` in local time. */
export function localMinute(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The automatic title: start time, then the first words of the transcript (when there are any). */
export function autoTitle(startedAt: number, firstText: string): string {
  const words = firstText.trim().split(/\s+/).filter(Boolean);
  const head = words.slice(0, AUTO_TITLE_WORDS).join(' ');
  const when = localMinute(startedAt);
  if (!head) return when;
  return `${when} · ${head}${words.length > AUTO_TITLE_WORDS ? '…' : ''}`;
}

/** The title shown everywhere: the stored one when set, else the automatic one. */
export function sessionTitle(stored: string, startedAt: number, firstText: string): { title: string; auto: boolean } {
  const t = stored.trim();
  return t ? { title: t, auto: false } : { title: autoTitle(startedAt, firstText), auto: true };
}

/** The preview line: the transcript's beginning, cut at a word within PREVIEW_CHARS. */
export function previewOf(firstText: string): string {
  const t = firstText.replace(/\s+/g, ' ').trim();
  if (t.length <= PREVIEW_CHARS) return t;
  const cut = t.slice(0, PREVIEW_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > PREVIEW_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}
