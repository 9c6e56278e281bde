// Word error rate, scored the way ../shared/audio/README.md says: upper-case, punctuation removed except
// apostrophes, then word-level edit distance (substitutions + deletions + insertions) over reference words.

/** Upper-case words with punctuation stripped (apostrophes kept: "DON'T"). */
export function normalizeWords(text: string): string[] {
  return text
    .toUpperCase()
    .replace(/[’‘]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^'+|'+$/g, '') || w)
    .filter((w) => w && w !== "'");
}

export interface EditCounts {
  substitutions: number;
  deletions: number;
  insertions: number;
  /** substitutions + deletions + insertions */
  errors: number;
  refWords: number;
}

/** Levenshtein alignment of two word sequences (O(n·m) time, O(m) memory). */
export function editCounts(ref: readonly string[], hyp: readonly string[]): EditCounts {
  type Cell = { cost: number; s: number; d: number; i: number };
  let prev: Cell[] = Array.from({ length: hyp.length + 1 }, (_, j) => ({ cost: j, s: 0, d: 0, i: j }));
  for (let r = 1; r <= ref.length; r++) {
    const cur: Cell[] = [{ cost: r, s: 0, d: r, i: 0 }];
    for (let h = 1; h <= hyp.length; h++) {
      const same = ref[r - 1] === hyp[h - 1];
      const diag = prev[h - 1]!;
      const up = prev[h]!;
      const left = cur[h - 1]!;
      const sub = { cost: diag.cost + (same ? 0 : 1), s: diag.s + (same ? 0 : 1), d: diag.d, i: diag.i };
      const del = { cost: up.cost + 1, s: up.s, d: up.d + 1, i: up.i };
      const ins = { cost: left.cost + 1, s: left.s, d: left.d, i: left.i + 1 };
      cur.push(sub.cost <= del.cost && sub.cost <= ins.cost ? sub : del.cost <= ins.cost ? del : ins);
    }
    prev = cur;
  }
  const last = prev[hyp.length]!;
  return { substitutions: last.s, deletions: last.d, insertions: last.i, errors: last.cost, refWords: ref.length };
}

/** WER of one hypothesis against one reference, as a fraction (0.12 = 12 %). */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const c = editCounts(normalizeWords(reference), normalizeWords(hypothesis));
  return c.refWords ? c.errors / c.refWords : c.errors ? Infinity : 0;
}

/** Corpus WER: total errors over total reference words, across utterances. */
export function corpusWer(pairs: ReadonlyArray<{ reference: string; hypothesis: string }>): EditCounts & { wer: number } {
  const total: EditCounts = { substitutions: 0, deletions: 0, insertions: 0, errors: 0, refWords: 0 };
  for (const p of pairs) {
    const c = editCounts(normalizeWords(p.reference), normalizeWords(p.hypothesis));
    total.substitutions += c.substitutions;
    total.deletions += c.deletions;
    total.insertions += c.insertions;
    total.errors += c.errors;
    total.refWords += c.refWords;
  }
  return { ...total, wer: total.refWords ? total.errors / total.refWords : 0 };
}
