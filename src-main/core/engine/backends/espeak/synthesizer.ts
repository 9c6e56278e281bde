// espeak-ng synthesizer: one `espeak-ng --stdout` process per piece of the request (cut by the caller:
// text/tts-request.ts), audio streamed out of its stdout as it is produced. The next piece's process starts while
// the current one streams, so there is no gap between pieces; at most two processes run per request. Aborting kills them.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { concatFloat32, stretchTempo } from '../../../audio/index.js';
import { parseWavHeader } from '../../../audio/index.js';
import { checkPieces, checkSpeed, TtsRequestError } from '../../text/tts-request.js';
import { EngineUnavailableError, type SynthesisChunk, type SynthesisRequest, type Synthesizer, type TtsVoice } from '../../types.js';
import { ESPEAK_BIN, espeakStatus, espeakVoices, resolveVoice, type EspeakVoice } from './voices.js';

/** espeak-ng's normal rate; `speed` multiplies it. */
const BASE_WPM = 175;
/**
 * espeak-ng's rate floor is 80 words per minute (slower asks give 80); above its documented 450 it keeps
 * speeding up in proportion (measured: 350 → 2.1×, 700 → 3.9× the length at 175), so speed 4 is 700.
 */
const MIN_WPM = 80;
const MAX_WPM = 4 * BASE_WPM;
const WAV_HEADER_BYTES = 44;

type EspeakChild = ChildProcessByStdio<Writable, Readable, Readable>;

/** Words per minute for a speed factor (validated: 0.25..4), clamped to what espeak-ng supports. */
export function wordsPerMinute(speed = 1): number {
  return Math.max(MIN_WPM, Math.min(MAX_WPM, Math.round(checkSpeed(speed) * BASE_WPM)));
}

/** The tempo the espeak output is stretched by for speeds below espeak-ng's floor (1 = not stretched). */
export function slowdownTempo(speed = 1): number {
  const wpm = checkSpeed(speed) * BASE_WPM;
  return wpm < MIN_WPM ? wpm / MIN_WPM : 1;
}

