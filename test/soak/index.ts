// `npm run soak [-- --duration <s>] [-- --backend pocketsphinx|compute-20m|both]`: a bounded load test on
// loopback only. For each backend it starts a server process (./server.ts), then:
//   1. idle: one well-behaved client speaks alone — its end-of-speech → final latency is the reference;
//   2. load, for `duration` seconds: N well-behaved real-time ASR clients, with N the capacity the server
//      measured (less the slots kept for misbehaving clients), plus misbehaving clients — one that never
//      reads, one that disconnects mid-utterance, one that sends garbage, one that bursts minutes of audio,
//      one large file upload (abandoned if not done), extra clients over capacity — and TTS clients, one of
//      them flooding its queue;
//   3. every client leaves; RSS is read again once the server settles.
// Prints one JSON document: per backend the idle and loaded latency (p50/p95), finals lost, refused clients
// and why, RSS at start/peak/after, and whether each goal held (p95 ≤ 1.5× idle, 0 finals lost, every
// refusal explained, RSS back within 10 %). Progress goes to stderr. Exits by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { decodeWav, encodeWav, float32ToS16le } from '../../src-main/core/audio/index.js';
import { LIBRISPEECH } from '../helpers/shared.js';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const DURATION_S = Number(arg('duration', '180'));
const BACKENDS = arg('backend', 'both') === 'both' ? ['pocketsphinx', 'compute-20m'] : [arg('backend', 'pocketsphinx')];
/** Live slots left free for the misbehaving ASR clients (never-reading, disconnecting, garbage, burst). */
const MISBEHAVING_SLOTS = 2;
/** The longest wait, after every client left, for RSS to come back (see the settle step). */
const SETTLE_MAX_S = 75;
const CHUNK_MS = 100;
const RATE = 16000;
const log = (s: string) => process.stderr.write(`soak: ${s}\n`);

interface ServerInfo {
  asrPort: number;
  ttsPort: number;
  token: string;
  model: string;
  capacity: { liveStreams: number; rtf: number; workers: number; admitted: number };
}

/** Utterances: real speech for pocketsphinx, tone phrases for the compute-20m fixture (it "hears" tones). */
function utterances(backend: string): Float32Array[] {
  if (backend === 'pocketsphinx') {
    return readdirSync(LIBRISPEECH)
      .filter((f) => f.endsWith('.wav'))
      .sort()
      .map((f) => decodeWav(readFileSync(join(LIBRISPEECH, f))).channelData[0]!)
      .filter((a) => a.length < 8 * RATE);
  }
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  return words.map((w, i) => toneAudio(`${w} ${words[(i + 3) % words.length]}`, { lead: 0.2, tail: 0 }));
}

/** CPU seconds per thread of `pid`, by thread name (the main thread is "main"), plus its reaped children. */
function threadCpu(pid: number): Record<string, number> {
  const tick = 100; // USER_HZ on Linux
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = Number(tid) === pid ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      /* the thread ended meanwhile */
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  out['child processes (espeak-ng)'] = (Number(f[13]) + Number(f[14])) / tick;
  return out;
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineCpu(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100;
}

/**
 * Where the CPU went during the load: seconds per server thread, this soak client's own, and everything else
 * on the machine (other processes), over `wallS` seconds of wall time on `cores` cores.
 */
function cpuShare(
  before: { server: Record<string, number>; client: NodeJS.CpuUsage; machine: number; at: number },
  pid: number,
): Record<string, unknown> {
  const server = threadCpu(pid);
  const wallS = (performance.now() - before.at) / 1000;
  const byThread: Record<string, number> = {};
  let serverTotal = 0;
  for (const [k, v] of Object.entries(server)) {
    const d = v - (before.server[k] ?? 0);
    serverTotal += d;
    if (d >= 0.05) byThread[k] = +d.toFixed(1);
  }
  const c = process.cpuUsage(before.client);
  const client = (c.user + c.system) / 1e6;
  const machine = machineCpu() - before.machine;
  return {
    wall_s: +wallS.toFixed(1),
    cores: availableParallelism(),
    server_cpu_s: +serverTotal.toFixed(1),
    server_by_thread_s: byThread,
    soak_client_cpu_s: +client.toFixed(1),
    other_processes_cpu_s: +Math.max(0, machine - serverTotal - client).toFixed(1),
    loadavg_1m_at_end: +loadavg()[0]!.toFixed(2),
  };
}

const cpuMark = (pid: number) => ({ server: threadCpu(pid), client: process.cpuUsage(), machine: machineCpu(), at: performance.now() });

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

const percentile = (xs: number[], p: number) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!);
};

