// The offline (VAD-segmented) recognizer path vs the raw offline recognizer, both on the tone-offline fixture,
// in the same run:
//   - capacity: N streams fed as fast as they are consumed (paced like uploads: at most 8 s waiting); RTF = wall
//     time / audio time of ONE stream. The raw side decodes each stream's utterances once, whole (the least any
//     offline path can do); the engine also re-decodes growing segments for interims and probes for endpoints,
//     so it reports what that costs in decoded audio per second too.
//   - final latency after the end of speech: one stream fed in real time; wall ms from the moment the audio
//     holding `endpointing` ms of silence after the last tone was written to the final, vs the raw recognizer's
//     decode time of the same utterance; and flush latency (flush() to its final) vs the same raw decode.
// tone-offline is cheap (a few matrix products per frame), so these figures measure the path's overhead and
// scheduling, not a real model's compute; with a real model both sides scale with its decode cost.
import { availableParallelism } from 'node:os';
import { createEngine, defaultAsrThreads, requireModel, type AsrStream, type SherpaAsrEngine } from '../../src-main/core/engine/index.js';
import { offlineRecognizerConfig } from '../../src-main/core/engine/backends/sherpa/offline-asr-config.js';
import { loadSherpa } from '../../src-main/core/engine/backends/sherpa/native.js';
import '../helpers/fixtures.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

const MODEL = 'tone-offline';
const AUDIO_S = 10;
const CHUNK = 1600;
const ENDPOINTING_MS = 600;
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];

function utterance(k: number): Float32Array {
  return toneAudio(`${WORDS[k % WORDS.length]} ${WORDS[(k + 1) % WORDS.length]}`, { tail: 1 });
}

/** AUDIO_S of utterances separated by 1 s silences, and where each utterance starts and ends (samples). */
function streamAudio(k: number): { samples: Float32Array; spans: [number, number][] } {
  const samples = new Float32Array(AUDIO_S * 16000);
  const spans: [number, number][] = [];
  for (let o = 0, j = k; o < samples.length; j++) {
    const a = utterance(j);
    if (o + a.length > samples.length) break;
    samples.set(a, o);
    spans.push([o, o + a.length]);
    o += a.length;
  }
  return { samples, spans };
}

let raw: import('sherpa-onnx-node').OfflineRecognizer | null = null;
function rawRecognizer() {
  return (raw ??= new (loadSherpa().OfflineRecognizer)(offlineRecognizerConfig(requireModel(MODEL), defaultAsrThreads())));
}

async function rawRtf(n: number): Promise<number> {
  const rec = rawRecognizer();
  const audio = Array.from({ length: n }, (_, k) => streamAudio(k));
  const t0 = performance.now();
  // Every utterance of every stream, decoded once, the same way the engine does (thread pool, 2 at once).
  const jobs = audio.flatMap((a) => a.spans.map(([from, to]) => a.samples.subarray(from, to)));
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const s = rec.createStream();
      s.acceptWaveform({ samples: jobs[next++]!, sampleRate: 16000 });
      await rec.decodeAsync(s);
    }
  };
  await Promise.all([worker(), worker()]);
  return (performance.now() - t0) / 1000 / AUDIO_S;
}

