// The REST half of the public local API (docs/PROTOCOL.md "REST"), as the UI uses it. Every call carries the
// token; failures become ApiError with the server's own message (`{ error: { code, message } }`) when it sent one.
import { EngineList, ModelImportResult, ModelList, type EngineEntry } from '../../../proto/rest-models.js';
import { TranscriptionJob } from '../../../proto/transcription-jobs.js';
import type { ApiConfig } from './api-config.js';

export type { TranscriptionJob };

export type { EngineEntry };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface SessionSummary {
  id: string;
  title: string | null;
  started_at: string | number | null;
  ended_at: string | number | null;
  status: string;
  sources?: string[];
  engine?: string;
  model?: string;
  language?: string;
  tags?: string[];
  segments?: number;
  duration_ms?: number;
  /** True when `title` is the server's automatic one (start time + first words), not one the user gave. */
  title_auto?: boolean;
  /** The transcript's beginning, one line. */
  preview?: string;
}

export interface SessionSegment {
  id?: number;
  track: string;
  start_ms: number;
  end_ms: number;
  text: string;
  confidence?: number;
}

export interface SessionDetail extends SessionSummary {
  segments_list: SessionSegment[];
  /** A recording is kept with the session (GET /v1/sessions/:id/audio). */
  audio?: boolean;
}

export interface SearchHit {
  session_id: string;
  segment_id?: number;
  start_ms: number;
  end_ms: number;
  /** Text with the matched terms wrapped in <mark>…</mark> by the server. */
  snippet: string;
  title?: string | null;
}

export interface ModelInfo {
  id: string;
  kind: string;
  language?: string;
  /** Every language it covers (ISO 639-1), for multilingual models. */
  languages?: string[];
  /** Speed class (fastest | fast | moderate | slow) and accuracy class (basic | fair | good | best). */
  speed?: string;
  accuracy?: string;
  /** One sentence on what the model is good for. */
  note?: string;
  detects_language?: boolean;
  backend?: string;
  installed?: boolean;
  /** A synthetic test model: never picked automatically. */
  fixture?: boolean;
  /** The catalog's human name. */
  name?: string;
  status?: string;
  size?: number;
  /** Download size, when the catalog knows it. */
  size_bytes?: number;
  /** The upstream archive, for downloading elsewhere and `earshot models import`. */
  download_url?: string;
  progress?: number;
  [k: string]: unknown;
}

export interface VoiceInfo {
  id: string;
  name?: string;
  language?: string;
  backend?: string;
  sample_rate?: number;
  [k: string]: unknown;
}

export type ExportFormat = 'srt' | 'vtt' | 'txt' | 'json';

/** `GET /v1/models/:id/pull`: how an install started from the UI (or any client) is going. */
export interface PullProgress {
  id: string;
  state: 'downloading' | 'verifying' | 'done' | 'error';
  received: number;
  /** null while the size is unknown. */
  total: number | null;
  error?: string;
}

/** Records that may come snake_case or camelCase: read either. */
function pick<T>(o: Record<string, unknown>, ...keys: string[]): T | undefined {
  for (const k of keys) if (o[k] !== undefined) return o[k] as T;
  return undefined;
}

export function normaliseSession(raw: Record<string, unknown>): SessionSummary {
  return {
    id: String(raw.id),
    title: (pick<string | null>(raw, 'title') ?? null) as string | null,
    started_at: pick(raw, 'started_at', 'startedAt') ?? null,
    ended_at: pick(raw, 'ended_at', 'endedAt') ?? null,
    status: String(pick(raw, 'status') ?? ''),
    sources: pick(raw, 'sources'),
    engine: pick(raw, 'engine'),
    model: pick(raw, 'model'),
    language: pick(raw, 'language'),
    tags: pick(raw, 'tags'),
    segments: typeof raw.segments === 'number' ? raw.segments : pick(raw, 'segment_count', 'segmentCount'),
    duration_ms: pick(raw, 'duration_ms', 'durationMs'),
    title_auto: pick(raw, 'title_auto', 'titleAuto'),
    preview: pick(raw, 'preview'),
  };
}

export function normaliseSegment(raw: Record<string, unknown>): SessionSegment {
  return {
    id: pick(raw, 'id'),
    track: String(pick(raw, 'track') ?? ''),
    start_ms: Number(pick(raw, 'start_ms', 'startMs') ?? 0),
    end_ms: Number(pick(raw, 'end_ms', 'endMs') ?? 0),
    text: String(pick(raw, 'text') ?? ''),
    confidence: pick(raw, 'confidence'),
  };
}

