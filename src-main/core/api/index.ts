// The API layer's public surface: what headless.ts, the shell and the CLI may use. Code outside the core imports
// the api layer only through this file (test/unit/layering.test.ts).
export {
  startServer,
  DEFAULT_ASR_PORT,
  DEFAULT_TTS_PORT,
  DEFAULT_STOP_GRACE_MS,
  type ServerOptions,
  type RunningServer,
} from './server.js';
export { DEFAULT_GRPC_ASR_PORT, DEFAULT_GRPC_TTS_PORT } from './grpc/server.js';
export { DEFAULT_LIMITS, resolveLimits, type Limits } from './limits.js';
export { TOKEN_FILE, tokenPath, loadOrCreateToken } from './auth.js';
