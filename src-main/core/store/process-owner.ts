// Who owns a `live` session row: a process id AND that process's start time. A pid alone is not an identity:
// pids are reused, and in a container the server is PID 1 on every start — a row written by the PID 1 of a
// previous container (killed mid-session) would otherwise look alive forever, to the new PID 1 itself above all.
import { readFileSync } from 'node:fs';

/** This process's start, epoch ms (what createSession/resumeSession record with the pid). */
export const OWN_START_MS = Math.round(performance.timeOrigin);

/**
 * How far a process start time read from /proc may differ from the recorded one and still be the same process:
 * /proc gives boot time in whole seconds and start in clock ticks, and Node's time origin is taken a little
 * after exec.
 */
const START_TOLERANCE_MS = 5000;

/** Linux: when process `pid` started (epoch ms), from /proc; null where that cannot be read. */
export function processStartMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]); // field 22 overall
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!btime || !Number.isFinite(startTicks)) return null;
    const CLK_TCK = 100; // USER_HZ is 100 on every Linux ABI Node supports
    return Number(btime[1]) * 1000 + (startTicks * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/**
 * Whether the process that wrote a live row (pid + start time) is still running. Rows without a start time
 * come from before it was recorded: they are trusted as before, except under our own pid — this process never
 * writes such rows, so they belong to an earlier process that had the same pid.
 */
export function ownerAlive(pid: number, startedAtMs: number | null): boolean {
  if (pid === process.pid) return startedAtMs !== null && Math.abs(startedAtMs - OWN_START_MS) < START_TOLERANCE_MS;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startedAtMs === null) return true;
  const actual = processStartMs(pid);
  // Where the start time cannot be read (not Linux, or /proc hidden), a running pid is taken at its word.
  return actual === null || Math.abs(actual - startedAtMs) < START_TOLERANCE_MS;
}
