// What every transport (WS, REST, gRPC, sessions routes) is handed: the engine and store below it, and the
// API layer's own policies. Built once by startServer (or the Electron main process) and shared.
import type { Logger } from 'pino';
import type { Engine } from '../engine/index.js';
import type { Store } from '../store/index.js';
import type { Admission } from '../sessions/index.js';
import type { AuthPolicy } from './auth.js';
import type { Limits, StreamSlots } from './limits.js';
import type { ApiMetrics } from './metrics.js';
import type { WorkInProgress } from './work-in-progress.js';
import type { TokenBoundStreams } from './token-bound.js';

export interface ApiContext {
  engine: Engine;
  /** Null when running without a database (finals are then never stored). */
  store: Store | null;
  /** Where session recordings (`record=true`) are kept: `recordings/` beside the database; null without a database file. */
  recordingsDir?: string | null;
  auth: AuthPolicy;
  limits: Limits;
  /** Concurrent stream slots shared by WS and gRPC (`limits.maxConcurrentStreams`). */
  streams: StreamSlots;
  /** Live ASR streams admitted by measured engine capacity, and batch-job slots (sessions/admission.ts). */
  admission: Admission;
  metrics: ApiMetrics;
  /** Streams opened with a token, ended (4401 / UNAUTHENTICATED) when the token is rotated. */
  tokenBound: TokenBoundStreams;
  logger: Logger;
  /** List fixture models and voices (developer switch; see engine/models/fixture-listing.ts). Default false. */
  listFixtures: boolean;
  /** Streams and requests in progress, so a stop can finish (or cut) every one before the store and engine close. */
  work: WorkInProgress;
}
