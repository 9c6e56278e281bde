// Speech synthesis (and the pocketsphinx recognizer) performance. Each figure comes with the same figure for
// the raw backend measured in this run, and their ratio:
//  - espeak: our EspeakSynthesizer (sentence-split, pipelined processes) vs one `espeak-ng --stdout` on the
//    whole text: time to first audio (TTFA) and real-time factor (synthesis time / audio duration).
//  - sherpa: our SherpaSynthesizer vs raw OfflineTts.generate() on the whole text, for every installed voice
//    (the synthetic fixture always: it measures our pipeline's overhead, not a real voice's speed).
//  - the real voice (piper joe, installed from PyPI): also against the upstream piper runtime (PyPI piper-tts, run
//    by test/bench/piper-reference.py in the voice venv) on the same voice, texts and ORT thread count.
//  - synthesis cache: time to first audio of a repeated text (served from the engine's cache) vs a new one.
//  - pocketsphinx: RTF of the streaming backend (100 ms writes, endpointing on) vs decodeWholeFile on the same audio.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav } from '../../src-main/core/audio/index.js';
import { createEspeakSynthesizer } from '../../src-main/core/engine/backends/espeak/index.js';
import { closeBatchDecoder, decodeWholeFile, loadPocketsphinxAsr } from '../../src-main/core/engine/backends/pocketsphinx/index.js';
import { loadSherpa } from '../../src-main/core/engine/backends/sherpa/native.js';
import { offlineTtsConfig } from '../../src-main/core/engine/backends/sherpa/tts-config.js';
import { loadSherpaTts } from '../../src-main/core/engine/backends/sherpa/tts.js';
import { loadCatalog, resolveModel } from '../../src-main/core/engine/models/catalog.js';
import { CachingSynthesizer, SynthesisCache } from '../../src-main/core/engine/synthesis-cache.js';
import { quickStartFor, requestSentences } from '../../src-main/core/engine/text/tts-request.js';
import type { Synthesizer } from '../../src-main/core/engine/types.js';
import { appRoot } from '../../src-main/core/paths.js';
import { LIBRISPEECH, MODELS } from '../helpers/shared.js';

/** The real voice compared with the upstream piper runtime. */
const PIPER_VOICE = 'piper-en-us-joe-medium';
const VOICE_PYTHON = join(appRoot, '.cache', 'voice-venv', 'bin', 'python');
/** ORT threads for every sherpa voice here, and for piper's session: the same work on the same cores. */
const THREADS = 1;

const SHORT = 'Hello, this is Earshot speaking.'; // < 50 characters
const LONG = [
  'Earshot is an on-device speech application that turns audio into text and text into audio without sending anything off the machine.',
  'It captions meetings and videos as they play, takes dictation into any window, and reads documents aloud in a natural voice.',
  'Every part of it runs locally, so it keeps working on a plane, in a secure office, or anywhere the network is slow or absent.',
  'The same engine is available to other programs through a small local API, with WebSocket, gRPC and plain HTTP endpoints.',
  'Streaming matters for speech: a listener should hear the first words while the rest of a long answer is still being produced.',
  'That is why text is cut into sentences, and each sentence is synthesized and sent as soon as it is ready.',
  'Recognition works the same way in reverse, with partial results that appear while the speaker is still talking.',
  'When a pause is long enough, the utterance is finished, punctuated, timestamped and stored in a searchable history.',
  'This paragraph is simply long enough to measure how the system behaves when it is asked to read more than a thousand characters.',
].join(' '); // > 1000 characters
const RUNS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const ratio = (a: number, b: number) => (b > 0 ? round(a / b) : null);

interface Timing {
  ttfaMs: number;
  totalMs: number;
  audioS: number;
  rtf: number;
}

