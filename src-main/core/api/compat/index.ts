// The cloud speech protocols Earshot serves locally, so clients built on their official SDKs work by changing
// only the base URL: Deepgram (listen live + prerecorded, speak REST + live), ElevenLabs (text-to-speech REST,
// speech-to-text REST, voices) and LMNT (the streaming speech socket). Each maps its wire format onto the same
// AsrSession / TtsSession as Earshot's own API: there is no second engine path.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { ApiContext } from '../context.js';
import type { LiveAsrSockets } from '../ws/asr-socket.js';
import type { LiveTtsSockets } from '../ws/tts-socket.js';
import { registerDeepgramListenRoute } from './deepgram/listen-route.js';
import { handleDeepgramListenSocket } from './deepgram/listen-socket.js';
import { registerDeepgramSpeakRoute } from './deepgram/speak-route.js';
import { handleDeepgramSpeakSocket } from './deepgram/speak-socket.js';
import { registerElevenLabsRoutes } from './elevenlabs/routes.js';
import { handleLmntSpeechSocket } from './lmnt/speech-socket.js';
import type { CompatStreamKind } from './stream-paths.js';

export { COMPAT_STREAM_PATHS, type CompatStreamKind } from './stream-paths.js';

/**
 * Streams that authenticate in their first message rather than in the handshake (LMNT's `X-API-Key` field:
 * its SDK cannot set headers); a handshake that lacks only the token is handed to the stream to decide.
 */
export function authenticatesInBand(kind: CompatStreamKind): boolean {
  return kind === 'lmnt-speech';
}

/** API-key headers of the cloud protocols, and Deepgram's browser form: subprotocols `token, <key>`. */
export function compatApiKey(headers: IncomingHttpHeaders): string | null {
  const h = headers['xi-api-key'] ?? headers['x-api-key'];
  if (typeof h === 'string' && h) return h;
  const proto = headers['sec-websocket-protocol'];
  if (typeof proto === 'string') {
    const parts = proto.split(',').map((p) => p.trim());
    if (parts[0]?.toLowerCase() === 'token' && parts[1]) return parts[1];
  }
  return null;
}

export interface CompatLive {
  asr: LiveAsrSockets;
  tts: LiveTtsSockets;
}

export function handleCompatSocket(
  kind: CompatStreamKind,
  ws: WebSocket,
  query: URLSearchParams,
  ctx: ApiContext,
  live: CompatLive,
  release: () => void,
  authorized: boolean,
): void {
  if (kind === 'deepgram-listen') return handleDeepgramListenSocket(ws, query, ctx, live.asr, release);
  if (kind === 'deepgram-speak') return handleDeepgramSpeakSocket(ws, query, ctx, live.tts, release);
  return handleLmntSpeechSocket(ws, ctx, live.tts, release, authorized);
}

/** Fastify plugin with the cloud protocols' REST routes. */
export async function compatRoutes(app: FastifyInstance, opts: { ctx: ApiContext }): Promise<void> {
  registerDeepgramListenRoute(app, opts.ctx);
  registerDeepgramSpeakRoute(app, opts.ctx);
  await registerElevenLabsRoutes(app, opts.ctx);
}
