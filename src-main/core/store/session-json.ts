// The public JSON shape of stored sessions: what REST returns, what `export?format=json` and
// `earshot sessions export --format json` write. snake_case and ms times, like every message in
// docs/PROTOCOL.md; `started_at`/`ended_at` are ISO-8601 wall-clock times.
import type { SearchHit, SessionDetail, SessionSummary, StoredSegment } from './types.js';

export interface SessionJson {
  id: string;
  /** The title shown everywhere: the given one, else automatic (start time and first words). */
  title: string;
  /** True when `title` is the automatic one. */
  title_auto: boolean;
  /** The transcript's beginning, one line. */
  preview: string;
  started_at: string;
  ended_at: string | null;
  status: SessionSummary['status'];
  sources: string[];
  engine: string;
  model: string;
  language: string;
  tags: string[];
  segment_count: number;
  duration_ms: number;
}

export interface SegmentJson {
  id: number;
  track: string;
  start_ms: number;
  end_ms: number;
  text: string;
  confidence: number;
  words: { word: string; start_ms: number; end_ms: number }[];
}

export interface SearchHitJson {
  session_id: string;
  session_title: string;
  segment_id: number;
  track: string;
  start_ms: number;
  end_ms: number;
  text: string;
  /** HTML-escaped, matches in <mark>…</mark>. */
  snippet: string;
}

export function sessionJson(s: SessionSummary): SessionJson {
  return {
    id: s.id,
    title: s.title,
    title_auto: s.titleAuto,
    preview: s.preview,
    started_at: new Date(s.startedAt).toISOString(),
    ended_at: s.endedAt === null ? null : new Date(s.endedAt).toISOString(),
    status: s.status,
    sources: s.sources,
    engine: s.engine,
    model: s.model,
    language: s.language,
    tags: s.tags,
    segment_count: s.segmentCount,
    duration_ms: s.durationMs,
  };
}

export function segmentJson(g: StoredSegment): SegmentJson {
  return {
    id: g.id,
    track: g.track,
    start_ms: g.startMs,
    end_ms: g.endMs,
    text: g.text,
    confidence: g.confidence,
    words: g.words.map((w) => ({ word: w.word, start_ms: w.startMs, end_ms: w.endMs })),
  };
}

export function sessionDetailJson(s: SessionDetail): SessionJson & { segments: SegmentJson[] } {
  return { ...sessionJson(s), segments: s.segments.map(segmentJson) };
}

export function searchHitJson(h: SearchHit): SearchHitJson {
  return {
    session_id: h.sessionId,
    session_title: h.sessionTitle,
    segment_id: h.segmentId,
    track: h.track,
    start_ms: h.startMs,
    end_ms: h.endMs,
    text: h.text,
    snippet: h.snippet,
  };
}
