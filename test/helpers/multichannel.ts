// Multichannel test helpers shared by test/integration/ws-multichannel.test.ts (tone fixtures) and
// test/slow/ws-multichannel-speech.test.ts (real speech).

/** Interleave equal-rate mono signals (the shorter ones padded with silence). */
export function interleave(...chans: Float32Array[]): Float32Array {
  const frames = Math.max(...chans.map((c) => c.length));
  const out = new Float32Array(frames * chans.length);
  for (let f = 0; f < frames; f++) for (let c = 0; c < chans.length; c++) out[f * chans.length + c] = chans[c]![f] ?? 0;
  return out;
}

/** The final transcripts' texts of one channel, in order. */
export const finalsOf = (messages: any[], channel: number): string[] =>
  messages.filter((m) => m.type === 'transcript' && m.is_final && m.channel === channel).map((m) => m.text);
