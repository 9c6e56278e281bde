// Test harness for the gRPC and REST slice: a real engine, a real ApiContext, the gRPC servers and a Fastify
// instance with the REST routes, all on ephemeral loopback ports. Not a test file itself (no .test.ts).
import { Admission } from '../../src-main/core/sessions/index.js';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createAuthPolicy } from '../../src-main/core/api/auth.js';
import type { ApiContext } from '../../src-main/core/api/context.js';
import { resolveLimits, StreamSlots, type Limits } from '../../src-main/core/api/limits.js';
import { ApiMetrics } from '../../src-main/core/api/metrics.js';
import { WorkInProgress } from '../../src-main/core/api/work-in-progress.js';
import { TokenBoundStreams } from '../../src-main/core/api/token-bound.js';
import { startGrpc, type RunningGrpc } from '../../src-main/core/api/grpc/server.js';
import { ASR_PROTO, LOADER_OPTIONS, TTS_PROTO } from '../../src-main/core/api/grpc/proto.js';
import { restRoutes } from '../../src-main/core/api/http/rest-routes.js';
import { createEngine, type EngineConfig, type Engine } from '../../src-main/core/engine/index.js';

export const TOKEN = 'test-token-0123456789abcdef0123456789';

export interface Harness {
  ctx: ApiContext;
  engine: Engine;
  grpc: RunningGrpc;
  http: FastifyInstance;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startHarness(opts: {
  engine: EngineConfig;
  requireToken?: boolean;
  limits?: Partial<Limits>;
  /** Start serving before the engine is warm (readiness tests). */
  awaitReady?: boolean;
  /** List fixture models/voices (the developer switch); default false, as for users. */
  listFixtures?: boolean;
}): Promise<Harness> {
  const engine = await createEngine({ vad: false, ...opts.engine });
  if (opts.awaitReady ?? true) await engine.ready;
  const limits = resolveLimits(opts.limits);
  const ctx: ApiContext = {
    engine,
    store: null,
    auth: createAuthPolicy({ token: TOKEN, requireToken: opts.requireToken ?? false }),
    limits,
    streams: new StreamSlots(limits.maxConcurrentStreams),
    tokenBound: new TokenBoundStreams(),
    admission: new Admission({
      maxLiveStreams: limits.maxConcurrentStreams,
      minLiveStreams: limits.minLiveStreams,
      maxBatchJobs: limits.maxBatchJobs,
    }),
    metrics: new ApiMetrics({ defaultMetrics: false }),
    logger: pino({ level: 'silent' }),
    listFixtures: opts.listFixtures ?? false,
    work: new WorkInProgress(),
  };
  const running = await startGrpc(ctx, { host: '127.0.0.1', asrPort: 0, ttsPort: 0 });
  const http = Fastify({ bodyLimit: 1024 * 1024 });
  await http.register(restRoutes, { ctx });
  await http.listen({ host: '127.0.0.1', port: 0 });
  const addr = http.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    ctx,
    engine,
    grpc: running,
    http,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await running.close(500);
      await http.close();
      await engine.close();
    },
  };
}

/** Clients generated at run time from proto/*.proto, as any Node client would. */
export function grpcClients(h: Harness, token?: string) {
  const def = protoLoader.loadSync([ASR_PROTO, TTS_PROTO], LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as any;
  const creds = grpc.credentials.createInsecure();
  const options = token
    ? {
        interceptors: [
          (o: any, next: any) =>
            new grpc.InterceptingCall(next(o), {
              start(md, listener, nxt) {
                md.set('authorization', `Bearer ${token}`);
                nxt(md, listener);
              },
            }),
        ],
      }
    : {};
  const asr = new pkg.earshot.v1.SpeechRecognition(`127.0.0.1:${h.grpc.asrPort}`, creds, options);
  const tts = new pkg.earshot.v1.TextToSpeech(`127.0.0.1:${h.grpc.ttsPort}`, creds, options);
  return {
    asr,
    tts,
    close() {
      asr.close();
      tts.close();
    },
  };
}

/** Promise form of a unary call. */
export function unary<T>(client: any, method: string, req: unknown, metadata = new grpc.Metadata()): Promise<T> {
  return new Promise((resolve, reject) => client[method](req, metadata, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

/** Collects every message of a server stream; rejects with the call's error status. */
export function collect<T>(call: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    call.on('data', (m: T) => out.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
}

/** Float samples → s16le bytes. */
export function toS16(samples: Float32Array): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32767))), i * 2);
  return b;
}