interface Refusal {
  client: string;
  code: number | string;
  reason: string;
}

/** Open an ASR WebSocket; resolves with it after `ready`, or rejects with the refusal (close code + reason). */
function openAsr(info: ServerInfo, query = `sample_rate=16000&session=new&model=${encodeURIComponent(info.model)}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${info.asrPort}/v1/audio/stream?${query}`);
    let ready = false;
    const errors: string[] = [];
    ws.on('message', (data, binary) => {
      if (binary || ready) return;
      const m = JSON.parse(String(data)) as { type: string; message?: string };
      if (m.type === 'ready') {
        ready = true;
        resolve(ws);
      } else if (m.type === 'error') errors.push(m.message ?? '');
    });
    ws.on('close', (code, reason) => {
      if (!ready) reject({ code, reason: String(reason) || errors.join('; ') || '(no reason given)' });
    });
    ws.on('error', (err) => {
      if (!ready) reject({ code: 'error', reason: err.message });
    });
  });
}

/** Real-time pacing: waits until `ms` after `t0` (no drift over a long stream). */
const until = (t0: number, ms: number) => sleep(Math.max(0, t0 + ms - performance.now()));

interface WellBehaved {
  latencies: number[];
  /** When (performance.now()) each utterance's speech ended, beside its latency: to see when late finals cluster. */
  speechEndAt: number[];
  sent: number;
  /** Utterances with no final overlapping them. */
  lost: number;
  finals: number;
  storedSegments: number | null;
  /** Error messages the server sent this client, by code (a well-behaved client should get none). */
  errors: Record<string, number>;
  /** Shed by the server (it fell behind real time): the close reason, or null. */
  shed: string | null;
  /** `falling_behind` warnings received. */
  warnings: number;
}

/**
 * One well-behaved client: utterances at real-time pace, each followed by 1.5 s of silence; latency = wall
 * time from sending the utterance's last speech chunk to its final. Ends with `end` and checks
 * `session_complete` counts every final it received.
 */
async function wellBehaved(
  ws: WebSocket,
  audio: Float32Array[],
  seconds: number,
  offset: number,
  stop: { now: boolean } = { now: false },
): Promise<WellBehaved> {
  const out: WellBehaved = {
    latencies: [],
    speechEndAt: [],
    sent: 0,
    lost: 0,
    finals: 0,
    storedSegments: null,
    errors: {},
    shed: null,
    warnings: 0,
  };
  let completeSegments: number | null = null;
  ws.on('close', (code, reason) => {
    if (code === 1013) out.shed = String(reason) || '(no reason given)';
  });
  const finals: { start_ms: number; end_ms: number; at: number }[] = [];
  let complete: ((n: number) => void) | null = null;
  ws.on('message', (data, binary) => {
    if (binary) return;
    const m = JSON.parse(String(data)) as {
      type: string;
      is_final?: boolean;
      start_ms: number;
      end_ms: number;
      segments?: number;
      code?: string;
    };
    if (m.type === 'error') out.errors[m.code ?? '?'] = (out.errors[m.code ?? '?'] ?? 0) + 1;
    if (m.type === 'warning' && m.code === 'falling_behind') out.warnings++;
    if (m.type === 'transcript' && m.is_final) finals.push({ start_ms: m.start_ms, end_ms: m.end_ms, at: performance.now() });
    if (m.type === 'session_complete') {
      completeSegments = m.segments ?? -1;
      complete?.(completeSegments);
    }
  });
  const sentUtts: { startMs: number; endMs: number; speechEndAt: number }[] = [];
  const t0 = performance.now();
  let streamMs = 0;
  const silence = new Float32Array(1.5 * RATE);
  const step = (RATE * CHUNK_MS) / 1000;
  for (let k = offset; performance.now() - t0 < seconds * 1000 && !stop.now && ws.readyState === WebSocket.OPEN; k++) {
    const utt = audio[k % audio.length]!;
    const startMs = streamMs;
    for (const [buf, speech] of [
      [utt, true],
      [silence, false],
    ] as const) {
      for (let i = 0; i < buf.length; i += step) {
        const piece = buf.subarray(i, i + step);
        await until(t0, streamMs);
        if (ws.readyState !== WebSocket.OPEN) break;
        ws.send(float32ToS16le(piece));
        streamMs += (piece.length * 1000) / RATE;
        if (speech && i + step >= buf.length) sentUtts.push({ startMs, endMs: streamMs, speechEndAt: performance.now() });
      }
    }
  }
  const segments = await new Promise<number>((resolve) => {
    // Shed (or otherwise closed by the server): its session_complete, if any, came before the close.
    if (ws.readyState !== WebSocket.OPEN) return resolve(completeSegments ?? -1);
    complete = resolve;
    ws.send(JSON.stringify({ type: 'end' }));
    setTimeout(() => resolve(-1), 90_000).unref();
  });
  ws.close();
  out.sent = sentUtts.length;
  out.finals = finals.length;
  out.storedSegments = segments;
  for (const u of sentUtts) {
    const f = finals.find((x) => x.end_ms > u.startMs && x.start_ms < u.endMs);
    if (!f) out.lost++;
    else {
      out.latencies.push(f.at - u.speechEndAt);
      out.speechEndAt.push(u.speechEndAt);
    }
  }
  return out;
}

