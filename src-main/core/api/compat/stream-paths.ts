// WebSocket paths of the cloud protocols Earshot serves, by the handler that serves them. A leaf module: the
// upgrade router (route-access.ts) matches them exactly as it matches Earshot's own stream paths.
export const COMPAT_STREAM_PATHS = Object.freeze({
  '/v1/listen': 'deepgram-listen',
  '/v1/speak': 'deepgram-speak',
  '/v1/ai/speech/stream': 'lmnt-speech',
} as const);

export type CompatStreamKind = (typeof COMPAT_STREAM_PATHS)[keyof typeof COMPAT_STREAM_PATHS];
