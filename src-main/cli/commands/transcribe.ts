// `earshot transcribe <file>`: decodes any supported audio file (core/audio decodeAudioFile: WAV, FLAC, MP3,
// Ogg/Opus, Ogg/Vorbis, WebM, M4A/AAC…), downmixes it to mono, and streams the file through the same AsrStream path as live audio (100 ms
// writes, then close), and prints the finals as text, JSON, SRT or WebVTT. On a terminal it shows how far decoding
// has got and the time left (stderr, only when stderr is a TTY, so pipes and logs stay clean); `--save` stores the
// transcript as a session titled from the file name, like a file dropped in the app.
import type { Command } from 'commander';
import { decodeAudioFile, downmix, resample } from '../../core/audio/index.js';
import { createEngine, type AsrBackendId, type AsrFinal, type AsrLoadSpec } from '../../core/engine/index.js';
import { openStore, titleFromFileName, toSrt, toVtt, type Store } from '../../core/store/index.js';
import { readInputFile } from '../errors.js';
import { TerminalProgress } from '../terminal-progress.js';

const FORMATS = ['text', 'json', 'srt', 'vtt'] as const;
type Format = (typeof FORMATS)[number];

export function registerTranscribe(program: Command): void {
  program
    .command('transcribe <file>')
    .description('transcribe an audio file (WAV, FLAC, MP3, Ogg/Opus, Ogg/Vorbis, WebM, M4A/AAC; any rate, stereo mixed down)')
    .option('--engine <backend>', 'sherpa or pocketsphinx (default: the best installed)')
    .option('--model <id>', 'sherpa model id (see: earshot models list)')
    .option(
      '--language <code>',
      'the spoken language (ISO 639-1, e.g. de): the recognizer installed for it; JSON output names it per segment; see: earshot models list --language <code>',
    )
    .option('--format <format>', `output: ${FORMATS.join(', ')}`, 'text')
    .option('--endpointing <ms>', 'trailing silence that ends an utterance', '600')
    .option('--punct-model <id>', 'punctuation model id (default: the installed one, if any)')
    .option('--no-punctuate', 'print the recognizer text without punctuation and capitals')
    .option('--save', 'also store the transcript as a session titled from the file name (prints its id on stderr)')
    .option('--db <path>', 'transcript database for --save (default: $EARSHOT_DB, else the user data dir)')
    .action(
      async (
        file: string,
        opts: {
          engine?: string;
          model?: string;
          language?: string;
          format: string;
          endpointing: string;
          punctModel?: string;
          punctuate: boolean;
          save?: boolean;
          db?: string;
        },
      ) => {
        if (!(FORMATS as readonly string[]).includes(opts.format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
        if (opts.engine && opts.engine !== 'sherpa' && opts.engine !== 'pocketsphinx')
          throw new Error('--engine must be sherpa or pocketsphinx');
        if (opts.language !== undefined && !/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/.test(opts.language))
          throw new Error(`--language must be an ISO 639-1 code such as "en" or "de", got "${opts.language}"`);
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
        // Opened before the long decode, so a database that cannot be opened fails at once.
        const store: Store | null = opts.save ? openStore(opts.db ? { path: opts.db } : {}) : null;
        const engine = await createEngine({ asr: spec, tts: [], punct });
        const progress = new TerminalProgress(process.stderr);
        try {
          await engine.ready;
          const asr = engine.asr({ backend, model: opts.model, language: opts.language });
          const stream = asr.createStream({ sampleRate: wav.sampleRate, endpointingMs, vad: false });
          const finals: AsrFinal[] = [];
          const failed = new Promise<never>((_, reject) => stream.on('error', reject));
          // With a punctuation model the engine's finals carry a punctuated form: that is what is printed.
          stream.on('final', (f) => finals.push(punct !== false && f.punctuatedText ? { ...f, text: f.punctuatedText } : f));
          const step = Math.round(wav.sampleRate / 10);
          const totalMs = (samples.length * 1000) / wav.sampleRate;
          // Decoded = written − still queued in the worker (its progress reports keep pendingMs current).
          const tick = setInterval(() => progress.update(Math.max(0, stream.writtenMs - stream.pendingMs) / totalMs), 200);
          try {
            for (let i = 0; i < samples.length; i += step) {
              stream.write(samples.subarray(i, i + step));
              if ((i / step) % 50 === 49) await new Promise((r) => setImmediate(r)); // let events through
            }
            await Promise.race([stream.close(), failed]);
          } finally {
            clearInterval(tick);
            progress.done();
          }
          const language = opts.language ?? asr.language;
          const sessionId = store ? saveSession(store, file, finals, { backend: asr.backend, model: asr.modelId, language }) : null;
          process.stdout.write(
            render(finals, opts.format as Format, {
              file,
              backend: asr.backend,
              model: asr.modelId,
              language,
              ...(sessionId ? { session_id: sessionId } : {}),
            }),
          );
          if (sessionId) process.stderr.write(`saved as session ${sessionId} ("${titleFromFileName(file)}")\n`);
        } finally {
          progress.done();
          await engine.close();
          store?.close();
        }
      },
    );
}

/** Stores the finals as one complete session titled from the file name; returns its id. */
function saveSession(store: Store, file: string, finals: AsrFinal[], meta: { backend: string; model: string; language: string }): string {
  const id = store.createSession({
    title: titleFromFileName(file),
    sources: ['file'],
    engine: meta.backend,
    model: meta.model,
    language: meta.language,
  });
  try {
    for (const f of finals) {
      store.appendSegment(id, {
        track: 'file',
        startMs: f.startMs,
        endMs: f.endMs,
        text: f.text,
        confidence: Math.min(1, Math.max(0, f.confidence ?? 1)),
        words: f.words ?? [],
      });
    }
    store.endSession(id, 'complete');
  } catch (err) {
    store.deleteSession(id);
    throw err;
  }
  return id;
}

function render(
  finals: AsrFinal[],
  format: Format,
  meta: { file: string; backend: string; model: string; language: string; session_id?: string },
): string {
  const segments = finals.map((f) => ({ startMs: f.startMs, endMs: f.endMs, text: f.text }));
  switch (format) {
    case 'json':
      return (
        JSON.stringify(
          {
            ...meta,
            text: finals.map((f) => f.text).join(' '),
            segments: finals.map((f) => ({ ...f, language: f.language ?? meta.language })),
          },
          null,
          2,
        ) + '\n'
      );
    case 'srt':
      return toSrt(segments);
    case 'vtt':
      return toVtt(segments);
    default:
      return finals.map((f) => f.text).join('\n') + (finals.length ? '\n' : '');
  }
}
