// pocketsphinx speech recognition: zero-download English ASR over the system library (Debian/Ubuntu
// libpocketsphinx + pocketsphinx-en-us), through a small N-API addon built at install time.
import { EngineUnavailableError, type AsrEngine } from '../../types.js';
import { PocketsphinxAsrEngine, startPocketsphinxWorker, type PocketsphinxLoadOptions } from './engine.js';
import { pocketsphinxStatus } from './native.js';

export { pocketsphinxStatus } from './native.js';
export { PocketsphinxAsrEngine, MAX_WRITE_SECONDS, defaultPocketsphinxWorkers } from './engine.js';

export type { PocketsphinxLoadOptions } from './engine.js';

export async function loadPocketsphinxAsr(opts: PocketsphinxLoadOptions = {}): Promise<AsrEngine & { close(): Promise<void> }> {
  const status = pocketsphinxStatus();
  if (!status.available) throw new EngineUnavailableError(`pocketsphinx unavailable: ${status.detail}`);
  return PocketsphinxAsrEngine.load(opts);
}

let batchWorker: ReturnType<typeof startPocketsphinxWorker> | null = null;
let batchPending = 0;

/**
 * Decode a whole 16 kHz recording in one ps_process_raw(full_utt=TRUE) call (the library's batch mode), in a
 * shared worker that does not keep the process alive. The reference the streaming backend is compared with.
 */
export async function decodeWholeFile(samples16k: Float32Array): Promise<string> {
  const status = pocketsphinxStatus();
  if (!status.available) throw new EngineUnavailableError(`pocketsphinx unavailable: ${status.detail}`);
  if (!batchWorker || batchWorker.dead) batchWorker = startPocketsphinxWorker();
  const w = batchWorker;
  // Keep the process alive while a decode is pending, and not a moment longer.
  if (batchPending++ === 0) w.worker.ref();
  const copy = samples16k.slice();
  try {
    return await w.call('decodeWhole', { samples: copy }, [copy.buffer]);
  } finally {
    if (--batchPending === 0) w.worker.unref();
  }
}

/** Stop the batch worker (tests call this to exit promptly). */
export async function closeBatchDecoder(): Promise<void> {
  const w = batchWorker;
  batchWorker = null;
  if (w) await w.terminate();
}
