// Any encoded audio → s16le mono at `rate`, with the bundled ffmpeg run as an independent decoder (tests that
// check what Earshot's encoders produce should not decode it with the same code path).
import { spawnSync } from 'node:child_process';
import { bundledFfmpeg } from '../../src-main/core/audio/index.js';

export function decodeWithFfmpeg(encoded: Buffer, rate: number): Buffer {
  const ffmpeg = bundledFfmpeg();
  if (!('path' in ffmpeg)) throw new Error(ffmpeg.reason);
  const r = spawnSync(
    ffmpeg.path,
    ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', String(rate), 'pipe:1'],
    { input: encoded, maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not decode it: ${r.stderr}`);
  return r.stdout;
}
