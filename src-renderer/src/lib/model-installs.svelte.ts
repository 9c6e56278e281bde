// Model installs started from the UI (onboarding, Settings): starts `POST /v1/models/:id/pull` and polls
// `GET /v1/models/:id/pull` until it ends, keeping each model's progress and error as Svelte state. The engine
// does the downloading (resume, sha256); this only follows it. A failure for want of a network sets `offline`
// so views can say so once and show how to install a model downloaded elsewhere.
import { isOfflineError } from './model-guide.js';
import type { PullProgress, RestClient } from './rest-client.js';

/** How often a running install is asked for its progress. */
export const PULL_POLL_MS = 400;

export class ModelInstalls {
  /** Installs in progress, by model id. */
  progress: Record<string, PullProgress> = $state({});
  /** The last failure of each model's install, as a sentence. */
  errors: Record<string, string> = $state({});
  /** A download failed because the download server could not be reached. */
  offline = $state(false);
  private stopped = false;

  constructor(
    private readonly rest: Pick<RestClient, 'startModelPull' | 'modelPull'>,
    private readonly pollMs = PULL_POLL_MS,
  ) {}

  /** Installs the model; resolves when the install ended (true: done). */
  async install(id: string): Promise<boolean> {
    delete this.errors[id];
    let ok = false;
    try {
      let p = await this.rest.startModelPull(id);
      this.progress[id] = p;
      while (!this.stopped && (p.state === 'downloading' || p.state === 'verifying')) {
        await new Promise((r) => setTimeout(r, this.pollMs));
        p = await this.rest.modelPull(id);
        this.progress[id] = p;
      }
      if (p.state === 'error') this.fail(id, p.error ?? 'unknown error');
      ok = p.state === 'done';
    } catch (err) {
      this.fail(id, (err as Error).message);
    }
    delete this.progress[id];
    return ok;
  }

  /** Stop polling (the view went away); the engine carries on with the download. */
  stop(): void {
    this.stopped = true;
  }

  private fail(id: string, message: string): void {
    this.errors[id] = `Install of ${id} failed: ${message}`;
    if (isOfflineError(message)) this.offline = true;
  }
}

/** "Downloading 42% (1.2 MB of 3.0 MB)" / "Verifying…". */
export function pullLabel(p: PullProgress): string {
  if (p.state === 'verifying') return 'Verifying…';
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return p.total
    ? `Downloading ${Math.floor((p.received / p.total) * 100)}% (${mb(p.received)} of ${mb(p.total)})`
    : `Downloading ${mb(p.received)}`;
}
