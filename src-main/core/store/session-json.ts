// Stored sessions in their public JSON shape (proto/rest-sessions.ts): what REST returns, what `export?format=json`
// and `earshot sessions export --format json` write.
import type { SearchHitJson, SegmentJson, SessionDetailJson, SessionJson } from '../../../proto/rest-sessions.js';
import type { SearchHit, SessionDetail, SessionSummary, StoredSegment } from './types.js';

// The shapes themselves are the client contract (proto/rest-sessions.ts); re-exported for the CLI and the API.
export type { SearchHitJson, SegmentJson, SessionDetailJson, SessionJson };

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

export function sessionDetailJson(s: SessionDetail): SessionDetailJson {
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
