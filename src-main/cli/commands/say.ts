// `earshot say "<text>" -o out.wav`: speak text into a WAV file through the same streaming Synthesizer path
// the API uses, writing each chunk as it arrives, and report time-to-first-audio against the total time.
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { float32ToS16le, wavHeader } from '../../core/audio/index.js';
import {
  catalogModel,
  createEngine,
  quickStartFor,
  requestSentences,
  type Synthesizer,
  type TtsBackendId,
  type TtsLoadSpec,
} from '../../core/engine/index.js';
import { checkOutputFile } from '../errors.js';

interface SayOptions {
  output: string;
  voice?: string;
  language?: string;
  speed: string;
  engine?: string;
  json?: boolean;
}

/** What `--json` prints: timings in ms since the request, and when each sentence's first audio arrived. */
export interface SayReport {
  file: string;
  backend: TtsBackendId;
  sampleRate: number;
  audioMs: number;
  ttfaMs: number;
  totalMs: number;
  sentences: number;
  /** ms since the request at which each sentence's first chunk arrived, in order. */
  sentenceFirstAudioMs: number[];
}

export function registerSay(program: Command): void {
  program
    .command('say <text>')
    .description('speak text into a WAV file (streams sentence by sentence; prints time to first audio)')
    .requiredOption('-o, --output <file>', 'WAV file to write')
    .option('--voice <id>', 'voice id or name (see GET /v1/voices), e.g. espeak:en-us, espeak:ar, piper-en-us-amy-low')
    .option('--language <code>', "pick a voice for this language (default: from the text's script, else en)")
    .option('--speed <factor>', 'speaking rate, 0.25..4', '1')
    .option('--engine <backend>', 'espeak or sherpa (default: the best installed)')
    .option('--json', 'print the timings as JSON')
    .action(async (text: string, opts: SayOptions) => {
      const speed = Number(opts.speed);
      if (!Number.isFinite(speed)) throw new Error(`--speed must be a number, got "${opts.speed}"`);
      if (opts.engine && opts.engine !== 'espeak' && opts.engine !== 'sherpa') throw new Error('--engine must be espeak or sherpa');
      checkOutputFile(opts.output);
      const language = opts.language ?? (/\p{Script=Arabic}/u.test(text) ? 'ar' : undefined);
      // A voice that is a catalog model is a sherpa voice; any other (espeak:ar, ar, Arabic) goes to espeak,
      // which resolves ids, language codes and names itself.
      const backend =
        (opts.engine as TtsBackendId | undefined) ?? (opts.voice ? (isCatalogVoice(opts.voice) ? 'sherpa' : 'espeak') : undefined);
      const spec: TtsLoadSpec[] | undefined =
        backend === 'sherpa' ? [{ backend, voice: opts.voice }] : backend === 'espeak' ? [{ backend }] : undefined;
      const engine = await createEngine({ asr: [], tts: spec, vad: false });
      try {
        await engine.ready;
        const synth = backend === 'espeak' ? engine.tts({ backend }) : engine.tts({ backend, voice: opts.voice, language });
        const report = await sayToFile(synth, { text, voice: opts.voice, language, speed }, opts.output);
        if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else {
          process.stdout.write(
            `wrote ${report.file}: ${(report.audioMs / 1000).toFixed(2)} s at ${report.sampleRate} Hz (${report.backend}, ${report.sentences} sentence(s)); ` +
              `time to first audio ${report.ttfaMs.toFixed(0)} ms, total ${report.totalMs.toFixed(0)} ms\n`,
          );
        }
      } finally {
        await engine.close();
      }
    });
}

function isCatalogVoice(id: string): boolean {
  try {
    return catalogModel(id).kind === 'tts';
  } catch {
    return false;
  }
}

/** Stream a synthesis into a WAV file (header patched with the real length at the end). */
export async function sayToFile(
  synth: Pick<Synthesizer, 'backend' | 'synthesize'>,
  req: { text: string; voice?: string; language?: string; speed?: number },
  file: string,
): Promise<SayReport> {
  const t0 = performance.now();
  const { text, ...options } = req;
  const chunks = synth.synthesize({ ...options, pieces: requestSentences(text, undefined, { quickStart: quickStartFor(synth.backend) }) });
  const fh = await open(file, 'w');
  try {
    let sampleRate = 0;
    let samples = 0;
    const sentenceFirstAudioMs: number[] = [];
    await fh.write(wavHeader({ sampleRate: 22050, dataBytes: 0 })); // placeholder, rewritten below
    for await (const c of chunks) {
      if (!sampleRate) sampleRate = c.sampleRate;
      if (c.sampleRate !== sampleRate) throw new Error(`voice changed sample rate mid-stream (${sampleRate} -> ${c.sampleRate} Hz)`);
      if (sentenceFirstAudioMs.length === c.sentence) sentenceFirstAudioMs.push(performance.now() - t0);
      const pcm = float32ToS16le(c.samples);
      await fh.write(pcm);
      samples += c.samples.length;
    }
    const totalMs = performance.now() - t0;
    if (!sampleRate) throw new Error('the voice produced no audio');
    await fh.write(wavHeader({ sampleRate, dataBytes: samples * 2 }), 0, 44, 0);
    return {
      file,
      backend: synth.backend,
      sampleRate,
      audioMs: (samples / sampleRate) * 1000,
      ttfaMs: sentenceFirstAudioMs[0]!,
      totalMs,
      sentences: sentenceFirstAudioMs.length,
      sentenceFirstAudioMs,
    };
  } finally {
    await fh.close();
  }
}
