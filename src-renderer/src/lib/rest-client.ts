// The REST half of the public local API (docs/PROTOCOL.md "REST"), as the UI uses it. Every call carries the
// token; failures become ApiError with the server's own message (`{ error: { code, message } }`) when it sent one.
import type { z } from 'zod';
import {
  EngineList,
  ModelImportResult,
  ModelList,
  PullProgress,
  VoiceList,
  type EngineEntry,
  type ModelEntry,
  type VoiceEntry,
} from '../../../proto/rest-models.js';
import { TokenRotation } from '../../../proto/rest-service.js';
import {
  SegmentJson,
  SessionDetailJson,
  SessionJson,
  SessionList,
  type ExportFormat,
  type SearchHitJson,
  type SessionListQuery,
  type SegmentPatch,
  type SessionPatch,
} from '../../../proto/rest-sessions.js';
import { TranscriptionJob } from '../../../proto/transcription-jobs.js';
import type { ApiConfig } from './api-config.js';

// The UI's names for the contract's shapes (proto/rest-*.ts): what the server sends, field for field.
export type { EngineEntry, ExportFormat, PullProgress };
export type SessionSummary = SessionJson;
export type SessionDetail = SessionDetailJson;
export type SessionSegment = SessionDetailJson['segments'][number];
export type SearchHit = SearchHitJson;
export type ModelInfo = ModelEntry;
export type VoiceInfo = VoiceEntry;
export type { TranscriptionJob };

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

  /** The answer parsed with its proto/ schema: one that does not match the contract is an error, never guessed at. */
  private async json<S extends z.ZodType>(schema: S, path: string, init?: RequestInit): Promise<z.output<S>> {
    const body = schema.safeParse(await (await this.request(path, init)).json());
    if (!body.success) {
      const what = `${init?.method ?? 'GET'} ${path.split('?')[0]}`;
      throw new ApiError(200, 'bad_response', `${what}: unexpected answer (${body.error.issues[0]?.message ?? 'invalid'})`);
    }
    return body.data;
  }

  async listSessions(opts: { limit?: number; offset?: number } = {}): Promise<SessionSummary[]> {
    const query = { limit: opts.limit ?? 100, offset: opts.offset ?? 0 } satisfies SessionListQuery;
    return (await this.json(SessionList, `/v1/sessions?${queryString(query)}`)).data;
  }

  /** Matching segments, newest first (`hits` of `GET /v1/sessions?q=`). */
  async search(q: string, limit = 50): Promise<SearchHit[]> {
    const query = { q, limit } satisfies SessionListQuery;
    return (await this.json(SessionList, `/v1/sessions?${queryString(query)}`)).hits ?? [];
  }

  async getSession(id: string): Promise<SessionDetail> {
    return this.json(SessionDetailJson, `/v1/sessions/${encodeURIComponent(id)}`);
  }

  async rename(id: string, title: string): Promise<SessionSummary> {
    const patch: SessionPatch = { title };
    return this.json(SessionJson, `/v1/sessions/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(patch),
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
    const patch: SegmentPatch = { text };
    return this.json(SegmentJson, `/v1/sessions/${encodeURIComponent(sessionId)}/segments/${encodeURIComponent(String(segmentId))}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(patch),
    });
  }

  /** The catalog's models; OpenAI's alias entries (`whisper-1`…, `alias_of`) are for OpenAI clients, not for the app. */
  async models(): Promise<ModelInfo[]> {
    return (await this.json(ModelList, '/v1/models')).data.filter((m) => m.alias_of === undefined);
  }

  /** The punctuation model the engine applies to finals when `punctuate` is on; null when it has none. */
  async punctuationModel(): Promise<string | null> {
    return (await this.json(ModelList, '/v1/models')).punctuation?.model ?? null;
  }

  /** Starts (or joins) the install of a catalog model on the engine. */
  async startModelPull(id: string): Promise<PullProgress> {
    return this.json(PullProgress, `/v1/models/${encodeURIComponent(id)}/pull`, { method: 'POST' });
  }

  /** `GET /v1/engines`: each speech backend, whether it is in use, and the languages its recognizers caption. */
  async engines(): Promise<EngineEntry[]> {
    return (await this.json(EngineList, '/v1/engines')).data;
  }

  /**
   * `POST /v1/models/import`: installs a model archive the user downloaded elsewhere (picked with a file input);
   * the engine identifies and verifies it against the catalog before installing.
   */
  async importModelFile(file: Blob & { name: string }): Promise<ModelImportResult> {
    return this.json(ModelImportResult, `/v1/models/import?filename=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: file,
    });
  }

  /** `POST /v1/transcription-jobs`: uploads a file to transcribe; the job runs on the engine and is followed with transcriptionJob(). */
  async createTranscriptionJob(file: Blob & { name: string }): Promise<TranscriptionJob> {
    return this.job(`/v1/transcription-jobs?filename=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: file,
    });
  }

  async transcriptionJob(id: string): Promise<TranscriptionJob> {
    return this.job(`/v1/transcription-jobs/${encodeURIComponent(id)}`);
  }

  /** Cancels a queued or running job (the engine stops decoding and removes the partial session). */
  async cancelTranscriptionJob(id: string): Promise<TranscriptionJob> {
    return this.job(`/v1/transcription-jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  private async job(path: string, init?: RequestInit): Promise<TranscriptionJob> {
    return this.json(TranscriptionJob, path, init);
  }

  async modelPull(id: string): Promise<PullProgress> {
    return this.json(PullProgress, `/v1/models/${encodeURIComponent(id)}/pull`);
  }

  /**
   * Rotates the API token (`POST /v1/token/regenerate`) and switches this app to the new one: the config object
   * is shared by every client of the page (REST, WebSocket links), so they all use it from the next request.
   */
  async regenerateToken(): Promise<string> {
    const { token } = await this.json(TokenRotation, '/v1/token/regenerate', { method: 'POST' });
    this.cfg.token = token;
    return token;
  }

  async voices(): Promise<VoiceInfo[]> {
    return (await this.json(VoiceList, '/v1/voices')).data;
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

/** A query object as a URL query string (numbers as their decimal strings, undefined left out). */
function queryString(query: Record<string, string | number | undefined>): URLSearchParams {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
  return qs;
}