interface EspeakRun {
  child: EspeakChild;
  /** stdout, read from the moment of spawn: Node resumes (and so discards) an unread child stdout when the
   *  child exits, and a look-ahead process often finishes before anyone reads it. At most one piece of
   *  audio (a piece is <= MAX_PIECE_CHARS) is held. */
  audio: AsyncIterable<Buffer>;
  /** Settles when the process has exited and its pipes are closed. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
  stderr: () => string;
}

/** Everything a readable emits, queued from now on, as an async iterable. */
function drainFromNow(stream: Readable): AsyncIterable<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  stream.on('data', (d: Buffer) => {
    queue.push(d);
    notify();
  });
  stream.once('close', () => {
    ended = true;
    notify();
  });
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (queue.length) yield queue.shift()!;
        else if (ended) return;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

/** Start espeak-ng for one piece; the text goes in on stdin so nothing in it is read as an option. */
function startEspeak(voice: EspeakVoice, wpm: number, sentence: string): EspeakRun {
  const child = spawn(ESPEAK_BIN, ['--stdout', '-b', '1', '-v', voice.espeakName, '-s', String(wpm)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const audio = drainFromNow(child.stdout);
  const exit = new Promise<Awaited<EspeakRun['exit']>>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  child.stdin.on('error', () => {}); // the process may die before reading; its exit status says why
  child.stdin.end(sentence);
  return { child, audio, exit, stderr: () => stderr };
}

/** Stream float samples out of one espeak-ng process's WAV output. Throws when it fails. */
async function* readEspeak(run: EspeakRun, sentence: number): AsyncGenerator<SynthesisChunk> {
  let header: Buffer | null = Buffer.alloc(0);
  let sampleRate = 0;
  let carry: Buffer = Buffer.alloc(0);
  for await (const data of run.audio) {
    let bytes = data;
    if (header) {
      header = Buffer.concat([header, bytes]);
      if (header.length < WAV_HEADER_BYTES) continue;
      const info = parseWavHeader(header);
      if (info.audioFormat !== 1 || info.channels !== 1)
        throw new Error(`espeak-ng produced unexpected WAV (format ${info.audioFormat}, ${info.channels} channels)`);
      sampleRate = info.sampleRate;
      bytes = header.subarray(info.dataOffset);
      header = null;
    }
    if (carry.length) bytes = Buffer.concat([carry, bytes]);
    const usable = bytes.length - (bytes.length % 2);
    carry = Buffer.from(bytes.subarray(usable));
    if (!usable) continue;
    const samples = new Float32Array(usable / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2) / 32768;
    yield { samples, sampleRate, sentence };
  }
  const r = await run.exit;
  if (r.error) throw new Error(`espeak-ng could not run: ${r.error.message}`);
  if (r.code !== 0) throw new Error(`espeak-ng failed (${r.signal ?? `exit ${r.code}`}): ${run.stderr().trim() || 'no message'}`);
}

export class EspeakSynthesizer implements Synthesizer {
  readonly backend = 'espeak' as const;
  private readonly list: EspeakVoice[];

  constructor(voices: EspeakVoice[] = espeakVoices()) {
    this.list = voices;
  }

  voices(): TtsVoice[] {
    return this.list.map(({ espeakName: _, ...v }) => v);
  }

  /** Validates the request at once (bad voice, speed or text throw here), then streams. */
  synthesize(req: SynthesisRequest, signal?: AbortSignal): AsyncIterable<SynthesisChunk> {
    const pieces = checkPieces(req.pieces);
    const wpm = wordsPerMinute(req.speed ?? 1);
    const voice = resolveVoice(this.list, req.voice, req.language);
    if (!voice) {
      throw new TtsRequestError(
        req.voice
          ? `unknown espeak voice "${req.voice}" (ids look like espeak:en-us, espeak:ar)`
          : `no espeak voice for language "${req.language}"`,
      );
    }
    return this.stream(voice, wpm, pieces, signal, slowdownTempo(req.speed ?? 1));
  }

  private async *stream(
    voice: EspeakVoice,
    wpm: number,
    pieces: readonly string[],
    signal?: AbortSignal,
    tempo = 1,
  ): AsyncGenerator<SynthesisChunk> {
    if (signal?.aborted) return;
    const live = new Set<EspeakRun>();
    const start = (i: number): EspeakRun => {
      const run = startEspeak(voice, wpm, pieces[i]!);
      live.add(run);
      void run.exit.then(() => live.delete(run));
      return run;
    };
    const killAll = () => {
      for (const r of live) r.child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', killAll, { once: true });
    try {
      let next = start(0);
      for (let i = 0; i < pieces.length; i++) {
        const current = next;
        if (i + 1 < pieces.length) next = start(i + 1);
        try {
          if (tempo === 1) {
            for await (const chunk of readEspeak(current, i)) {
              if (signal?.aborted) return;
              yield chunk;
            }
          } else {
            // Slower than espeak-ng can speak: the piece at its slowest rate, stretched whole.
            const parts: SynthesisChunk[] = [];
            for await (const chunk of readEspeak(current, i)) {
              if (signal?.aborted) return;
              parts.push(chunk);
            }
            if (parts.length) {
              const rate = parts[0]!.sampleRate;
              yield { samples: stretchTempo(concatFloat32(parts.map((p) => p.samples)), rate, tempo), sampleRate: rate, sentence: i };
            }
          }
        } catch (err) {
          if (signal?.aborted) return; // killed on purpose
          throw err;
        }
        if (signal?.aborted) return;
      }
    } finally {
      signal?.removeEventListener('abort', killAll);
      // Consumer stopped early, abort, or error: leave nothing running (and reaped) when the iterator ends.
      killAll();
      await Promise.all([...live].map((r) => r.exit));
    }
  }
}

export function createEspeakSynthesizer(): EspeakSynthesizer {
  const status = espeakStatus();
  if (!status.available) throw new EngineUnavailableError(`espeak backend unavailable: ${status.detail}`);
  return new EspeakSynthesizer();
}