export function normaliseHit(raw: Record<string, unknown>): SearchHit {
  return {
    session_id: String(pick(raw, 'session_id', 'sessionId')),
    segment_id: pick(raw, 'segment_id', 'segmentId'),
    start_ms: Number(pick(raw, 'start_ms', 'startMs') ?? 0),
    end_ms: Number(pick(raw, 'end_ms', 'endMs') ?? 0),
    snippet: String(pick(raw, 'snippet', 'highlight', 'text') ?? ''),
    title: pick(raw, 'title', 'session_title', 'sessionTitle'),
  };
}

export class RestClient {
  constructor(
    private readonly cfg: ApiConfig,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cfg.token) headers.set('Authorization', `Bearer ${this.cfg.token}`);
    let res: Response;
    try {
      res = await this.fetchFn(this.cfg.apiBase + path, { ...init, headers });
    } catch (err) {
      throw new ApiError(0, 'unreachable', `The Earshot engine is not reachable at ${this.cfg.apiBase}.`);
    }
    if (!res.ok) {
      let code = `http_${res.status}`;
      let message = `${init.method ?? 'GET'} ${path} failed: HTTP ${res.status}`;
      try {
        const body = (await res.json()) as { error?: { code?: string; message?: string } | string; message?: string };
        if (body && typeof body.error === 'object' && body.error) {
          code = body.error.code ?? code;
          message = body.error.message ?? message;
        } else if (typeof body?.message === 'string') message = body.message;
      } catch {
        /* not JSON: keep the status line */
      }
      if (res.status === 401) message = 'The API token is missing or wrong. Open the link printed by `earshot serve --open`.';
      throw new ApiError(res.status, code, message);
    }
    return res;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  async listSessions(opts: { limit?: number; offset?: number } = {}): Promise<SessionSummary[]> {
    const qs = new URLSearchParams({ limit: String(opts.limit ?? 100), offset: String(opts.offset ?? 0) });
    const body = await this.json<unknown>(`/v1/sessions?${qs}`);
    return listOf(body, 'data', 'sessions').map(normaliseSession);
  }

  async search(q: string, limit = 50): Promise<SearchHit[]> {
    const qs = new URLSearchParams({ q, limit: String(limit) });
    const body = await this.json<unknown>(`/v1/sessions?${qs}`);
    return listOf(body, 'hits', 'results').map(normaliseHit);
  }

  async getSession(id: string): Promise<SessionDetail> {
    const raw = await this.json<Record<string, unknown>>(`/v1/sessions/${encodeURIComponent(id)}`);
    const inner = (raw.session as Record<string, unknown> | undefined) ?? raw;
    const segs = (raw.segments ?? inner.segments) as unknown;
    return {
      ...normaliseSession(inner),
      audio: raw.audio === true,
      segments_list: Array.isArray(segs) ? (segs as Record<string, unknown>[]).map(normaliseSegment) : [],
    };
  }