async function engineRtf(create: () => AsrStream, n: number): Promise<number> {
  const audio = Array.from({ length: n }, (_, k) => streamAudio(k).samples);
  const streams = audio.map(() => create());
  const t0 = performance.now();
  for (let i = 0; i < AUDIO_S * 16000; i += CHUNK) {
    streams.forEach((s, k) => s.write(audio[k]!.subarray(i, i + CHUNK)));
    await Promise.all(streams.map((s) => s.drained(8000)));
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(streams.map((s) => s.close()));
  return (performance.now() - t0) / 1000 / AUDIO_S;
}

async function latency(create: (endpointingMs: number | false) => AsrStream) {
  const speech = toneAudio('hello world', { tail: 0 });
  const rec = rawRecognizer();
  const rawStart = performance.now();
  const s = rec.createStream();
  s.acceptWaveform({ samples: speech, sampleRate: 16000 });
  await rec.decodeAsync(s);
  const rawMs = performance.now() - rawStart;

  // Endpoint: real-time feed of the speech then silence; latency from the write that completed the silence.
  const stream = create(ENDPOINTING_MS);
  const audio = new Float32Array(speech.length + 16000 * 2.5);
  audio.set(speech);
  const silenceDoneAt = speech.length + (ENDPOINTING_MS * 16000) / 1000;
  let completedAt = 0;
  const final = new Promise<number>((resolve) => stream.on('final', () => resolve(performance.now())));
  for (let i = 0; i < audio.length; i += CHUNK) {
    stream.write(audio.subarray(i, i + CHUNK));
    if (!completedAt && i + CHUNK >= silenceDoneAt) completedAt = performance.now();
    await new Promise((r) => setTimeout(r, 100));
  }
  const endpointMs = (await final) - completedAt;
  await stream.close();

  // Flush: the speech and a little silence, then flush(); latency to its final.
  const flushed = create(false);
  flushed.write(speech.slice());
  flushed.write(new Float32Array(3200));
  await flushed.drained(500);
  const f0 = performance.now();
  await flushed.flush();
  const flushMs = performance.now() - f0;
  await flushed.close();
  return { rawMs, endpointMs, flushMs };
}

export async function run(): Promise<Record<string, unknown>> {
  const engine = await createEngine({ asr: [{ model: MODEL }], tts: [], vad: false });
  await engine.ready;
  const asr = engine.asr({ model: MODEL }) as SherpaAsrEngine;
  const create = () => asr.createStream({ sampleRate: 16000, endpointingMs: ENDPOINTING_MS, vad: false });
  const rows: Record<string, unknown>[] = [];
  const largest = { engine: 0, raw: 0 };
  const started = Date.now();
  for (const n of [1, 4, 16, 32, 64]) {
    const before = await asr.stats();
    const eng = await engineRtf(create, n);
    const after = await asr.stats();
    const r = await rawRtf(n);
    if (r < 1) largest.raw = n;
    if (eng < 1) largest.engine = n;
    const decodedPerSecond = (after.decodedAudioMs! - before.decodedAudioMs!) / (after.writtenAudioMs! - before.writtenAudioMs!);
    rows.push({
      streams: n,
      rtf_engine: +eng.toFixed(4),
      rtf_raw: +r.toFixed(4),
      ratio_engine_to_raw: +(eng / r).toFixed(2),
      engine_decoded_audio_per_audio_second: +decodedPerSecond.toFixed(2),
      largest_concurrent_decodes: after.largestBatch,
    });
    process.stderr.write(`bench offline: ${n} streams: engine RTF ${eng.toFixed(3)}, raw ${r.toFixed(3)}\n`);
    if ((eng >= 1 && r >= 1) || Date.now() - started > 120_000) break;
  }
  const lat = await latency((endpointingMs) => asr.createStream({ sampleRate: 16000, endpointingMs, vad: false }));
  await engine.close();
  return {
    model: `${MODEL} (synthetic offline zipformer CTC; cheap: measures the path, not a model's compute)`,
    threads: defaultAsrThreads(),
    cores: availableParallelism(),
    audio_seconds_per_stream: AUDIO_S,
    concurrent: rows,
    largest_realtime_streams: {
      engine: largest.engine,
      raw: largest.raw,
      ratio_engine_to_raw: largest.raw ? +(largest.engine / largest.raw).toFixed(2) : null,
      note: 'largest N tried (1, 4, 16, 32, 64) with RTF < 1',
    },
    final_latency: {
      endpointing_ms: ENDPOINTING_MS,
      after_endpoint_silence_ms: Math.round(lat.endpointMs),
      flush_ms: Math.round(lat.flushMs),
      raw_decode_ms: +lat.rawMs.toFixed(2),
      ratio_flush_to_raw: +(lat.flushMs / Math.max(lat.rawMs, 0.01)).toFixed(2),
      ratio_endpoint_to_raw: +(lat.endpointMs / Math.max(lat.rawMs, 0.01)).toFixed(2),
      note: 'endpoint: wall ms from writing the audio that completes the endpointing silence (probes every 320 ms of audio) to the final',
    },
  };
}