async function viaSynth(synth: Synthesizer, text: string, voice?: string): Promise<Timing> {
  const t0 = performance.now();
  let ttfa = -1;
  let samples = 0;
  let rate = 1;
  for await (const c of synth.synthesize({
    pieces: requestSentences(text, undefined, { quickStart: quickStartFor(synth.backend) }),
    voice,
  })) {
    if (ttfa < 0) ttfa = performance.now() - t0;
    samples += c.samples.length;
    rate = c.sampleRate;
  }
  const total = performance.now() - t0;
  return { ttfaMs: ttfa, totalMs: total, audioS: samples / rate, rtf: total / 1000 / (samples / rate) };
}

/** One espeak-ng process on the whole text: first audio = first stdout bytes past the 44-byte header. */
function rawEspeak(text: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('espeak-ng', ['--stdout', '-v', 'en-us', '-b', '1'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let bytes = 0;
    let ttfa = -1;
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      if (ttfa < 0 && bytes > 44) ttfa = performance.now() - t0;
    });
    child.on('error', reject);
    child.on('close', () => {
      const total = performance.now() - t0;
      const audioS = (bytes - 44) / 2 / 22050;
      resolve({ ttfaMs: ttfa, totalMs: total, audioS, rtf: total / 1000 / audioS });
    });
    child.stdin.end(text);
  });
}

async function measure(fn: () => Promise<Timing>): Promise<Timing> {
  const runs: Timing[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await fn());
  return {
    ttfaMs: median(runs.map((r) => r.ttfaMs)),
    totalMs: median(runs.map((r) => r.totalMs)),
    audioS: runs[0]!.audioS,
    rtf: median(runs.map((r) => r.rtf)),
  };
}

function compare(ours: Timing, raw: Timing) {
  return {
    ttfa_ms: round(ours.ttfaMs, 1),
    raw_ttfa_ms: round(raw.ttfaMs, 1),
    ttfa_ratio: ratio(ours.ttfaMs, raw.ttfaMs),
    rtf: round(ours.rtf, 4),
    raw_rtf: round(raw.rtf, 4),
    rtf_ratio: ratio(ours.rtf, raw.rtf),
    audio_s: round(ours.audioS, 2),
  };
}

async function espeakFigures() {
  const synth = createEspeakSynthesizer();
  const out: Record<string, unknown> = { reference: 'espeak-ng --stdout on the whole text (one process)' };
  for (const [name, text] of [
    ['short', SHORT],
    ['long', LONG],
  ] as const) {
    const ours = await measure(() => viaSynth(synth, text, 'espeak:en-us'));
    const raw = await measure(() => rawEspeak(text));
    out[name] = { chars: text.length, ...compare(ours, raw) };
  }
  return out;
}

