// A sink monitor delivers exact zeros, forever, whenever nothing is playing. Feeding hours of that to the
// recognizer costs CPU and, for pocketsphinx, skews its running cepstral mean so the first words after a
// long idle stretch are misheard. The gate drops digital silence (all-zero blocks) except a tail after
// sound, long enough for the endpointer to close the utterance. Real-world quiet (noise floor) is never
// all-zero, so it always passes.

export class DigitalSilenceGate {
  /** Zero samples still allowed through since the last non-zero block. */
  private tailLeft = 0;

  /** @param tailSamples zeros passed after sound (e.g. 1.5 s at the stream rate: more than the endpointing). */
  constructor(private readonly tailSamples: number) {}

  /** The part of `block` to forward (possibly empty). */
  filter(block: Float32Array): Float32Array {
    if (block.some((v) => v !== 0)) {
      this.tailLeft = this.tailSamples;
      return block;
    }
    if (this.tailLeft <= 0) return block.subarray(0, 0);
    const n = Math.min(this.tailLeft, block.length);
    this.tailLeft -= n;
    return block.subarray(0, n);
  }
}
