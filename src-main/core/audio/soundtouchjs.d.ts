// Types for the parts of npm `soundtouchjs` (SoundTouch's WSOLA time-stretch in JS) that time-stretch.ts uses;
// the package ships none.
declare module 'soundtouchjs' {
  export class SoundTouch {
    tempo: number;
  }
  /** Pulls interleaved stereo frames from `source`, pushes them through `pipe`. */
  export class SimpleFilter {
    constructor(source: { extract(target: Float32Array, numFrames: number, position: number): number }, pipe: SoundTouch);
    /** Fills `target` with up to `numFrames` interleaved stereo frames; returns how many. */
    extract(target: Float32Array, numFrames: number): number;
  }
}
