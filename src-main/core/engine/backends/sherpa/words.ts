// Turns a streaming result's tokens + timestamps into word timings. Tokens come from BPE ("▁hello", "wor",
// "ld") or from character models where "▁" (or " ") stands alone as the word boundary. A word starts at its
// first token's timestamp and ends where the next token starts (or at the end of the decoded audio).
import type { WordTiming } from '../../types.js';

const BOUNDARY = /^[▁ ]/;

/**
 * @param tokens    result tokens
 * @param startsMs  absolute start (ms of stream time) of each token
 * @param endMs     end of the last token (ms of stream time)
 */
export function tokensToWords(tokens: readonly string[], startsMs: readonly number[], endMs: number): WordTiming[] {
  const words: WordTiming[] = [];
  let current: { text: string; startMs: number } | null = null;
  const close = (atMs: number) => {
    if (current && current.text) words.push({ word: current.text, startMs: current.startMs, endMs: Math.max(current.startMs, atMs) });
    current = null;
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const at = startsMs[i] ?? startsMs[startsMs.length - 1] ?? 0;
    if (BOUNDARY.test(tok)) {
      close(at);
      const rest = tok.replace(/^[▁ ]+/, '');
      if (rest) current = { text: rest, startMs: at };
    } else if (current) {
      current.text += tok;
    } else {
      current = { text: tok, startMs: at };
    }
  }
  close(endMs);
  return words;
}
