// `earshot transcribe <file>`: decodes any supported audio file (core/audio decodeAudioFile: WAV, FLAC, MP3,
// Ogg/Opus, Ogg/Vorbis, WebM, M4A/AAC…), downmixes it to mono, and streams the file through the same AsrStream path as live audio (100 ms
// writes, then close), and prints the finals as text, JSON, SRT or WebVTT.
import type { Command } from 'commander';
import { decodeAudioFile, downmix, resample } from '../../core/audio/index.js';
import { createEngine, type AsrBackendId, type AsrFinal, type AsrLoadSpec } from '../../core/engine/index.js';
import { toSrt, toVtt } from '../../core/store/export.js';
import { readInputFile } from '../errors.js';

const FORMATS = ['text', 'json', 'srt', 'vtt'] as const;
type Format = (typeof FORMATS)[number];

export function registerTranscribe(program: Command): void {
  program
    .command('transcribe <file>')
    .description('transcribe an audio file (WAV, FLAC, MP3, Ogg/Opus, Ogg/Vorbis, WebM, M4A/AAC; any rate, stereo mixed down)')
    .option('--engine <backend>', 'sherpa or pocketsphinx (default: the best installed)')
    .option('--model <id>', 'sherpa model id (see: earshot models list)')
    .option('--format <format>', `output: ${FORMATS.join(', ')}`, 'text')
    .option('--endpointing <ms>', 'trailing silence that ends an utterance', '600')
    .option('--punct-model <id>', 'punctuation model id (default: the installed one, if any)')
    .option('--no-punctuate', 'print the recognizer text without punctuation and capitals')
    .action(
      async (
        file: string,
        opts: { engine?: string; model?: string; format: string; endpointing: string; punctModel?: string; punctuate: boolean },
      ) => {
        if (!(FORMATS as readonly string[]).includes(opts.format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
        if (opts.engine && opts.engine !== 'sherpa' && opts.engine !== 'pocketsphinx')
          throw new Error('--engine must be sherpa or pocketsphinx');
        const endpointingMs = Number(opts.endpointing);
        if (!Number.isFinite(endpointingMs)) throw new Error(`--endpointing must be a number of ms, got "${opts.endpointing}"`);
        const decoded = await decodeAudioFile(readInputFile(file)).catch((err: Error) => {
          throw new Error(`${file}: ${err.message}`);
        });
        // The engines take 8-48 kHz; a file outside that range is resampled to 16 kHz first.
        const inRange = decoded.sampleRate >= 8000 && decoded.sampleRate <= 48000;
        const wav = { sampleRate: inRange ? decoded.sampleRate : 16000 };
        const samples = inRange ? downmix(decoded.channelData) : resample(downmix(decoded.channelData), decoded.sampleRate, 16000);
        const backend = (opts.engine ?? (opts.model ? 'sherpa' : undefined)) as AsrBackendId | undefined;
        const spec: AsrLoadSpec[] | undefined = backend || opts.model ? [{ backend, model: opts.model }] : undefined;
        const punct = opts.punctuate === false ? false : opts.punctModel ? { model: opts.punctModel } : undefined;
        const engine = await createEngine({ asr: spec, tts: [], punct });
        try {
          await engine.ready;
          const asr = engine.asr({ backend, model: opts.model });
          const stream = asr.createStream({ sampleRate: wav.sampleRate, endpointingMs, vad: false });
          const finals: AsrFinal[] = [];
          const failed = new Promise<never>((_, reject) => stream.on('error', reject));
          // With a punctuation model the engine's finals carry a punctuated form: that is what is printed.
          stream.on('final', (f) => finals.push(punct !== false && f.punctuatedText ? { ...f, text: f.punctuatedText } : f));
          const step = Math.round(wav.sampleRate / 10);
          for (let i = 0; i < samples.length; i += step) {
            stream.write(samples.subarray(i, i + step));
            if ((i / step) % 50 === 49) await new Promise((r) => setImmediate(r)); // let events through
          }
          await Promise.race([stream.close(), failed]);
          process.stdout.write(render(finals, opts.format as Format, { file, backend: asr.backend, model: asr.modelId }));
        } finally {
          await engine.close();
        }
      },
    );
}

function render(finals: AsrFinal[], format: Format, meta: { file: string; backend: string; model: string }): string {
  const segments = finals.map((f) => ({ startMs: f.startMs, endMs: f.endMs, text: f.text }));
  switch (format) {
    case 'json':
      return JSON.stringify({ ...meta, text: finals.map((f) => f.text).join(' '), segments: finals }, null, 2) + '\n';
    case 'srt':
      return toSrt(segments);
    case 'vtt':
      return toVtt(segments);
    default:
      return finals.map((f) => f.text).join('\n') + (finals.length ? '\n' : '');
  }
}
