// The calling thread's own identity and CPU priority, on Linux (through /proc/thread-self); a no-op elsewhere.
// Used by the inference workers: each names its thread (so `top -H`, /proc/<pid>/task/*/comm and the soak can
// tell the ASR worker from the main thread, TTS or libuv's pool), and a worker that only does batch work (file
// transcriptions) lowers its own priority, so on a busy machine the kernel gives live streams' threads the CPU
// first. `os.setPriority(tid)` on Linux changes that one thread only: the main thread and the live workers keep
// theirs. A thread cannot raise its priority again without privileges, so only a thread that will do nothing
// but batch work lowers it.
import { readlinkSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The kernel's id of the calling thread (Linux), or null where /proc/thread-self does not exist. */
export function currentThreadId(): number | null {
  try {
    // A link to /proc/<pid>/task/<tid>.
    const m = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Names the calling thread (Linux keeps 15 bytes); returns whether it could. */
export function nameThisThread(name: string): boolean {
  try {
    writeFileSync('/proc/thread-self/comm', Buffer.from(name).subarray(0, 15));
    return true;
  } catch {
    return false;
  }
}

/**
 * Lowers the calling thread's CPU priority to nice `nice` (1..19; never raises it). Returns the thread's nice
 * value afterwards, or null where threads cannot be told apart (not Linux) or the call was refused.
 */
export function lowerThisThreadPriority(nice: number): number | null {
  if (!Number.isInteger(nice) || nice < 1 || nice > 19) throw new RangeError(`nice must be an integer 1..19, got ${nice}`);
  const tid = currentThreadId();
  if (tid === null) return null;
  try {
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return null;
  }
}

/** A thread's nice value (Linux tid), or null when it cannot be read. */
export function threadPriority(tid: number): number | null {
  try {
    return getPriority(tid);
  } catch {
    return null;
  }
}
