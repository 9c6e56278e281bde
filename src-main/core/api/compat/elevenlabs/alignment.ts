// ElevenLabs' character alignment for `/with-timestamps`. Earshot's voices report when each sentence starts and
// ends (each is synthesized as its own request), not each character, so sentence boundaries are exact and the
// characters inside a sentence are spread over its audio in proportion to their count (documented in PROTOCOL.md).
export interface CharacterAlignment {
  characters: string[];
  character_start_times_seconds: number[];
  character_end_times_seconds: number[];
}

export function sentenceAlignment(sentence: string, startS: number, endS: number, leadingSpace: boolean): CharacterAlignment {
  const chars = [...(leadingSpace ? ' ' : ''), ...sentence];
  const out: CharacterAlignment = { characters: [], character_start_times_seconds: [], character_end_times_seconds: [] };
  const step = chars.length ? (endS - startS) / chars.length : 0;
  chars.forEach((c, i) => {
    out.characters.push(c);
    out.character_start_times_seconds.push(Number((startS + i * step).toFixed(3)));
    out.character_end_times_seconds.push(Number((startS + (i + 1) * step).toFixed(3)));
  });
  return out;
}
