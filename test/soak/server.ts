// The server under soak, in its own process so its RSS is its own: `earshot serve` as a library, on free
// loopback ports, with a throw-away data dir and database. Prints one JSON line with its ports and capacity,
// then serves until SIGTERM (graceful close). Started by ./index.ts; argv[2] = pocketsphinx | compute-20m.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
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

// The main thread's event-loop delay and utilization since the previous SIGUSR2: audio and finals wait there too.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let elu = performance.eventLoopUtilization();
const engineStats = asr as unknown as { stats?: () => Promise<Record<string, unknown>> };

// SIGUSR2: one JSON line with the memory breakdown (MB), so the soak can tell V8 heap from native memory, plus
// the main thread's event loop and the ASR worker's own timing since the previous SIGUSR2.
process.on('SIGUSR2', async () => {
  const m = process.memoryUsage();
  const mb = (b: number) => Math.round(b / 1e6);
  const ms = (ns: number) => Math.round(ns / 1e6);
  const main_thread = {
    utilization: +performance.eventLoopUtilization(elu).utilization.toFixed(2),
    loop_delay_ms: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
  };
  elu = performance.eventLoopUtilization();
  loopDelay.reset();
  const worker = await engineStats.stats?.().catch(() => null);
  process.stdout.write(
    JSON.stringify({
      main_thread,
      asr_worker: worker ?? null,
      rss: mb(m.rss),
      heap_total: mb(m.heapTotal),
      heap_used: mb(m.heapUsed),
      external: mb(m.external),
      array_buffers: mb(m.arrayBuffers),
      rss_by_mapping: rssByMapping(),
      // Each ASR worker's thread and how often it was replaced when idle (engine/worker-recycler.ts).
      asr_workers: (asr as { workerGenerations?: () => unknown }).workerGenerations?.() ?? null,
      active_streams: asr.activeStreams,
    }) + '\n',
  );
});

/**
 * Resident MB per kind of mapping (from /proc/self/smaps): files (code, models), the main heap, 64 MB thread
 * arenas (glibc's per-thread malloc), huge reservations (WASM memories, V8 cage), other anonymous memory.
 */
function rssByMapping(): Record<string, number> {
  const out: Record<string, number> = {};
  let kind = 'other';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const size = (parseInt(head[2]!, 16) - parseInt(head[1]!, 16)) / 1e6;
      const name = head[3] ?? '';
      kind = name.startsWith('/')
        ? 'files'
        : name === '[heap]'
          ? 'main_heap'
          : size >= 1000
            ? 'huge_reservations'
            : size >= 60
              ? 'thread_arenas_64mb'
              : name || 'anon_other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] = (out[kind] ?? 0) + Number(rss[1]) / 1000;
  }
  for (const k of Object.keys(out)) out[k] = Math.round(out[k]!);
  return out;
}

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void h.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