/** The upstream piper runtime on the joe voice: median timings per text, measured in its own process. */
function piperRuntime(): Promise<Record<'short' | 'long', Timing>> {
  if (!existsSync(VOICE_PYTHON))
    return Promise.reject(new Error(`no voice venv at ${VOICE_PYTHON}; run: node build/voices/install-joe.mjs`));
  return new Promise((resolve, reject) => {
    const child = spawn(VOICE_PYTHON, [join(import.meta.dirname, 'piper-reference.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`piper-reference.py exited ${code}: ${err.trim().split('\n').at(-1)}`)),
    );
    child.stdin.end(JSON.stringify({ texts: { short: SHORT, long: LONG }, runs: RUNS, threads: THREADS }));
  });
}

async function sherpaFigures() {
  const sherpa = loadSherpa();
  const out: Record<string, unknown> = {
    reference: 'OfflineTts.generate() on the whole text (synchronous, one call)',
    piper_reference: `upstream piper runtime (piper-tts, PiperVoice.synthesize: one chunk per sentence) on ${PIPER_VOICE}, ${THREADS} ORT thread(s)`,
  };
  const voices = loadCatalog().filter((m) => m.kind === 'tts');
  for (const entry of voices) {
    const model = resolveModel(entry, [MODELS]);
    if (!model) continue;
    const synth = await loadSherpaTts(model, { threads: THREADS });
    const raw = new sherpa.OfflineTts(offlineTtsConfig(model, THREADS));
    const piper = entry.id === PIPER_VOICE ? await piperRuntime().catch((e: Error) => e) : null;
    const figures: Record<string, unknown> = { fixture: !!entry.fixture };
    for (const [name, text] of [
      ['short', SHORT],
      ['long', LONG],
    ] as const) {
      const ours = await measure(() => viaSynth(synth, text));
      const rawT = await measure(async () => {
        const t0 = performance.now();
        const audio = raw.generate({ text, sid: 0, speed: 1 });
        const total = performance.now() - t0;
        const audioS = audio.samples.length / audio.sampleRate;
        return { ttfaMs: total, totalMs: total, audioS, rtf: total / 1000 / audioS }; // raw: first audio = all of it
      });
      figures[name] = { chars: text.length, ...compare(ours, rawT) };
      if (piper instanceof Error) figures[`${name}_vs_piper`] = { error: piper.message };
      else if (piper) {
        const p = piper[name];
        figures[`${name}_vs_piper`] = {
          piper_ttfa_ms: round(p.ttfaMs, 1),
          ttfa_ratio: ratio(ours.ttfaMs, p.ttfaMs),
          piper_rtf: round(p.rtf, 4),
          rtf_ratio: ratio(ours.rtf, p.rtf),
          piper_audio_s: round(p.audioS, 2),
        };
      }
    }
    out[entry.id] = figures;
    if (entry.id === PIPER_VOICE || (entry.fixture && !out.synthesis_cache))
      out.synthesis_cache = { voice: entry.id, ...(await cacheFigures(synth)) };
  }
  return out;
}

/** Time to first audio of SHORT through the engine's cache: a miss (a fresh cache each run) vs a hit. */
async function cacheFigures(synth: Synthesizer) {
  const uncached = await measure(() => viaSynth(new CachingSynthesizer(synth, new SynthesisCache(32 << 20)), SHORT));
  const warm = new CachingSynthesizer(synth, new SynthesisCache(32 << 20));
  await viaSynth(warm, SHORT);
  const cached = await measure(() => viaSynth(warm, SHORT));
  return {
    text: SHORT,
    uncached_ttfa_ms: round(uncached.ttfaMs, 2),
    cached_ttfa_ms: round(cached.ttfaMs, 2),
    // A hit is thousands of times faster: 3 decimals would print 0.
    ttfa_ratio: uncached.ttfaMs > 0 ? round(cached.ttfaMs / uncached.ttfaMs, 6) : null,
    uncached_total_ms: round(uncached.totalMs, 2),
    cached_total_ms: round(cached.totalMs, 2),
  };
}

async function pocketsphinxFigures() {
  const files = ['1272-135031-0001.wav', '1272-135031-0002.wav', '1272-135031-0009.wav'];
  const audio = files.map((f) => decodeWav(readFileSync(join(LIBRISPEECH, f))).channelData[0]!);
  const seconds = audio.reduce((n, a) => n + a.length, 0) / 16000;
  const engine = await loadPocketsphinxAsr({ threads: 1 });
  try {
    const t0 = performance.now();
    for (const a of audio) {
      const s = engine.createStream({ sampleRate: 16000 });
      for (let i = 0; i < a.length; i += 1600) s.write(a.subarray(i, i + 1600));
      await s.close();
    }
    const streamS = (performance.now() - t0) / 1000;
    await decodeWholeFile(audio[0]!.subarray(0, 16000)); // start the batch worker outside the timing
    const t1 = performance.now();
    for (const a of audio) await decodeWholeFile(a);
    const batchS = (performance.now() - t1) / 1000;
    return {
      audio_s: round(seconds, 2),
      streaming_rtf: round(streamS / seconds, 4),
      batch_rtf: round(batchS / seconds, 4),
      rtf_ratio: ratio(streamS, batchS),
      reference: 'decodeWholeFile: one ps_process_raw(full_utt=TRUE) per file',
    };
  } finally {
    await engine.close();
    await closeBatchDecoder();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = {};
  for (const [name, fn] of [
    ['espeak', espeakFigures],
    ['sherpa', sherpaFigures],
    ['pocketsphinx_asr', pocketsphinxFigures],
  ] as const) {
    try {
      report[name] = await fn();
    } catch (err) {
      report[name] = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return report;
}
