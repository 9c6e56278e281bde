// API overhead: the same work over loopback WebSocket (startServer + a `ws` client) and by calling the engine
// in-process, measured in the same run. Figures: final latency after flush, interim latency per 100 ms chunk,
// TTS time to first audio, and how many real-time ASR streams keep up (compute-20m fixture).
import { WebSocket } from 'ws';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { float32ToS16le } from '../../src-main/core/audio/index.js';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { createEngine, requestSentences, type Engine } from '../../src-main/core/engine/index.js';

const TOKEN = 'bench-token-0123456789abcdefghijklmnop';
const RATE = 16000;
const CHUNK = RATE / 10; // 100 ms

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
}
const stats = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), n: xs.length });
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
function compare(ws: number[], engine: number[]) {
  const w = stats(ws);
  const e = stats(engine);
  return {
    websocket_ms: w,
    engine_ms: e,
    ratio_p50: ratio(w.p50, e.p50),
    ratio_p95: ratio(w.p95, e.p95),
    overhead_p50_ms: Math.round((w.p50 - e.p50) * 10) / 10,
  };
}

/** A connected WS client with a queue of JSON messages. */
async function open(url: string) {
  const ws = new WebSocket(url);
  const json: { at: number; m: any }[] = [];
  const binary: number[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (d, isBinary) => {
    const at = performance.now();
    if (isBinary) binary.push(at);
    else json.push({ at, m: JSON.parse(d.toString()) });
    for (const l of listeners) l();
  });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  const until = (pred: () => boolean) =>
    new Promise<void>((res) => {
      if (pred()) return res();
      const l = () => {
        if (pred()) {
          listeners.delete(l);
          res();
        }
      };
      listeners.add(l);
    });
  return { ws, json, binary, until };
}

function chunks(audio: Float32Array): Float32Array[] {
  const out: Float32Array[] = [];
  for (let o = 0; o < audio.length; o += CHUNK) out.push(audio.subarray(o, o + CHUNK));
  return out;
}

async function finalAfterFlush(server: RunningServer, engine: Engine, reps: number) {
  const phrase = toneAudio('hello world', { tail: 0.2 });
  const ws: number[] = [];
  const inproc: number[] = [];
  const c = await open(`ws://127.0.0.1:${server.asrPort}/v1/audio/stream?model=tone-alphabet&endpointing=false`);
  await c.until(() => c.json.some((x) => x.m.type === 'ready'));
  for (let i = 0; i < reps; i++) {
    c.ws.send(float32ToS16le(phrase));
    await sleep(300); // let decoding catch up: what is measured is the flush itself
    const before = c.json.length;
    const t = performance.now();
    c.ws.send(JSON.stringify({ type: 'flush' }));
    await c.until(() => c.json.slice(before).some((x) => x.m.type === 'transcript' && x.m.is_final));
    ws.push(c.json.slice(before).find((x) => x.m.is_final)!.at - t);
  }
  c.ws.close();
  const asr = engine.asr({ model: 'tone-alphabet' });
  const stream = asr.createStream({ sampleRate: RATE, endpointingMs: false });
  for (let i = 0; i < reps; i++) {
    stream.write(phrase);
    await sleep(300);
    const t = performance.now();
    await stream.flush();
    inproc.push(performance.now() - t);
  }
  await stream.close();
  return compare(ws, inproc);
}

/** Latency from sending a 100 ms chunk to the interim that covers it, streaming at real-time pace. */
async function interimLatency(server: RunningServer, engine: Engine) {
  const audio = toneAudio('the quick brown fox jumps over the lazy dog', { tail: 0.3 });
  const parts = chunks(audio);
  const ws: number[] = [];
  const c = await open(`ws://127.0.0.1:${server.asrPort}/v1/audio/stream?model=tone-alphabet&endpointing=false`);
  await c.until(() => c.json.some((x) => x.m.type === 'ready'));
  const sentAt: number[] = [];
  for (const p of parts) {
    sentAt.push(performance.now());
    c.ws.send(float32ToS16le(p));
    await sleep(100);
  }
  for (const { at, m } of c.json) {
    if (m.type !== 'transcript' || m.is_final) continue;
    const idx = Math.min(sentAt.length - 1, Math.max(0, Math.ceil(m.end_ms / 100) - 1));
    ws.push(at - sentAt[idx]!);
  }
  c.ws.close();
  const inproc: number[] = [];
  const stream = engine.asr({ model: 'tone-alphabet' }).createStream({ sampleRate: RATE, endpointingMs: false });
  const sent: number[] = [];
  stream.on('partial', (p) => {
    const idx = Math.min(sent.length - 1, Math.max(0, Math.ceil(p.endMs / 100) - 1));
    inproc.push(performance.now() - sent[idx]!);
  });
  for (const p of parts) {
    sent.push(performance.now());
    stream.write(p);
    await sleep(100);
  }
  await stream.close();
  return compare(ws, inproc);
}

