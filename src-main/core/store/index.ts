// Transcript store (layer 3): SQLite sessions, segments and full-text search, plus export formats.
export { openStore, defaultDbPath, DEFAULT_DB_FILE, type OpenStoreOptions } from './sqlite-store.js';
export * from './types.js';
export { migrations, migrate, SCHEMA_VERSION, type Migration } from './migrations.js';
export { toFtsQuery } from './fts-query.js';
export * from './export.js';
export * from './session-json.js';
export * from './session-title.js';
export * from './export-file-name.js';
