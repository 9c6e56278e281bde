// Tempo change without pitch change (SoundTouch's WSOLA, npm `soundtouchjs`, pure JS). Used where a voice
// cannot speak as slowly as asked (espeak-ng's floor is 80 words per minute, a speed of 0.46): the slowest
// native rate is stretched the rest of the way, so `speed` stays proportional over its whole range.
import { SimpleFilter, SoundTouch } from 'soundtouchjs';

/** SoundTouch keeps this much audio in its pipeline; silence pushed after the input flushes it out. */
const FLUSH_SECONDS = 0.5;
const BLOCK_FRAMES = 4096;

/** `samples` (mono) played at `tempo` × speed (0.1..1 slows down), same pitch; length = round(n / tempo). */
export function stretchTempo(samples: Float32Array, sampleRate: number, tempo: number): Float32Array {
  if (!(tempo >= 0.1 && tempo <= 10)) throw new RangeError(`tempo ${tempo} is outside 0.1..10`);
  const want = Math.round(samples.length / tempo);
  if (tempo === 1 || samples.length === 0) return samples;
  const input = samples.length + Math.ceil(FLUSH_SECONDS * sampleRate);
  const st = new SoundTouch();
  st.tempo = tempo;
  // The library works on interleaved stereo: each mono sample goes to both channels.
  const source = {
    extract(target: Float32Array, numFrames: number, position: number): number {
      const n = Math.max(0, Math.min(numFrames, input - position));
      for (let i = 0; i < n; i++) {
        const v = position + i < samples.length ? samples[position + i]! : 0;
        target[2 * i] = v;
        target[2 * i + 1] = v;
      }
      return n;
    },
  };
  const filter = new SimpleFilter(source, st);
  const out = new Float32Array(want);
  const block = new Float32Array(BLOCK_FRAMES * 2);
  let o = 0;
  while (o < want) {
    const n = filter.extract(block, BLOCK_FRAMES);
    if (n === 0) break;
    for (let i = 0; i < n && o < want; i++) out[o++] = block[2 * i]!;
  }
  return out; // any shortfall (never seen) stays silence at the end
}
