// Memory per ASR stream, per backend: process RSS with the engine loaded, after each added stream (each has
// decoded 1 s of audio, so its decoder state exists), and after every stream has closed. The figure that
// matters is `after_close_vs_loaded`: memory must come back when streams leave (pocketsphinx decoders are
// pooled and freed with malloc_trim; see native/addon.c). Streams are admitted up to each engine's measured
// capacity in the server, so `per_stream_mb × capacity` is the most live ASR can take. `after_idle_recycle_vs_loaded`:
// after the engine's idle worker was replaced by a fresh one (EARSHOT_WORKER_RECYCLE_MS after the last close).
import { createEngine, type AsrStream } from '../../src-main/core/engine/index.js';
import { recycleIdleMsFromEnv } from '../../src-main/core/engine/worker-recycler.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

const mb = (b: number) => Math.round(b / 1e5) / 10;
const rss = () => process.memoryUsage().rss;

async function measure(
  label: string,
  config: Parameters<typeof createEngine>[0],
  select: { backend?: 'pocketsphinx'; model?: string },
  streams: number,
) {
  const engine = await createEngine({ ...config, tts: [], vad: false });
  await engine.ready;
  const asr = engine.asr(select);
  const audio = toneAudio('alpha bravo charlie', { tail: 0.3 }).subarray(0, 16000);
  await settle();
  const loaded = rss();
  const open: AsrStream[] = [];
  const curve: number[] = [];
  for (let i = 0; i < streams; i++) {
    const s = asr.createStream({ sampleRate: 16000, vad: false });
    s.write(audio);
    await s.flush();
    open.push(s);
    curve.push(mb(rss()));
    process.stderr.write(`bench memory ${label}: ${i + 1} streams, RSS ${curve.at(-1)} MB\n`);
  }
  const peak = rss();
  await Promise.all(open.map((s) => s.close()));
  await settle();
  const afterClose = rss();
  // Once idle for the recycle time, the worker that grew is replaced by a fresh one (engine/worker-recycler.ts).
  const recycled = await workerReplaced(asr);
  await settle();
  const afterRecycle = rss();
  const capacity = asr.capacity();
  await engine.close();
  await settle();
  return {
    streams,
    rss_loaded_mb: mb(loaded),
    rss_mb_by_streams: curve,
    per_stream_mb: mb((peak - loaded) / streams),
    rss_after_close_mb: mb(afterClose),
    after_close_vs_loaded: +(afterClose / loaded).toFixed(2),
    worker_recycled: recycled,
    rss_after_idle_recycle_mb: mb(afterRecycle),
    after_idle_recycle_vs_loaded: +(afterRecycle / loaded).toFixed(2),
    rss_after_engine_close_mb: mb(rss()),
    measured_capacity: capacity,
  };
}

/** Wait (at most the recycle time + 60 s: a fresh worker loads at low priority) until every worker of `asr` was replaced once. */
async function workerReplaced(asr: object): Promise<boolean> {
  const generations = (asr as { workerGenerations?: () => { generation: number }[] }).workerGenerations?.bind(asr);
  if (!generations) return false;
  const deadline = Date.now() + recycleIdleMsFromEnv() + 60_000;
  while (Date.now() < deadline) {
    if (generations().every((g) => g.generation > 0)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 1500));
}

export async function run(): Promise<Record<string, unknown>> {
  return {
    pocketsphinx: await measure(
      'pocketsphinx',
      { asr: [{ backend: 'pocketsphinx' }], pocketsphinxWorkers: 1 },
      { backend: 'pocketsphinx' },
      6,
    ),
    'compute-20m': await measure('compute-20m', { asr: [{ model: 'compute-20m' }] }, { model: 'compute-20m' }, 16),
  };
}
