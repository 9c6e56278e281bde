// LibriSpeech utterances joined by sox into one 16 kHz 16-bit WAV, with a gap of near-silence between them: the speech
// the format tests hold pocketsphinx to. The file must be the same bytes on every run. sox dithers by default
// (TPDF, seeded from the clock unless -R), and the silence that `sox -n … trim` made for the gaps was dithered: each
// run's WAV had different ±1 LSB noise in its gaps, and pocketsphinx, which changes words for a 1-LSB change
// before an utterance, gave identical-looking runs a word or two apart (the WAV 35.3 % / 36.1 %, the MP3 36.1 % /
// 37.8 % of the audio-formats test; measured: 2 of 30 such WAVs gave 35.3 %, and each file gave the same words in
// every process). `-R` seeds sox's dither with a fixed number: the gaps keep their ±1 LSB of noise, the same every
// run. (Not `-D`, exact zeros: pocketsphinx hears digital silence before an utterance differently, and Vorbis's
// pre-echo in such gaps then moved its WER 4 points from the WAV's.)
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LIBRISPEECH } from './shared.js';

const run = promisify(execFile);

/** Write the LibriSpeech dev utterances `ids`, in order, `gapS` seconds of (fixed, dithered) silence apart, to `out` (WAV). */
export async function joinSpeech(ids: readonly string[], gapS: number, out: string): Promise<void> {
  const gap = `|sox -R -n -r 16000 -c 1 -b 16 -t wav - trim 0 ${gapS}`;
  const parts = ids.flatMap((id, i) => (i ? [gap, join(LIBRISPEECH, `${id}.wav`)] : [join(LIBRISPEECH, `${id}.wav`)]));
  await run('sox', ['-R', ...parts, out]);
}