  async rename(id: string, title: string): Promise<void> {
    await this.request(`/v1/sessions/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title }),
    });
  }

  async deleteSession(id: string): Promise<void> {
    await this.request(`/v1/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  /** The export and the file name the server gives it (from the session's title, Content-Disposition). */
  async exportSession(id: string, format: ExportFormat): Promise<{ text: string; filename: string }> {
    const res = await this.request(`/v1/sessions/${encodeURIComponent(id)}/export?format=${format}`);
    return { text: await res.text(), filename: dispositionFileName(res.headers.get('content-disposition')) ?? `transcript.${format}` };
  }

  /** Corrects one segment's text (the server's search index follows). */
  async editSegment(sessionId: string, segmentId: number, text: string): Promise<SessionSegment> {
    const raw = await this.json<Record<string, unknown>>(
      `/v1/sessions/${encodeURIComponent(sessionId)}/segments/${encodeURIComponent(String(segmentId))}`,
      { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) },
    );
    return normaliseSegment(raw);
  }

  /** The catalog's models; OpenAI's alias entries (`whisper-1`…, `alias_of`) are for OpenAI clients, not for the app. */
  async models(): Promise<ModelInfo[]> {
    return (listOf(await this.json<unknown>('/v1/models'), 'models', 'data') as (ModelInfo & { alias_of?: unknown })[]).filter(
      (m) => m.alias_of === undefined,
    );
  }

  /** The punctuation model the engine applies to finals when `punctuate` is on; null when it has none. */
  async punctuationModel(): Promise<string | null> {
    const body = ModelList.parse(await this.json('/v1/models'));
    return body.punctuation?.model ?? null;
  }

  /** Starts (or joins) the install of a catalog model on the engine. */
  async startModelPull(id: string): Promise<PullProgress> {
    return this.json<PullProgress>(`/v1/models/${encodeURIComponent(id)}/pull`, { method: 'POST' });
  }

  /** `GET /v1/engines`: each speech backend, whether it is in use, and the languages its recognizers caption. */
  async engines(): Promise<EngineEntry[]> {
    const body = EngineList.safeParse(await this.json<unknown>('/v1/engines'));
    if (!body.success)
      throw new ApiError(200, 'bad_response', `GET /v1/engines: unexpected answer (${body.error.issues[0]?.message ?? 'invalid'})`);
    return body.data.data;
  }

  /**
   * `POST /v1/models/import`: installs a model archive the user downloaded elsewhere (picked with a file input);
   * the engine identifies and verifies it against the catalog before installing.
   */
  async importModelFile(file: Blob & { name: string }): Promise<ModelImportResult> {
    const body = ModelImportResult.safeParse(
      await this.json<unknown>(`/v1/models/import?filename=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: file,
      }),
    );
    if (!body.success)
      throw new ApiError(200, 'bad_response', `POST /v1/models/import: unexpected answer (${body.error.issues[0]?.message ?? 'invalid'})`);
    return body.data;
  }

  /** `POST /v1/transcription-jobs`: uploads a file to transcribe; the job runs on the engine and is followed with transcriptionJob(). */
  async createTranscriptionJob(file: Blob & { name: string }): Promise<TranscriptionJob> {
    return this.job(
      `/v1/transcription-jobs?filename=${encodeURIComponent(file.name)}`,
      { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: file },
      'POST',
    );
  }

  async transcriptionJob(id: string): Promise<TranscriptionJob> {
    return this.job(`/v1/transcription-jobs/${encodeURIComponent(id)}`, undefined, 'GET');
  }

  /** Cancels a queued or running job (the engine stops decoding and removes the partial session). */
  async cancelTranscriptionJob(id: string): Promise<TranscriptionJob> {
    return this.job(`/v1/transcription-jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }, 'DELETE');
  }

  private async job(path: string, init: RequestInit | undefined, method: string): Promise<TranscriptionJob> {
    const body = TranscriptionJob.safeParse(await this.json<unknown>(path, init));
    if (!body.success)
      throw new ApiError(
        200,
        'bad_response',
        `${method} /v1/transcription-jobs: unexpected answer (${body.error.issues[0]?.message ?? 'invalid'})`,
      );
    return body.data;
  }

  async modelPull(id: string): Promise<PullProgress> {
    return this.json<PullProgress>(`/v1/models/${encodeURIComponent(id)}/pull`);
  }

  /**
   * Rotates the API token (`POST /v1/token/regenerate`) and switches this app to the new one: the config object
   * is shared by every client of the page (REST, WebSocket links), so they all use it from the next request.
   */
  async regenerateToken(): Promise<string> {
    const { token } = await this.json<{ token: string }>('/v1/token/regenerate', { method: 'POST' });
    this.cfg.token = token;
    return token;
  }

  async voices(): Promise<VoiceInfo[]> {
    return listOf(await this.json<unknown>('/v1/voices'), 'voices', 'data') as VoiceInfo[];
  }

  async readyz(): Promise<{ ready: boolean; detail: unknown }> {
    try {
      // /readyz is protected like every route but /healthz: a browser (Origin) must send the token.
      const headers: Record<string, string> = this.cfg.token ? { Authorization: `Bearer ${this.cfg.token}` } : {};
      const res = await this.fetchFn(this.cfg.apiBase + '/readyz', { headers });
      return { ready: res.ok, detail: await res.json().catch(() => null) };
    } catch {
      return { ready: false, detail: null };
    }
  }
}

/** The file name of a Content-Disposition header: `filename*` (UTF-8) when given, else `filename`. */
export function dispositionFileName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      /* malformed: fall back to the plain name */
    }
  }
  return /filename="([^"]*)"/i.exec(header)?.[1] || null;
}

/** A list response: a bare array or an object holding one under one of `keys`. */
function listOf(body: unknown, ...keys: string[]): Record<string, unknown>[] {
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  if (body && typeof body === 'object') {
    for (const k of keys) {
      const v = (body as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as Record<string, unknown>[];
    }
  }
  return [];
}