/** Misbehaving clients, looping until `stopAt`; each records what the server told it. */
async function misbehaving(
  info: ServerInfo,
  audio: Float32Array[],
  stopAt: number,
  refused: Refusal[],
  notes: Record<string, number>,
): Promise<void> {
  const speech = float32ToS16le(audio[0]!);
  const count = (k: string) => (notes[k] = (notes[k] ?? 0) + 1);
  const tryOpen = async (client: string, query?: string): Promise<WebSocket | null> => {
    try {
      return await openAsr(info, query);
    } catch (r) {
      refused.push({ client, ...(r as { code: number; reason: string }) });
      return null;
    }
  };
  const neverReads = async () => {
    // Sends audio at real time, never reads a byte (its socket is paused).
    const ws = await tryOpen('never-reading');
    if (!ws) return;
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const t0 = performance.now();
    for (let i = 0, ms = 0; performance.now() < stopAt; i = (i + 3200) % speech.length, ms += 100) {
      await until(t0, ms);
      if (ws.readyState !== WebSocket.OPEN) break;
      ws.send(speech.subarray(i, i + 3200));
    }
    ws.terminate();
    count('never_reading_runs');
  };
  const disconnects = async () => {
    while (performance.now() < stopAt) {
      const ws = await tryOpen('disconnecting');
      if (ws) {
        ws.send(speech.subarray(0, Math.min(speech.length, 2 * 32000)));
        await sleep(1500);
        ws.terminate();
        count('mid_utterance_disconnects');
      }
      await sleep(2000);
    }
  };
  const garbage = async () => {
    while (performance.now() < stopAt) {
      const ws = await tryOpen('garbage');
      if (ws) {
        ws.on('message', (d, bin) => {
          if (!bin && /"error"/.test(String(d))) count('garbage_errors_answered');
        });
        for (const g of ['{not json', '{"type":"nope"}', '[1,2]', '{"type":"audio","audio":"!!"}']) ws.send(g);
        ws.send(Buffer.from([1, 2, 3])); // odd byte count for s16le
        ws.send(JSON.stringify({ type: 'config', sample_rate: 'fast' }));
        await sleep(3000);
        ws.close();
      }
      await sleep(1000);
    }
  };
  const burst = async () => {
    while (performance.now() < stopAt) {
      const ws = await tryOpen('burst');
      if (ws) {
        ws.on('message', (d, bin) => {
          if (!bin && /"rate_limited"/.test(String(d))) count('burst_chunks_rate_limited');
        });
        // 115 s of audio as fast as the socket takes it.
        for (let sent = 0; sent < 115 * 32000 && ws.readyState === WebSocket.OPEN; sent += speech.length) ws.send(speech);
        await sleep(8000);
        ws.close();
        count('bursts');
      }
      await sleep(2000);
    }
  };
  const overCapacity = async () => {
    // Knocks every few seconds while the server is full: must be refused with a reason, never hang.
    while (performance.now() < stopAt) {
      const ws = await tryOpen('over-capacity');
      if (ws) ws.close();
      await sleep(5000);
    }
  };
  await Promise.all([neverReads(), disconnects(), garbage(), burst(), overCapacity()]);
}

