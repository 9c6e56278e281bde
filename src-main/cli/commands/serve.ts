// `earshot serve`: the engine and the local API without Electron (servers, CI, other tools, a plain browser).
// SIGINT/SIGTERM/SIGHUP shut down gracefully (headless.ts close(): no new work, every stream's final sent and
// stored, REST work finished or cut, bounded in time, then the store and the engine close); copies of the first
// signal that arrive together (Ctrl-C under `npm start`) are one stop: see stop-signals.ts.
import type { Command } from 'commander';
import { DEFAULT_GRPC_ASR_PORT, DEFAULT_GRPC_TTS_PORT } from '../../core/api/index.js';
import { DEFAULT_ASR_PORT, DEFAULT_TTS_PORT } from '../../core/api/index.js';
import { openInBrowser, startHeadless } from '../../headless.js';
import { checkOutputFile, CliError, describeError } from '../errors.js';
import { onStopSignals } from '../../stop-signals.js';

function port(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number 0-65535, got "${v}"`);
    return n;
  };
}

interface ServeOptions {
  host: string;
  portAsr: number;
  portTts: number;
  grpcAsr: number;
  grpcTts: number;
  grpc: boolean;
  engine?: string;
  model?: string;
  punctModel?: string;
  requireToken?: boolean;
  db?: string;
  store: boolean;
  allowOrigin: string[];
  allowHost: string[];
  open?: boolean;
  wyoming?: number;
  wyomingHost?: string;
  devFixtures?: boolean;
  minLiveStreams?: number;
  /** false with --no-wyoming-zeroconf. */
  wyomingZeroconf?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the engine and the local API (WebSocket, REST, gRPC) and the web UI, without the desktop app')
    .option('--host <address>', 'bind address (non-loopback makes the token mandatory)', '127.0.0.1')
    .option('--port-asr <port>', 'HTTP + WebSocket port for ASR (and the web UI)', port('--port-asr'), DEFAULT_ASR_PORT)
    .option('--port-tts <port>', 'HTTP + WebSocket port for TTS', port('--port-tts'), DEFAULT_TTS_PORT)
    .option('--grpc-asr <port>', 'gRPC SpeechRecognition port', port('--grpc-asr'), DEFAULT_GRPC_ASR_PORT)
    .option('--grpc-tts <port>', 'gRPC TextToSpeech port', port('--grpc-tts'), DEFAULT_GRPC_TTS_PORT)
    .option('--no-grpc', 'do not start the gRPC servers')
    .option('--engine <backend>', 'ASR backend: sherpa or pocketsphinx (default: every installed one)')
    .option(
      '--model <id>',
      'ASR model id(s), comma-separated (a streaming and an offline one: two-pass captions; see: earshot models list)',
    )
    .option('--punct-model <id>', 'punctuation model id for finals (default: the installed one, if any)')
    .option('--require-token', 'require the API token from every client, native ones included')
    .option('--db <path>', 'transcript database (default: the user-data earshot.db)')
    .option('--no-store', 'run without a transcript database (finals are never stored)')
    .option('--allow-origin <origin>', 'also accept this browser origin (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--allow-host <host>', 'also accept this Host name (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--open', 'print a one-time URL of the web UI with the token, and open it in the browser (BROWSER=none: only print it)')
    .option('--dev-fixtures', 'list the synthetic test fixtures in /v1/models and /v1/voices (developers; env EARSHOT_DEV_FIXTURES=1)')
    .option(
      '--wyoming <port>',
      'also serve the Wyoming protocol (Home Assistant speech-to-text and text-to-speech) on this TCP port',
      port('--wyoming'),
    )
    .option('--wyoming-host <address>', 'bind address of the Wyoming port (default: loopback; Wyoming has no authentication)')
    .option('--no-wyoming-zeroconf', 'do not advertise the Wyoming port over mDNS (_wyoming._tcp) for Home Assistant to discover')
    .option('--min-live-streams <n>', 'live streams always admitted, whatever capacity the engine measures (default 1)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error('--min-live-streams must be an integer from 1 to 64');
      return n;
    })
    .action(async (opts: ServeOptions) => {
      if (opts.engine && opts.engine !== 'sherpa' && opts.engine !== 'pocketsphinx')
        throw new Error('--engine must be sherpa or pocketsphinx');
      if (opts.store && opts.db) checkOutputFile(opts.db);
      // A port in use (another Earshot?) or a bad address is said with the flag that changes it.
      const ports = {
        '--port-asr': opts.portAsr,
        '--port-tts': opts.portTts,
        ...(opts.grpc ? { '--grpc-asr': opts.grpcAsr, '--grpc-tts': opts.grpcTts } : {}),
      };
      const app = await startHeadless({
        host: opts.host,
        asrPort: opts.portAsr,
        ttsPort: opts.portTts,
        grpc: opts.grpc ? { asrPort: opts.grpcAsr, ttsPort: opts.grpcTts } : false,
        engine: opts.engine as 'sherpa' | 'pocketsphinx' | undefined,
        model: opts.model,
        punctModel: opts.punctModel,
        requireToken: opts.requireToken,
        db: opts.store ? opts.db : null,
        allowedOrigins: opts.allowOrigin,
        allowedHosts: opts.allowHost,
        wyoming:
          opts.wyoming !== undefined ? { port: opts.wyoming, host: opts.wyomingHost, zeroconf: opts.wyomingZeroconf !== false } : undefined,
        listFixtures: opts.devFixtures === true || undefined,
        ...(opts.minLiveStreams !== undefined ? { limits: { minLiveStreams: opts.minLiveStreams } } : {}),
      }).catch((err: unknown) => {
        throw new CliError(describeError(err, ports));
      });
      const s = app.server;
      const grpc = s.grpcAsrPort !== null ? ` grpc-asr=${s.host}:${s.grpcAsrPort} grpc-tts=${s.host}:${s.grpcTtsPort}` : '';
      const wyoming = s.wyomingPort !== null ? ` wyoming=tcp://${opts.wyomingHost ?? '127.0.0.1'}:${s.wyomingPort}` : '';
      process.stdout.write(`earshot serve: listening asr=${s.asrUrl} tts=${s.ttsUrl}${grpc}${wyoming}\n`);
      if (opts.open) {
        process.stdout.write(`earshot serve: open the web UI at ${app.uiUrl}\n`);
        openInBrowser(app.uiUrl);
      }
      app.engine.ready.then(
        () => process.stdout.write(`earshot serve: ready (${app.engine.readiness().detail})\n`),
        (err: unknown) =>
          process.stderr.write(`earshot serve: engine failed to load: ${err instanceof Error ? err.message : String(err)}\n`),
      );

      onStopSignals({
        stop: (signal) => {
          process.stdout.write(`earshot serve: ${signal}, shutting down (flushing open streams)\n`);
          const started = performance.now();
          app.close().then(
            () => {
              process.stdout.write(`earshot serve: stopped in ${Math.round(performance.now() - started)} ms\n`);
              process.exit(0);
            },
            (err: unknown) => {
              process.stderr.write(`earshot serve: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
              process.exit(1);
            },
          );
        },
        exitNow: (signal) => {
          process.stderr.write(`earshot serve: ${signal} again, exiting now (streams in progress are not finalized)\n`);
          process.exit(1);
        },
      });
      // Keep running until a signal arrives.
      await new Promise<never>(() => undefined);
    });
}
