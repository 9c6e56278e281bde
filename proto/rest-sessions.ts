// REST shapes of the transcript endpoints (docs/PROTOCOL.md "REST"): `GET /v1/sessions` (list and search),
// `GET|PATCH|DELETE /v1/sessions/:id`, `GET /v1/sessions/:id/export`. The server validates requests and
// serializes answers with these schemas (in each route's definition), the CLI's `--json` output and
// `export?format=json` write the same objects, and the renderer parses them: one contract, no field guessing.
// Imports nothing but zod. snake_case and ms times like every message of PROTOCOL.md; `started_at`/`ended_at`
// are ISO-8601 wall-clock times.
import { z } from 'zod';

/** Bounds on what a client may send; the store applies the same ones (STORE_LIMITS spreads these). */
export const SESSION_REQUEST_LIMITS = {
  titleChars: 500,
  tagChars: 64,
  tags: 32,
  queryChars: 1_000,
  maxPage: 500,
  /** A segment's text (a correction may be no longer than the store keeps). */
  segmentTextChars: 20_000,
} as const;

export const SessionStatus = z.enum(['live', 'complete', 'interrupted']);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const EXPORT_FORMATS = ['srt', 'vtt', 'txt', 'json'] as const;
export const ExportFormat = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof ExportFormat>;

/** One stored session, as listed. */
export const SessionJson = z.object({
  id: z.string(),
  /** The title shown everywhere: the given one, else automatic (start time and first words). */
  title: z.string(),
  /** True when `title` is the automatic one. */
  title_auto: z.boolean(),
  /** The transcript's beginning, one line. */
  preview: z.string(),
  started_at: z.string(),
  /** null while live. */
  ended_at: z.string().nullable(),
  status: SessionStatus,
  sources: z.array(z.string()),
  engine: z.string(),
  model: z.string(),
  language: z.string(),
  tags: z.array(z.string()),
  segment_count: z.number().int().nonnegative(),
  /** End of the last segment (ms of audio), 0 when there is none. */
  duration_ms: z.number().nonnegative(),
});
export type SessionJson = z.infer<typeof SessionJson>;

export const SegmentJson = z.object({
  id: z.number().int(),
  track: z.string(),
  start_ms: z.number(),
  end_ms: z.number(),
  text: z.string(),
  confidence: z.number(),
  words: z.array(z.object({ word: z.string(), start_ms: z.number(), end_ms: z.number() })),
});
export type SegmentJson = z.infer<typeof SegmentJson>;

/** `GET /v1/sessions/:id`: the session with its segments (ordered by start, then id). */
export const SessionDetailJson = SessionJson.extend({
  segments: z.array(SegmentJson),
  /** A recording is kept with the session (`record=true`): `GET /v1/sessions/:id/audio` serves it. */
  audio: z.boolean().optional(),
});
export type SessionDetailJson = z.infer<typeof SessionDetailJson>;

/** One matching segment of a search. */
export const SearchHitJson = z.object({
  session_id: z.string(),
  session_title: z.string(),
  segment_id: z.number().int(),
  track: z.string(),
  start_ms: z.number(),
  end_ms: z.number(),
  text: z.string(),
  /** HTML-escaped, matches in <mark>…</mark>. */
  snippet: z.string(),
});
export type SearchHitJson = z.infer<typeof SearchHitJson>;

/** `GET /v1/sessions`: a page of sessions; with `q`, also the matching segments (`hits`). */
export const SessionList = z.object({
  object: z.literal('list'),
  total: z.number().int().nonnegative(),
  limit: z.number().int(),
  offset: z.number().int(),
  data: z.array(SessionJson),
  hits: z.array(SearchHitJson).optional(),
});
export type SessionList = z.infer<typeof SessionList>;

// Query strings arrive as strings: coerce, then bound like the store does.
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const epochMs = z.union([z.coerce.number().int().min(0), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);
// Accepted so a browser client can pass the token in the URL like on WebSockets; the server's hook reads it.
const token = z.string().optional();

export const SessionListQuery = z.strictObject({
  q: z.string().max(SESSION_REQUEST_LIMITS.queryChars).optional(),
  limit: int(1, SESSION_REQUEST_LIMITS.maxPage).default(50),
  offset: int(0, 1_000_000_000).default(0),
  tag: z.string().min(1).max(SESSION_REQUEST_LIMITS.tagChars).optional(),
  /** Order of `hits`: newest first (default) or best match first. */
  order: z.enum(['recent', 'relevance']).default('recent'),
  /** epoch ms or ISO-8601 */
  from: epochMs.optional(),
  to: epochMs.optional(),
  token,
});
/** What a client may send (numbers or their strings); the server sees the parsed output. */
export type SessionListQuery = z.input<typeof SessionListQuery>;

export const SessionIdParams = z.strictObject({ id: z.string().min(1).max(100) });

export const SessionExportQuery = z.strictObject({ format: ExportFormat.default('txt'), token });

/** `PATCH /v1/sessions/:id` → the updated SessionJson. */
export const SessionPatch = z
  .strictObject({
    title: z.string().max(SESSION_REQUEST_LIMITS.titleChars).optional(),
    tags: z.array(z.string().trim().min(1).max(SESSION_REQUEST_LIMITS.tagChars)).max(SESSION_REQUEST_LIMITS.tags).optional(),
  })
  .refine((b) => b.title !== undefined || b.tags !== undefined, { message: 'give title and/or tags' });
export type SessionPatch = z.input<typeof SessionPatch>;

/** `PATCH /v1/sessions/:id/segments/:segment` (a correction of one segment's text) → the updated SegmentJson. */
export const SessionSegmentParams = z.strictObject({
  id: z.string().min(1).max(100),
  segment: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export const SegmentPatch = z.strictObject({ text: z.string().max(SESSION_REQUEST_LIMITS.segmentTextChars) });
export type SegmentPatch = z.input<typeof SegmentPatch>;

/** Routes whose only query parameter is the token (an <audio> element cannot send a header). */
export const TokenOnlyQuery = z.strictObject({ token });
