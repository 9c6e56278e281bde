// Freed native memory back to the OS. glibc keeps freed heap memory in its arenas: buffers freed on the main
// thread (a large upload's samples, audio queued for a worker), ONNX Runtime's tensors in a sherpa worker, a
// pocketsphinx decoder — the process would stay at its peak RSS after every stream has closed. A short while
// after streams close (debounced: one trim after a wave of closes), malloc_trim(0) returns it, process-wide.
// It comes from our pocketsphinx addon (the only native code we build); without it (not built, not glibc)
// nothing is trimmed, and memory stays with the allocator for reuse as before.
import { existsSync } from 'node:fs';
import { ADDON_PATH, loadAddon } from './backends/pocketsphinx/native.js';

/** Wait this long after the last stream closed before trimming (ms): one trim per wave of closes. */
export const TRIM_AFTER_MS = 1000;

let trimmer: (() => boolean) | null | undefined;
let timer: NodeJS.Timeout | null = null;

function loadTrimmer(): (() => boolean) | null {
  if (trimmer !== undefined) return trimmer;
  try {
    const addon = existsSync(ADDON_PATH) ? loadAddon() : null;
    trimmer = addon?.trim ? () => addon.trim!() : null;
  } catch {
    trimmer = null;
  }
  return trimmer;
}

/** Give freed heap memory back now; whether the allocator released any (false: nothing to trim or no trimmer). */
export function returnFreedMemory(): boolean {
  return loadTrimmer()?.() ?? false;
}

/** A stream or job closed: trim once things have settled (TRIM_AFTER_MS after the last call). */
export function scheduleMemoryReturn(): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    returnFreedMemory();
  }, TRIM_AFTER_MS);
  timer.unref();
}
