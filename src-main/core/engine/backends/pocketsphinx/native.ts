// Where the pocketsphinx addon and the system's English model live, and whether both are there.
// Loaded in workers only (the addon's calls are synchronous); the main thread just checks files.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendStatus } from '../../types.js';

export const ADDON_PATH = fileURLToPath(new URL('./native/build/Release/pocketsphinx.node', import.meta.url));
/** The Debian/Ubuntu `pocketsphinx-en-us` model (EARSHOT_POCKETSPHINX_MODEL overrides the folder). */
export const MODEL_DIR = process.env.EARSHOT_POCKETSPHINX_MODEL ?? '/usr/share/pocketsphinx/model/en-us';
export const MODEL_FILES = {
  hmm: join(MODEL_DIR, 'en-us'),
  lm: join(MODEL_DIR, 'en-us.lm.bin'),
  dict: join(MODEL_DIR, 'cmudict-en-us.dict'),
};
export const POCKETSPHINX_RATE = 16000;
/** Frames per second of the acoustic model (-frate). */
export const FRAME_RATE = 100;

/** The addon's surface (see native/addon.c). */
export interface PocketsphinxAddon {
  /** liveCmn: live cepstral mean normalisation, updated after every processRaw call (streaming decoders). */
  create(args: string[], liveCmn?: boolean): PsHandle;
  /** Frame numbers count from here (stream-wide across utterances, as pocketsphinx 5prealpha does). */
  startStream(h: PsHandle): void;
  startUtt(h: PsHandle): void;
  processRaw(h: PsHandle, samples: Int16Array, fullUtt: boolean): boolean;
  getHyp(h: PsHandle): string | null;
  endUtt(h: PsHandle, withProb?: boolean): PsResult;
  frameRate(h: PsHandle): number;
  free(h: PsHandle): void;
  /** malloc_trim(0): freed heap memory back to the OS, process-wide; whether any was (absent in older builds). */
  trim?(): boolean;
}
export type PsHandle = { readonly __pocketsphinx: unique symbol };
export interface PsSegment {
  word: string;
  startFrame: number;
  endFrame: number;
  /** Posterior 0..1, or -1 when not computed. */
  prob: number;
}
export interface PsResult {
  text: string;
  prob: number;
  frames: number;
  words: PsSegment[];
}

/**
 * Decoder options: the model, quiet logs, and every frame kept (so frame numbers are stream time).
 * Streaming decoders are created with liveCmn (native/addon.c): the model's feat.params asks for batch
 * cepstral mean normalisation, which needs the whole utterance first; live CMN, updated after every block,
 * converges on a new speaker within seconds. The batch reference keeps the model's batch CMN.
 */
export function decoderArgs(): string[] {
  return ['-hmm', MODEL_FILES.hmm, '-lm', MODEL_FILES.lm, '-dict', MODEL_FILES.dict, '-logfn', '/dev/null', '-remove_silence', 'no'];
}

export function loadAddon(): PocketsphinxAddon {
  return createRequire(import.meta.url)(ADDON_PATH) as PocketsphinxAddon;
}

let cachedStatus: BackendStatus | null = null;

/** Available when the addon was built (npm install found libpocketsphinx) and the model files exist. */
export function pocketsphinxStatus(): BackendStatus {
  if (cachedStatus) return cachedStatus;
  const missing = Object.values(MODEL_FILES).find((f) => !existsSync(f));
  let detail: string;
  let available = false;
  if (!existsSync(ADDON_PATH)) {
    detail =
      'pocketsphinx addon not built: install libpocketsphinx-dev libsphinxbase-dev pkg-config, then run `node build/native/pocketsphinx.mjs` (or npm install)';
  } else if (missing) {
    detail = `pocketsphinx model file missing: ${missing} (apt-get install pocketsphinx-en-us, or set EARSHOT_POCKETSPHINX_MODEL)`;
  } else {
    available = true;
    detail = `system pocketsphinx, model ${MODEL_DIR}`;
  }
  cachedStatus = { id: 'pocketsphinx', kind: 'asr', available, detail };
  return cachedStatus;
}
