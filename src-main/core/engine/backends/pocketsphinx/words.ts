// Turning pocketsphinx's segments into words: drop sentence markers, silence and fillers, strip the "(2)" that
// marks an alternate pronunciation, and convert frames (10 ms) to stream milliseconds.
import type { WordTiming } from '../../types.js';
import type { PsSegment } from './native.js';

/** True for <s>, </s>, <sil>, <unk>, [NOISE], ++BREATH++ and similar non-words. */
export function isFiller(word: string): boolean {
  return /^<.*>$/.test(word) || /^\[.*\]$/.test(word) || /^\+\+.*\+\+$/.test(word);
}

/** "read(2)" -> "read". */
export function baseWord(word: string): string {
  return word.replace(/\(\d+\)$/, '');
}

/** A hypothesis string with fillers and alternate markers removed. */
export function cleanHypothesis(hyp: string | null): string {
  if (!hyp) return '';
  return hyp
    .split(/\s+/)
    .filter((w) => w && !isFiller(w))
    .map(baseWord)
    .join(' ');
}

export interface UtteranceWords {
  words: WordTiming[];
  /** Mean posterior of the words (0..1); 0 when none was computed. */
  confidence: number;
}

/**
 * Real words with times: `offsetMs` is the stream time of the utterance's frame 0; a segment covers frames
 * startFrame..endFrame inclusive.
 */
export function segmentsToWords(segments: readonly PsSegment[], offsetMs: number, frameMs = 10): UtteranceWords {
  const words: WordTiming[] = [];
  let probSum = 0;
  let probCount = 0;
  for (const s of segments) {
    if (isFiller(s.word)) continue;
    words.push({ word: baseWord(s.word), startMs: offsetMs + s.startFrame * frameMs, endMs: offsetMs + (s.endFrame + 1) * frameMs });
    if (s.prob >= 0) {
      probSum += Math.min(1, s.prob);
      probCount++;
    }
  }
  return { words, confidence: probCount ? probSum / probCount : 0 };
}
