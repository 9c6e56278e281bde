// Errors a person can act on: every failure the CLI prints names the problem and the next step, instead of
// Node's raw `ENOENT: no such file or directory, open …`, `EISDIR: illegal operation on a directory, read`
// or `listen EADDRINUSE …`. Commands check their input files up front (readInputFile, checkOutputFile);
// describeError turns whatever still escapes into one sentence with a hint.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** An error whose message is already written for the person at the terminal. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** What `serve` listens on, by flag, so a port in use can be named with the flag that moves it. */
export interface PortFlags {
  [flag: string]: number;
}

const AUDIO_EXT = /\.(wav|wave|mp3|flac|ogg|opus|m4a|webm)$/i;

/** A few audio files inside `dir`, to suggest when a folder was given instead of a file. */
function audioFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => AUDIO_EXT.test(n))
      .sort()
      .slice(0, 3)
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** The bytes of an input file; a missing path or a folder is a CliError that says what to do. */
export function readInputFile(path: string, what = 'audio file'): Buffer {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) {
    throw new CliError(
      `${path}: no such file (looked for ${resolve(path)}) — check the name and folder, or give the full path of the ${what}`,
    );
  }
  if (st.isDirectory()) {
    const examples = audioFilesIn(path);
    throw new CliError(
      `${path} is a folder, not a file — give the path of one ${what} inside it` +
        (examples.length ? ` (e.g. ${examples.join(', ')})` : ''),
    );
  }
  return readFileSync(path);
}

/** An output path must be a file name in an existing folder (not a folder itself). */
export function checkOutputFile(path: string): void {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new CliError(`${path} is a folder — give a file name to write, e.g. ${join(path, 'out.wav')}`);
  const parent = dirname(resolve(path));
  const pst = statSync(parent, { throwIfNoEntry: false });
  if (!pst)
    throw new CliError(
      `cannot write ${path}: the folder ${parent} does not exist — create it first (mkdir -p ${parent}) or pick another place`,
    );
  if (!pst.isDirectory()) throw new CliError(`cannot write ${path}: ${parent} is a file, not a folder`);
}

/** The port number in an EADDRINUSE error (Node's `err.port`, or gRPC's "… 127.0.0.1:50052]" text). */
function portInUse(err: Error & { code?: string; port?: number }): number | null {
  if (err.code !== 'EADDRINUSE' && !/EADDRINUSE/.test(err.message)) return null;
  if (typeof err.port === 'number') return err.port;
  const m = /EADDRINUSE[^\]]*?:(\d+)\b/.exec(err.message);
  return m ? Number(m[1]) : null;
}

/**
 * One line for the terminal: the problem and the next step. `ports` maps serve's port flags to the ports asked for,
 * so "port in use" can say which flag picks another one.
 */
export function describeError(err: unknown, ports: PortFlags = {}): string {
  if (!(err instanceof Error)) return String(err);
  if (err instanceof CliError) return err.message;
  const e = err as Error & { code?: string; path?: string; port?: number; address?: string; syscall?: string };

  const port = portInUse(e);
  if (port !== null) {
    const flag = Object.entries(ports).find(([, p]) => p === port)?.[0] ?? '--port-asr';
    return `port ${port} is in use — is Earshot already running? Stop it, or pick another port (\`earshot serve ${flag} N\`; 0 picks a free one)`;
  }
  if (e.code === 'EADDRNOTAVAIL') {
    return `cannot listen on ${e.address ?? 'that address'}: it is not an address of this machine — use 127.0.0.1 (the default) or one of this machine's addresses with --host`;
  }
  if (e.code === 'EACCES' && e.syscall === 'listen') {
    return `not allowed to listen on port ${e.port ?? ''}: ports below 1024 need administrator rights — pick a port above 1024`;
  }
  if (e.path) {
    if (e.code === 'ENOENT')
      return `${e.path}: no such file or folder (looked for ${resolve(e.path)}) — check the path, or give the full path`;
    if (e.code === 'EISDIR') return `${e.path} is a folder, not a file — give the path of a file`;
    if (e.code === 'ENOTDIR') return `${e.path}: a part of this path is a file, not a folder — check the path`;
    if (e.code === 'EACCES' || e.code === 'EPERM')
      return `${e.path}: permission denied — choose a place you can read/write, or fix its permissions`;
    if (e.code === 'ENOSPC') return `${e.path}: the disk is full — free some space and try again`;
  }
  if (e.code === 'EISDIR') return 'a folder was given where a file is needed — give the path of a file';
  return e.message;
}