/** A large upload (~10 min of audio, ~19 MB WAV), abandoned at `stopAt` if it has not finished. */
async function largeUpload(
  info: ServerInfo,
  audio: Float32Array[],
  stopAt: number,
  refused: Refusal[],
  notes: Record<string, unknown>,
): Promise<void> {
  const total = new Float32Array(600 * RATE);
  for (let o = 0, k = 0; o < total.length; k++) {
    const a = audio[k % audio.length]!;
    total.set(a.subarray(0, Math.min(a.length, total.length - o)), o);
    o += a.length + RATE;
  }
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(encodeWav(total, RATE))]), 'large.wav');
  form.set('response_format', 'json');
  if (info.model !== 'pocketsphinx-en-us') form.set('model', info.model);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), Math.max(0, stopAt - performance.now()));
  const t0 = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${info.asrPort}/v1/audio/transcriptions`, {
      method: 'POST',
      body: form,
      signal: abort.signal,
    });
    const body = await res.text();
    notes.large_upload = { status: res.status, seconds: Math.round((performance.now() - t0) / 100) / 10 };
    if (res.status === 503)
      refused.push({ client: 'large-upload', code: 503, reason: `${body} (Retry-After ${res.headers.get('retry-after')})` });
  } catch {
    notes.large_upload = {
      status: 'abandoned by the client at the end of the run',
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** TTS clients: one speaking short sentences and reading everything, one flooding its queue. */
async function ttsClients(info: ServerInfo, stopAt: number, notes: Record<string, number>): Promise<void> {
  const count = (k: string) => (notes[k] = (notes[k] ?? 0) + 1);
  const polite = async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${info.ttsPort}/v1/audio/stream`);
    await new Promise((r) => ws.once('open', r));
    let done: (() => void) | null = null;
    ws.on('message', (d, bin) => {
      if (!bin && /synthesis_complete/.test(String(d))) done?.();
    });
    while (performance.now() < stopAt) {
      await new Promise<void>((r) => {
        done = r;
        ws.send(JSON.stringify({ text: 'The quick brown fox jumps over the lazy dog. It was a bright cold day.' }));
      });
      count('tts_requests_completed');
      await sleep(1000);
    }
    ws.close();
  };
  const flooder = async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${info.ttsPort}/v1/audio/stream`);
    await new Promise((r) => ws.once('open', r));
    ws.on('message', (d, bin) => {
      if (!bin && /rate_limited/.test(String(d))) count('tts_flood_rate_limited');
    });
    // 1,500 requests of 99,000 characters, as in the probe; the server must refuse most of them.
    const text = 'word '.repeat(19_800);
    for (let i = 0; i < 1500 && ws.readyState === WebSocket.OPEN && performance.now() < stopAt; i++) {
      ws.send(JSON.stringify({ text, request_id: `f${i}` }));
      if (i % 50 === 49) await sleep(10);
    }
    await sleep(Math.max(0, Math.min(5000, stopAt - performance.now())));
    ws.terminate();
  };
  await Promise.all([polite(), flooder()]);
}

/** Lines the server printed after its first (answers to SIGUSR2: its memory breakdown). */
const serverLines: string[] = [];

/** The server's memory breakdown (see server.ts, SIGUSR2), or null when it does not answer. */
async function serverMemory(child: ChildProcess): Promise<Record<string, unknown> | null> {
  serverLines.length = 0;
  child.kill('SIGUSR2');
  for (let i = 0; i < 20 && !serverLines.length; i++) await sleep(100);
  return serverLines.length ? (JSON.parse(serverLines[0]!) as Record<string, unknown>) : null;
}

async function startServer(backend: string): Promise<{ child: ChildProcess; info: ServerInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'server.ts'), backend], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      resolve(l);
      rl.on('line', (more) => serverLines.push(more));
    });
    child.once('exit', (code) => reject(new Error(`soak server exited (${code}) before it was ready`)));
  });
  return { child, info: JSON.parse(line) as ServerInfo };
}

async function soak(backend: string): Promise<Record<string, unknown>> {
  log(`${backend}: starting the server`);
  const { child, info } = await startServer(backend);
  const audio = utterances(backend);
  try {
    await sleep(2000);
    const rssStart = rssOf(child.pid!);
    const memoryStart = await serverMemory(child);
    let rssPeak = rssStart;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(child.pid!))), 500);

    log(`${backend}: idle reference (one client alone)`);
    const idle = await wellBehaved(await openAsr(info), audio, Math.min(30, Math.max(12, DURATION_S / 6)), 0);

    // N = the capacity the server admits under this very load: well-behaved clients join one by one, each
    // speaking as soon as it is in, until the server refuses one (that refusal must say why) — the engine's
    // continuous measurement and its lag rule see the real cost, not just the calibration.
    const refused: Refusal[] = [];
    const running: { run: Promise<WellBehaved>; stop: { now: boolean } }[] = [];
    const rampEnd = performance.now() + DURATION_S * 1000;
    for (let i = 0; i < 64 && performance.now() < rampEnd; i++) {
      let ws: WebSocket;
      try {
        ws = await openAsr(info);
      } catch (r) {
        refused.push({ client: 'capacity-probe', ...(r as { code: number; reason: string }) });
        break;
      }
      const stop = { now: false };
      running.push({ run: wellBehaved(ws, audio, DURATION_S * 2, i + 1, stop), stop });
      await sleep(1500);
    }
    // Make room for the misbehaving clients: the last ones to join end gracefully (their finals count too).
    const capacityNow = running.length;
    const free = Math.min(MISBEHAVING_SLOTS, running.length - 1);
    for (const r of running.slice(running.length - free)) r.stop.now = true;
    log(
      `${backend}: ${capacityNow} live streams admitted under load (calibrated at start: ${info.capacity.admitted}); load: ${capacityNow - free} well-behaved + misbehaving + TTS for ${DURATION_S} s`,
    );
    const notes: Record<string, unknown> = {};
    const cpuAtLoad = cpuMark(child.pid!);
    // This client's own event-loop delay: a final that arrives while this process is busy (the TTS flood, the
    // upload's encoding) is timestamped late, so it is part of what the figures mean.
    const clientDelay = monitorEventLoopDelay({ resolution: 10 });
    clientDelay.enable();
    const loadStartAt = performance.now();
    const workerAtLoad = (await serverMemory(child))?.asr_worker ?? null;
    const stopAt = performance.now() + DURATION_S * 1000;
    setTimeout(() => running.forEach((r) => (r.stop.now = true)), DURATION_S * 1000).unref();
    const loaded = Promise.all(running.map((r) => r.run));
    const n = capacityNow - free;
    const [results] = await Promise.all([
      loaded,
      misbehaving(info, audio, stopAt, refused, notes as Record<string, number>),
      largeUpload(info, audio, stopAt, refused, notes),
      ttsClients(info, stopAt, notes as Record<string, number>),
    ]);

    const cpuDuringLoad = cpuShare(cpuAtLoad, child.pid!);
    clientDelay.disable();
    const atLoadEnd = await serverMemory(child);
    log(`${backend}: everyone left; letting the server settle`);
    // Settling = the server finishing what the clients left behind (a burst's backlog is decoded and stored, a file
    // transcription completes), then its idle timers: the batch worker stops BATCH_WORKER_IDLE_MS (30 s) after its
    // last file, and an idle worker is replaced EARSHOT_WORKER_RECYCLE_MS (5 s) after its last stream. So RSS is read
    // once a second for up to SETTLE_MAX_S, and how long it took is reported.
    const settleStarted = Date.now();
    let rssAfter = rssOf(child.pid!);
    for (let i = 0; i < SETTLE_MAX_S && rssAfter > rssStart * 1.1; i++) {
      await sleep(1000);
      rssAfter = rssOf(child.pid!);
    }
    const settledS = Math.round((Date.now() - settleStarted) / 1000);
    clearInterval(sampler);
    // Where the memory still held is (V8 heap, buffers, or native), from the server itself.
    const memoryAfter = await serverMemory(child);

    const latencies = results.flatMap((r) => r.latencies);
    const idleP95 = percentile(idle.latencies, 95);
    const loadP95 = percentile(latencies, 95);
    const lost = results.reduce((a, r) => a + r.lost, 0);
    const finals = results.reduce((a, r) => a + r.finals, 0);
    const stored = results.reduce((a, r) => a + Math.max(0, r.storedSegments ?? 0), 0);
    const mb = (b: number) => Math.round(b / 1e6);
    return {
      model: info.model,
      capacity_at_start: info.capacity,
      capacity_admitted_at_load: capacityNow,
      well_behaved_clients: n,
      idle_latency_ms: { p50: percentile(idle.latencies, 50), p95: idleP95, n: idle.latencies.length },
      load_latency_ms: { p50: percentile(latencies, 50), p95: loadP95, n: latencies.length },
      p95_vs_idle: idleP95 && loadP95 !== null ? +(loadP95 / idleP95).toFixed(2) : null,
      utterances_sent: results.reduce((a, r) => a + r.sent, 0),
      finals_received: finals,
      finals_counted_by_session_complete: stored,
      finals_lost: lost,
      shed: {
        count: results.filter((r) => r.shed).length,
        reasons: [...new Set(results.flatMap((r) => (r.shed ? [r.shed.replace(/\d+/g, '#')] : [])))],
      },
      falling_behind_warnings: results.reduce((a, r) => a + r.warnings, 0),
      well_behaved_errors: results.reduce<Record<string, number>>((acc, r) => {
        for (const [k, v] of Object.entries(r.errors)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {}),
      refused: {
        count: refused.length,
        unexplained: refused.filter((r) => !r.reason || r.reason === '(no reason given)').length,
        samples: dedupe(refused),
      },
      misbehaving: notes,
      cpu_during_load: cpuDuringLoad,
      soak_client_loop_delay_ms: {
        p50: Math.round(clientDelay.percentile(50) / 1e6),
        p99: Math.round(clientDelay.percentile(99) / 1e6),
        max: Math.round(clientDelay.max / 1e6),
      },
      // Finals later than 1.5× the idle p95, by the 10 s of the load in which their speech ended.
      late_finals_by_10s: lateBy10s(results, idleP95, loadStartAt),
      main_thread_during_load: atLoadEnd?.main_thread ?? null,
      asr_worker_at_load_start: workerAtLoad,
      asr_worker_at_load_end: atLoadEnd?.asr_worker ?? null,
      rss_mb: {
        start: mb(rssStart),
        peak: mb(rssPeak),
        after: mb(rssAfter),
        after_vs_start: +(rssAfter / rssStart).toFixed(2),
        read_after_s: settledS,
      },
      memory_start_mb: memoryStart,
      memory_after_mb: memoryAfter,
      goals: {
        p95_within_1_5x_idle: idleP95 !== null && loadP95 !== null && loadP95 <= 1.5 * idleP95,
        zero_finals_lost: lost === 0 && idle.lost === 0,
        every_refusal_explained:
          refused.every((r) => r.reason && r.reason !== '(no reason given)') && results.every((r) => r.shed !== '(no reason given)'),
        rss_back_within_10pct: rssAfter <= rssStart * 1.1,
      },
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => (child.kill('SIGKILL'), r(undefined)), 15_000);
      child.once('exit', () => (clearTimeout(t), r(undefined)));
    });
  }
}

function lateBy10s(results: WellBehaved[], idleP95: number | null, t0: number): Record<string, string> {
  const out: Record<string, [number, number]> = {};
  for (const r of results)
    r.latencies.forEach((lat, i) => {
      const k = `${Math.floor((r.speechEndAt[i]! - t0) / 10_000) * 10}s`;
      const e = (out[k] ??= [0, 0]);
      e[1]++;
      if (idleP95 !== null && lat > 1.5 * idleP95) e[0]++;
    });
  return Object.fromEntries(Object.entries(out).map(([k, [late, n]]) => [k, `${late} of ${n}`]));
}

function dedupe(refused: Refusal[]): (Refusal & { times: number })[] {
  const by = new Map<string, Refusal & { times: number }>();
  for (const r of refused) {
    const key = `${r.client}|${r.code}|${r.reason.replace(/\d+/g, '#')}`;
    const e = by.get(key);
    if (e) e.times++;
    else by.set(key, { ...r, times: 1 });
  }
  return [...by.values()];
}

const report: Record<string, unknown> = { duration_s: DURATION_S };
for (const backend of BACKENDS) {
  try {
    report[backend] = await soak(backend);
  } catch (err) {
    report[backend] = { error: err instanceof Error ? err.message : JSON.stringify(err) };
  }
}
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
process.exit(0);