async function ttsFirstAudio(server: RunningServer, engine: Engine, reps: number) {
  const text = 'Hello there.';
  const ws: number[] = [];
  const c = await open(`ws://127.0.0.1:${server.ttsPort}/v1/audio/stream`);
  for (let i = 0; i < reps; i++) {
    const n = c.binary.length;
    const done = c.json.length;
    const t = performance.now();
    c.ws.send(JSON.stringify({ text, voice: 'espeak:en-us' }));
    await c.until(() => c.binary.length > n);
    ws.push(c.binary[n]! - t);
    await c.until(() => c.json.slice(done).some((x) => x.m.type === 'synthesis_complete'));
  }
  c.ws.close();
  const inproc: number[] = [];
  const synth = engine.tts({ voice: 'espeak:en-us' });
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    let first = true;
    for await (const _chunk of synth.synthesize({ pieces: requestSentences(text), voice: 'espeak:en-us' })) {
      if (first) inproc.push(performance.now() - t);
      first = false;
    }
  }
  return compare(ws, inproc);
}

/**
 * N streams at real-time pace for `seconds`, then flush: a stream keeps up when its final arrives within
 * 1 s of the flush (it never fell more than that behind). Returns the largest N that kept up.
 */
async function concurrentStreams(server: RunningServer, engine: Engine, seconds: number, levels: number[]) {
  const audio = toneAudio('abcdefghijklmnopqrstuvwxyz '.repeat(4).trim()).subarray(0, RATE * seconds);
  const parts = chunks(audio);
  const lagWs: Record<number, number> = {};
  const lagEngine: Record<number, number> = {};
  const viaWs = async (n: number) => {
    const clients = await Promise.all(
      Array.from({ length: n }, () =>
        open(`ws://127.0.0.1:${server.asrPort}/v1/audio/stream?model=compute-20m&endpointing=false&interim_results=false`),
      ),
    );
    await Promise.all(clients.map((c) => c.until(() => c.json.some((x) => x.m.type === 'ready'))));
    const start = performance.now();
    for (let i = 0; i < parts.length; i++) {
      for (const c of clients) c.ws.send(float32ToS16le(parts[i]!));
      await sleep(Math.max(0, start + (i + 1) * 100 - performance.now()));
    }
    const t = performance.now();
    const lags = await Promise.all(
      clients.map(async (c) => {
        const before = c.json.length;
        c.ws.send(JSON.stringify({ type: 'end' }));
        await c.until(() => c.json.slice(before).some((x) => x.m.type === 'session_complete'));
        return performance.now() - t;
      }),
    );
    for (const c of clients) c.ws.close();
    return Math.max(...lags);
  };
  const direct = async (n: number) => {
    const asr = engine.asr({ model: 'compute-20m' });
    const streams = Array.from({ length: n }, () => asr.createStream({ sampleRate: RATE, endpointingMs: false }));
    const start = performance.now();
    for (let i = 0; i < parts.length; i++) {
      for (const s of streams) s.write(parts[i]!);
      await sleep(Math.max(0, start + (i + 1) * 100 - performance.now()));
    }
    const t = performance.now();
    const lags = await Promise.all(streams.map(async (s) => (await s.close(), performance.now() - t)));
    return Math.max(...lags);
  };
  let bestWs = 0;
  let bestEngine = 0;
  for (const n of levels) {
    lagEngine[n] = Math.round(await direct(n));
    if (lagEngine[n]! <= 1000) bestEngine = n;
    lagWs[n] = Math.round(await viaWs(n));
    if (lagWs[n]! <= 1000) bestWs = n;
    if (lagWs[n]! > 1000 && lagEngine[n]! > 1000) break;
  }
  return {
    stream_seconds: seconds,
    rule: 'a stream keeps up when its last final arrives within 1 s after the client stops sending',
    max_realtime_streams_websocket: bestWs,
    max_realtime_streams_engine: bestEngine,
    ratio: bestEngine ? ratio(bestWs, bestEngine) : null,
    end_lag_ms_websocket: lagWs,
    end_lag_ms_engine: lagEngine,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const engine = await createEngine({
    asr: [
      { backend: 'sherpa', model: 'tone-alphabet' },
      { backend: 'sherpa', model: 'compute-20m' },
    ],
    tts: [{ backend: 'espeak' }],
    vad: false,
  });
  await engine.ready;
  const server = await startServer({ engine, token: TOKEN, asrPort: 0, ttsPort: 0, grpc: false });
  try {
    process.stderr.write('api bench: final latency after flush…\n');
    const flush = await finalAfterFlush(server, engine, 20);
    process.stderr.write('api bench: interim latency…\n');
    const interim = await interimLatency(server, engine);
    process.stderr.write('api bench: TTS time to first audio…\n');
    const ttfa = await ttsFirstAudio(server, engine, 15);
    process.stderr.write('api bench: concurrent real-time streams…\n');
    const concurrent = await concurrentStreams(server, engine, 6, [1, 2, 4, 8, 16, 24, 32]);
    return {
      note: 'websocket = loopback ws client against startServer; engine = the same calls in-process; same run, same engine',
      asr_final_latency_after_flush: { model: 'tone-alphabet', ...flush },
      asr_interim_latency_per_100ms_chunk: { model: 'tone-alphabet', ...interim },
      tts_time_to_first_audio: { voice: 'espeak:en-us', text: 'Hello there.', ...ttfa },
      asr_concurrent_realtime_streams: { model: 'compute-20m', ...concurrent },
    };
  } finally {
    await server.close();
    await engine.close();
  }
}
