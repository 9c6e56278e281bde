// The two gRPC servers of docs/PROTOCOL.md: SpeechRecognition on the ASR port (default 50052) and
// TextToSpeech on the TTS port (default 50051), each with the standard grpc.health.v1.Health service
// (grpc-health-check). Health says NOT_SERVING until the engine is loaded and warmed, then SERVING.
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { ApiContext } from '../context.js';
import { speechRecognitionService } from './asr-service.js';
import { earshotPackageDefinition, loadEarshotProtos } from './proto.js';
import { textToSpeechService } from './tts-service.js';
import { withTolerantDecoding } from './undecodable.js';

export const DEFAULT_GRPC_ASR_PORT = 50052;
export const DEFAULT_GRPC_TTS_PORT = 50051;
export const ASR_SERVICE_NAME = 'earshot.v1.SpeechRecognition';
export const TTS_SERVICE_NAME = 'earshot.v1.TextToSpeech';

export interface GrpcOptions {
  host: string;
  /** 0 = any free port (tests). */
  asrPort: number;
  ttsPort: number;
}

export interface RunningGrpc {
  asrPort: number;
  ttsPort: number;
  /** Graceful shutdown (calls in flight may finish for up to `graceMs`), then forced. */
  close(graceMs?: number): Promise<void>;
}

function bind(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(new Error(`gRPC cannot listen on ${address}: ${err.message}`)) : resolve(bound),
    ),
  );
}

function shutdown(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

export async function startGrpc(ctx: ApiContext, opts: GrpcOptions): Promise<RunningGrpc> {
  const pkg = loadEarshotProtos();
  // Whole-file Transcribe requests may be as large as a REST upload; streaming chunks are checked against
  // limits.maxFrameBytes by the service itself, with a specific error.
  const asr = new grpc.Server({ 'grpc.max_receive_message_length': ctx.limits.maxUploadBytes });
  const tts = new grpc.Server({
    'grpc.max_receive_message_length': Math.max(ctx.limits.maxFrameBytes, ctx.limits.maxTtsTextChars * 4 + 4096),
  });

  const asrHealth = new HealthImplementation({ '': 'NOT_SERVING', [ASR_SERVICE_NAME]: 'NOT_SERVING' });
  const ttsHealth = new HealthImplementation({ '': 'NOT_SERVING', [TTS_SERVICE_NAME]: 'NOT_SERVING' });
  asr.addService(withTolerantDecoding(pkg.SpeechRecognition.service), speechRecognitionService(ctx));
  tts.addService(withTolerantDecoding(pkg.TextToSpeech.service), textToSpeechService(ctx));
  asrHealth.addToServer(asr);
  ttsHealth.addToServer(tts);
  // Server reflection (grpc.reflection.v1 and v1alpha) so grpcurl, Postman and other generic clients can list
  // and call the services without a copy of the .proto files.
  const reflection = new ReflectionService(earshotPackageDefinition());
  reflection.addToServer(asr);
  reflection.addToServer(tts);

  let closed = false;
  ctx.engine.ready.then(
    () => {
      if (closed) return;
      for (const name of ['', ASR_SERVICE_NAME]) asrHealth.setStatus(name, 'SERVING');
      for (const name of ['', TTS_SERVICE_NAME]) ttsHealth.setStatus(name, 'SERVING');
    },
    (err: unknown) => ctx.logger.error({ err }, 'engine failed to start; gRPC health stays NOT_SERVING'),
  );

  let asrPort: number;
  let ttsPort: number;
  try {
    asrPort = await bind(asr, opts.host, opts.asrPort);
    ttsPort = await bind(tts, opts.host, opts.ttsPort);
  } catch (err) {
    asr.forceShutdown();
    tts.forceShutdown();
    throw err;
  }
  ctx.logger.info({ asrPort, ttsPort, host: opts.host }, 'gRPC listening');
  return {
    asrPort,
    ttsPort,
    async close(graceMs = 2000) {
      if (closed) return;
      closed = true;
      for (const name of ['', ASR_SERVICE_NAME]) asrHealth.setStatus(name, 'NOT_SERVING');
      for (const name of ['', TTS_SERVICE_NAME]) ttsHealth.setStatus(name, 'NOT_SERVING');
      await Promise.all([shutdown(asr, graceMs), shutdown(tts, graceMs)]);
    },
  };
}
