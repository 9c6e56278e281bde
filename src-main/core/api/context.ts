// What every transport (WS, REST, gRPC, sessions routes) is handed: the engine and store below it, and the
// API layer's own policies. Built once by startServer (or the Electron main process) and shared.
import type { Logger } from 'pino';
import type { Engine } from '../engine/types.js';
import type { Store } from '../store/types.js';
import type { Admission } from '../sessions/admission.js';
import type { AuthPolicy } from './auth.js';
import type { Limits, StreamSlots } from './limits.js';
import type { ApiMetrics } from './metrics.js';

export interface ApiContext {
  engine: Engine;
  /** Null when running without a database (finals are then never stored). */
  store: Store | null;
  auth: AuthPolicy;
  limits: Limits;
  /** Concurrent stream slots shared by WS and gRPC (`limits.maxConcurrentStreams`). */
  streams: StreamSlots;
  /** Live ASR streams admitted by measured engine capacity, and batch-job slots (sessions/admission.ts). */
  admission: Admission;
  metrics: ApiMetrics;
  logger: Logger;
}
