// Moved to rest-errors.ts (the envelope serves every REST route, not only OpenAI's). Kept as a re-export for
// branches written before the move; the lead removes it once they are merged.
export * from './rest-errors.js';
