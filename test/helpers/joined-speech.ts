// LibriSpeech utterances joined by sox into one 16 kHz 16-bit WAV, with a gap of silence between them: the speech
// the format tests hold pocketsphinx to. The file must be the same bytes on every run. sox dithers by default
// (TPDF, seeded from the clock unless -R), and the silence that `sox -n … trim` made for the gaps was dithered: each
// run's WAV had different ±1 LSB noise in its gaps, and pocketsphinx, which changes words for a 1-LSB change
// before an utterance, gave identical-looking runs a word or two apart (the WAV 35.3 % / 36.1 %, the MP3 36.1 % /
// 37.8 % of the audio-formats test; measured: 2 of 30 such WAVs gave 35.3 %, and each file gave the same words in
// every process). `-D` (no dither) writes the gaps as exact zeros.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LIBRISPEECH } from './shared.js';

const run = promisify(execFile);

/** Write the LibriSpeech dev utterances `ids`, in order, `gapS` seconds of digital silence apart, to `out` (WAV). */
export async function joinSpeech(ids: readonly string[], gapS: number, out: string): Promise<void> {
  const gap = `|sox -D -n -r 16000 -c 1 -b 16 -t wav - trim 0 ${gapS}`;
  const parts = ids.flatMap((id, i) => (i ? [gap, join(LIBRISPEECH, `${id}.wav`)] : [join(LIBRISPEECH, `${id}.wav`)]));
  await run('sox', ['-D', ...parts, out]);
}
