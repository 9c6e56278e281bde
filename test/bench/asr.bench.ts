// ASR throughput: the engine (worker + batching scheduler) vs raw sherpa-onnx-node called directly, both on
// the compute-20m int8 fixture (the CPU cost of a small real streaming model). Audio is fed as fast as it is
// consumed, in 100 ms chunks; RTF = wall time / audio time of ONE stream, so N streams stay real-time while
// RTF < 1. Every stream is flushed at the end (pad, inputFinished, decode), in both paths.
import { availableParallelism } from 'node:os';
import { createEngine, defaultAsrThreads, requireModel, type AsrStream } from '../../src-main/core/engine/index.js';
import { onlineRecognizerConfig } from '../../src-main/core/engine/backends/sherpa/asr-config.js';
import { loadSherpa } from '../../src-main/core/engine/backends/sherpa/native.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

const AUDIO_S = 5;
const CHUNK = 1600;

function audioFor(n: number): Float32Array[] {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
  return Array.from({ length: n }, (_, k) => {
    const a = toneAudio(`${words[k % words.length]} ${words[(k + 1) % words.length]}`, { tail: 0.5 });
    const out = new Float32Array(AUDIO_S * 16000);
    for (let o = 0; o < out.length; o += a.length) out.set(a.subarray(0, Math.min(a.length, out.length - o)), o);
    return out;
  });
}

function rawRtf(n: number): number {
  const sherpa = loadSherpa();
  const rec =
    rawRecognizer ??
    (rawRecognizer = new sherpa.OnlineRecognizer(onlineRecognizerConfig(requireModel('compute-20m'), defaultAsrThreads())));
  const audio = audioFor(n);
  const streams = audio.map(() => rec.createStream());
  const t0 = performance.now();
  for (let i = 0; i < AUDIO_S * 16000; i += CHUNK) {
    streams.forEach((s, k) => s.acceptWaveform({ samples: audio[k]!.subarray(i, i + CHUNK), sampleRate: 16000 }));
    for (;;) {
      const ready = streams.filter((s) => rec.isReady(s));
      if (!ready.length) break;
      if (ready.length === 1) rec.decode(ready[0]!);
      else rec.decodeStreams(ready);
      for (const s of ready) rec.getResult(s);
    }
  }
  for (const s of streams) {
    s.acceptWaveform({ samples: new Float32Array(9600), sampleRate: 16000 });
    s.inputFinished();
    while (rec.isReady(s)) rec.decode(s);
    rec.getResult(s);
  }
  return (performance.now() - t0) / 1000 / AUDIO_S;
}
let rawRecognizer: import('sherpa-onnx-node').OnlineRecognizer | null = null;

async function engineRtf(asrCreate: () => AsrStream, n: number): Promise<number> {
  const audio = audioFor(n);
  const streams = audio.map(() => asrCreate());
  const t0 = performance.now();
  for (let i = 0; i < AUDIO_S * 16000; i += CHUNK) {
    streams.forEach((s, k) => s.write(audio[k]!.subarray(i, i + CHUNK)));
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(streams.map((s) => s.close()));
  return (performance.now() - t0) / 1000 / AUDIO_S;
}

export async function run(): Promise<Record<string, unknown>> {
  const rssBefore = process.memoryUsage().rss;
  const engine = await createEngine({ asr: [{ model: 'compute-20m' }], tts: [] });
  await engine.ready;
  const asr = engine.asr({ model: 'compute-20m' });
  const create = () => asr.createStream({ sampleRate: 16000, vad: false });
  const rssLoaded = process.memoryUsage().rss;
  const rows: Record<string, unknown>[] = [];
  const largest = { engine: 0, raw: 0 };
  const started = Date.now();
  for (const n of [1, 8, 32, 64, 128, 192, 256]) {
    const raw = rawRtf(n);
    const eng = await engineRtf(create, n);
    if (raw < 1) largest.raw = n;
    if (eng < 1) largest.engine = n;
    rows.push({ streams: n, rtf_engine: +eng.toFixed(4), rtf_raw: +raw.toFixed(4), ratio_engine_to_raw: +(eng / raw).toFixed(2) });
    process.stderr.write(`bench asr: ${n} streams: engine RTF ${eng.toFixed(3)}, raw ${raw.toFixed(3)}\n`);
    if ((eng >= 1 && raw >= 1) || Date.now() - started > 120_000) break;
  }
  const rssAll = process.memoryUsage().rss;
  await engine.close();
  return {
    model: 'compute-20m int8 (synthetic, ~0.32 GFLOP per 0.32 s chunk)',
    threads: defaultAsrThreads(),
    cores: availableParallelism(),
    audio_seconds_per_stream: AUDIO_S,
    one_stream: rows[0],
    concurrent: rows,
    largest_realtime_streams: {
      engine: largest.engine,
      raw: largest.raw,
      ratio_engine_to_raw: largest.raw ? +(largest.engine / largest.raw).toFixed(2) : null,
      note: 'largest N tried (1, 8, 32, 64, 128, 192, 256) with RTF < 1',
    },
    rss_mb: {
      before_load: Math.round(rssBefore / 1e6),
      engine_loaded: Math.round(rssLoaded / 1e6),
      after_runs_incl_raw_recognizer: Math.round(rssAll / 1e6),
    },
  };
}
