// The transcript store's public contract: what sessions, the API and the CLI may rely on.
// Times: `startedAt`/`endedAt` are wall-clock epoch ms; segment `startMs`/`endMs` are ms of audio from the
// start of the session's stream (as produced by the engine).
import { CodedError, type ErrorCode } from '../errors.js';
import { SESSION_REQUEST_LIMITS, type SessionStatus as ProtoSessionStatus } from '../../../proto/rest-sessions.js';
import type { WordTiming } from '../engine/index.js';

export type SessionStatus = ProtoSessionStatus;

export interface NewSession {
  title?: string;
  /** Capture sources, e.g. ['mic', 'system'] or a device name. */
  sources?: string[];
  engine: string;
  model: string;
  language: string;
  tags?: string[];
}

export interface NewSegment {
  /** Transcript track: 'mic', 'system', 'ch0', … */
  track: string;
  startMs: number;
  endMs: number;
  text: string;
  /** 0..1 */
  confidence: number;
  words: WordTiming[];
}

export interface SessionSummary {
  id: string;
  /** The title shown everywhere (session-title.ts): the one given, else automatic from the start time and first words. */
  title: string;
  /** True when `title` is the automatic one (no title was given, or it was cleared). */
  titleAuto: boolean;
  /** The transcript's beginning, one line (empty when there is no text yet). */
  preview: string;
  startedAt: number;
  /** Null while live. */
  endedAt: number | null;
  status: SessionStatus;
  sources: string[];
  engine: string;
  model: string;
  language: string;
  tags: string[];
  segmentCount: number;
  /** End of the last segment (ms of audio), 0 when there is none. */
  durationMs: number;
}

export interface StoredSegment extends NewSegment {
  id: number;
  sessionId: string;
}

export interface SessionDetail extends SessionSummary {
  /** Ordered by startMs, then id. */
  segments: StoredSegment[];
}

export interface ListQuery {
  /** Default 50, at most 500. */
  limit?: number;
  offset?: number;
  /** Full-text filter: sessions whose title or any segment matches. */
  q?: string;
  /** Only sessions carrying this tag. */
  tag?: string;
  /** startedAt >= from (epoch ms). */
  from?: number;
  /** startedAt < to (epoch ms). */
  to?: number;
}

export interface SessionPage {
  sessions: SessionSummary[];
  /** Number of sessions matching the query, ignoring limit/offset. */
  total: number;
}

export interface SearchOptions {
  /** Default 20, at most 500. */
  limit?: number;
  offset?: number;
  /** Restrict to one session. */
  sessionId?: string;
  /**
   * 'recent' (default): newest segments first — fast whatever the corpus size.
   * 'relevance': best bm25 match first — slower for words that match much of the corpus.
   */
  order?: 'recent' | 'relevance';
}

export interface SearchHit {
  sessionId: string;
  sessionTitle: string;
  segmentId: number;
  track: string;
  startMs: number;
  endMs: number;
  /** The full segment text (plain). */
  text: string;
  /**
   * HTML-safe excerpt: the segment text HTML-escaped, matched terms wrapped in <mark>…</mark>,
   * cut with '…' around long text. Safe to insert as innerHTML.
   */
  snippet: string;
}

export interface Store {
  /** Absolute path of the database file (':memory:' for an in-memory store). */
  readonly path: string;
  createSession(meta: NewSession): string;
  /** Committed (own transaction) before it returns. Returns the segment id. */
  appendSegment(sessionId: string, seg: NewSegment): number;
  endSession(sessionId: string, status?: 'complete' | 'interrupted'): void;
  /** Mark an ended session live again (a client streaming into an existing session id). */
  resumeSession(sessionId: string): void;
  listSessions(query?: ListQuery): SessionPage;
  getSession(id: string): SessionDetail | null;
  search(q: string, opts?: SearchOptions): SearchHit[];
  /** Sets the title; an empty title goes back to the automatic one. */
  rename(id: string, title: string): void;
  /**
   * Replaces a segment's text (a correction). The full-text index follows in the same transaction; the word
   * timings are dropped, since they described the old words. Returns the updated segment.
   */
  editSegment(sessionId: string, segmentId: number, text: string): StoredSegment;
  setTags(id: string, tags: string[]): void;
  /** Removes the session, its segments and their text from the full-text index (securely: no residue). */
  deleteSession(id: string): void;
  close(): void;
}

export type StoreErrorCode = 'not_found' | 'bad_input' | 'closed';

/** What each store failure is to a client (core/errors.ts): a missing row, bad input, or a store shut down. */
const STORE_ERROR_CODES: Record<StoreErrorCode, ErrorCode> = { not_found: 'not_found', bad_input: 'bad_config', closed: 'unavailable' };

/** Every error the store throws on purpose; `code` is the store's own reason, `errorCode` what clients hear. */
export class StoreError extends CodedError {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(STORE_ERROR_CODES[code], message);
    this.name = 'StoreError';
  }
}

/** Limits on what one call may store: user and client text is untrusted. */
export const STORE_LIMITS = {
  // title, tags, query and page bounds: what a client may send, declared once in the contract.
  ...SESSION_REQUEST_LIMITS,
  sources: 16,
  sourceChars: 200,
  fieldChars: 200,
  words: 5_000,
  wordChars: 200,
} as const;
