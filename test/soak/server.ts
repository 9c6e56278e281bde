// The server under soak, in its own process so its RSS is its own: `earshot serve` as a library, on free
// loopback ports, with a throw-away data dir and database. Prints one JSON line with its ports and capacity,
// then serves until SIGTERM (graceful close). Started by ./index.ts; argv[2] = pocketsphinx | compute-20m.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

const backend = process.argv[2] ?? 'pocketsphinx';
const dataDir = mkdtempSync(join(tmpdir(), 'earshot-soak-'));
process.env.EARSHOT_DATA_DIR = dataDir;
const { startHeadless } = await import('../../src-main/headless.js');

const h = await startHeadless({
  host: '127.0.0.1',
  asrPort: 0,
  ttsPort: 0,
  grpc: false,
  ...(backend === 'pocketsphinx' ? { engine: 'pocketsphinx' as const } : { engine: 'sherpa' as const, model: backend }),
  db: join(dataDir, 'soak.db'),
  logger: pino({ level: 'silent' }),
});
await h.engine.ready;
const asr = h.engine.asr(backend === 'pocketsphinx' ? { backend: 'pocketsphinx' } : { model: backend });
process.stdout.write(
  JSON.stringify({
    asrPort: h.server.asrPort,
    ttsPort: h.server.ttsPort,
    token: h.token,
    model: asr.modelId,
    capacity: { ...asr.capacity(), admitted: h.server.ctx.admission.liveCapacity(asr) },
  }) + '\n',
);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void h.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
