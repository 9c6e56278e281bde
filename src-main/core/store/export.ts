// Transcript export formats: SRT, WebVTT, plain text, JSON. Pure functions over segments, shared by the
// store's REST/CLI export and `earshot transcribe`.
//
// Captions follow the usual broadcast guidance: at most `maxLineLength` characters per line (42) and
// `maxLines` lines (2) per cue. A longer segment is split into several consecutive cues whose times are
// proportional to their share of the segment's characters, so the captions stay in step with the audio.

export interface ExportSegment {
  startMs: number;
  endMs: number;
  text: string;
  track?: string;
}

export interface CaptionOptions {
  /** Characters per caption line (default 42). */
  maxLineLength?: number;
  /** Lines per cue (default 2). */
  maxLines?: number;
  /** Prefix each cue with its track (SRT: `[mic] `; VTT: a `<v mic>` voice span). Default false. */
  tracks?: boolean;
}

export interface TextOptions {
  /** Prefix each line with `[HH:MM:SS]` of its start. Default false. */
  timestamps?: boolean;
  /** Prefix each line with its track label (`mic: `). Default false. */
  tracks?: boolean;
}

export interface Cue {
  startMs: number;
  endMs: number;
  lines: string[];
  track?: string;
}

/** `HH:MM:SS<sep>mmm`; hours grow past 99 rather than wrap. */
export function formatTimestamp(ms: number, sep: ',' | '.'): string {
  const t = Math.max(0, Math.round(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const s = Math.floor(t / 1000) % 60;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${sep}${pad(t % 1000, 3)}`;
}

/** Word-wraps text into lines of at most `width` characters; a word longer than a line is cut. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/u).filter(Boolean)) {
    while ([...word].length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      const chars = [...word];
      lines.push(chars.slice(0, width).join(''));
      word = chars.slice(width).join('');
    }
    if (!word) continue;
    if (!line) line = word;
    else if ([...line].length + 1 + [...word].length <= width) line += ' ' + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Splits segments into caption cues within the line limits, with proportional times. Empty text is dropped. */
export function toCues(segments: readonly ExportSegment[], opts: CaptionOptions = {}): Cue[] {
  const width = positiveInt(opts.maxLineLength ?? 42, 'maxLineLength');
  const maxLines = positiveInt(opts.maxLines ?? 2, 'maxLines');
  const cues: Cue[] = [];
  for (const seg of [...segments].sort((a, b) => a.startMs - b.startMs)) {
    const lines = wrapText(seg.text, width);
    if (!lines.length) continue;
    const start = Math.max(0, Math.round(seg.startMs));
    const end = Math.max(start, Math.round(seg.endMs));
    const groups: string[][] = [];
    for (let i = 0; i < lines.length; i += maxLines) groups.push(lines.slice(i, i + maxLines));
    const weightOf = (g: string[]) => g.reduce((n, l) => n + [...l].length, 0);
    const total = groups.reduce((n, g) => n + weightOf(g), 0);
    let done = 0;
    groups.forEach((g, i) => {
      const cueStart = start + Math.round(((end - start) * done) / total);
      done += weightOf(g);
      const cueEnd = i === groups.length - 1 ? end : start + Math.round(((end - start) * done) / total);
      cues.push({ startMs: cueStart, endMs: cueEnd, lines: g, ...(seg.track ? { track: seg.track } : {}) });
    });
  }
  return cues;
}

export function toSrt(segments: readonly ExportSegment[], opts: CaptionOptions = {}): string {
  return toCues(segments, opts)
    .map((c, i) => {
      const lines = c.lines.map(srtSafe);
      if (opts.tracks && c.track) lines[0] = `[${srtSafe(c.track)}] ${lines[0]}`;
      return `${i + 1}\n${formatTimestamp(c.startMs, ',')} --> ${formatTimestamp(c.endMs, ',')}\n${lines.join('\n')}\n`;
    })
    .join('\n');
}

export function toVtt(segments: readonly ExportSegment[], opts: CaptionOptions = {}): string {
  const cues = toCues(segments, opts).map((c) => {
    const lines = c.lines.map(vttEscape);
    if (opts.tracks && c.track) {
      lines[0] = `<v ${vttEscape(c.track)}>${lines[0]}`;
      lines[lines.length - 1] += '</v>';
    }
    return `${formatTimestamp(c.startMs, '.')} --> ${formatTimestamp(c.endMs, '.')}\n${lines.join('\n')}\n`;
  });
  return 'WEBVTT\n\n' + cues.join('\n');
}

export function toTxt(segments: readonly ExportSegment[], opts: TextOptions = {}): string {
  const lines = [...segments]
    .sort((a, b) => a.startMs - b.startMs)
    .map((s) => ({ ...s, text: s.text.replace(/\s+/gu, ' ').trim() }))
    .filter((s) => s.text)
    .map((s) => {
      let line = s.text;
      if (opts.tracks && s.track) line = `${s.track}: ${line}`;
      if (opts.timestamps) line = `[${formatTimestamp(s.startMs, '.').slice(0, 8)}] ${line}`;
      return line;
    });
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** The session (metadata + segments) as pretty-printed JSON, newline-terminated. */
export function toJson(session: { segments: readonly ExportSegment[] } & Record<string, unknown>): string {
  return JSON.stringify(session, null, 2) + '\n';
}

import { EXPORT_FORMATS, type ExportFormat } from '../../../proto/rest-sessions.js';

export { EXPORT_FORMATS, type ExportFormat };

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/**
 * One entry point for callers that take the format from the user (REST, CLI). `json` is the caller's
 * `json` value as given (the REST shape of the session), the caption formats read `segments`.
 */
export function exportSession(segments: readonly ExportSegment[], format: ExportFormat, json: object = { segments }): string {
  switch (format) {
    case 'srt':
      return toSrt(segments);
    case 'vtt':
      return toVtt(segments);
    case 'txt':
      // Track labels only where there is more than one track (a mic + system meeting).
      return toTxt(segments, { timestamps: true, tracks: new Set(segments.map((s) => s.track)).size > 1 });
    case 'json':
      return JSON.stringify(json, null, 2) + '\n';
    default:
      throw new Error(`unknown export format ${JSON.stringify(format)}; expected one of ${EXPORT_FORMATS.join(', ')}`);
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return v;
}

// An arrow inside text would read as a timing line to SRT parsers.
function srtSafe(s: string): string {
  return s.replaceAll('-->', '→');
}

// WebVTT cue text: `&` and `<` start markup; `-->` must not appear.
function vttEscape(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
