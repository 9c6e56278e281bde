// Dictation output: puts recognised text into whatever app has the keyboard focus, using the OS's own
// input tools, and says which mechanism it used (or why none could be used). Plain Node (no Electron
// import), so the integration test drives it against a real X server.
//
// Mechanisms, in order of preference per platform:
//   Linux/X11      xdotool type (synthetic key events)      | xclip + xdotool key ctrl+v (clipboard restored)
//   Linux/Wayland  wtype (virtual-keyboard protocol)          | ydotool type (uinput; needs ydotoold)
//   macOS          osascript System Events keystroke          | pbcopy + cmd-V (clipboard restored)
//   Windows        PowerShell SendKeys                        | Set-Clipboard + ctrl-V (clipboard restored)
// Typing is preferred because it leaves the clipboard alone; paste is faster for long text and works where
// typing drops non-ASCII characters, so callers may ask for it.
import { spawn } from 'node:child_process';
import { onPath } from '../core/sessions/index.js';

export type DictationMechanism =
  'xdotool-type' | 'xdotool-paste' | 'wtype' | 'ydotool' | 'osascript-keystroke' | 'osascript-paste' | 'sendkeys' | 'powershell-paste';

export interface MechanismStatus {
  id: DictationMechanism;
  available: boolean;
  /** What it needs and, when unavailable, what is missing. */
  detail: string;
}

export interface DictationEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Whether an executable is on PATH. */
  has: (command: string) => boolean;
}

export type DictationResult =
  { ok: true; mechanism: DictationMechanism; chars: number } | { ok: false; mechanism: DictationMechanism | 'none'; error: string };

export class DictationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DictationError';
  }
}

/** Longest text one dictate() call will inject; a runaway transcript must not type for minutes. */
export const MAX_DICTATION_CHARS = 20_000;

export function currentEnvironment(env: NodeJS.ProcessEnv = process.env): DictationEnvironment {
  return { platform: process.platform, env, has: (c) => onPath(c, env) };
}

function status(id: DictationMechanism, missing: string[], needs: string): MechanismStatus {
  return missing.length
    ? { id, available: false, detail: `needs ${needs}; missing: ${missing.join(', ')}` }
    : { id, available: true, detail: `uses ${needs}` };
}

/** Every mechanism for this platform, best first, with whether it can run here and why not. */
export function detectDictationMechanisms(e: DictationEnvironment): MechanismStatus[] {
  const missing = (...cmds: string[]) => cmds.filter((c) => !e.has(c));
  if (e.platform === 'darwin') {
    return [
      status('osascript-keystroke', missing('osascript'), 'osascript (grant Accessibility permission)'),
      status('osascript-paste', missing('osascript', 'pbcopy', 'pbpaste'), 'osascript, pbcopy, pbpaste'),
    ];
  }
  if (e.platform === 'win32') {
    const ps = e.has('powershell') ? [] : ['powershell'];
    return [status('sendkeys', ps, 'PowerShell SendKeys'), status('powershell-paste', ps, 'PowerShell clipboard + ctrl-V')];
  }
  if (e.platform === 'linux' || e.platform === 'freebsd' || e.platform === 'openbsd') {
    const wayland = Boolean(e.env.WAYLAND_DISPLAY) || e.env.XDG_SESSION_TYPE === 'wayland';
    const x11 = Boolean(e.env.DISPLAY);
    const noX = x11 ? [] : ['an X display (DISPLAY is unset)'];
    const noWayland = wayland ? [] : ['a Wayland session (WAYLAND_DISPLAY is unset)'];
    const xdoType = status('xdotool-type', [...noX, ...missing('xdotool')], 'xdotool on X11');
    const xdoPaste = status('xdotool-paste', [...noX, ...missing('xdotool', 'xclip')], 'xclip + xdotool on X11');
    const wtype = status('wtype', [...noWayland, ...missing('wtype')], 'wtype on Wayland');
    const ydotool = status('ydotool', missing('ydotool'), 'ydotool (and its ydotoold daemon)');
    // Under Wayland, xdotool reaches only XWayland windows, so the Wayland tools come first.
    return wayland ? [wtype, ydotool, xdoType, xdoPaste] : [xdoType, xdoPaste, wtype, ydotool];
  }
  return [];
}

/** The mechanism to use: the preferred one if available, else the best available; null when none is. */
export function chooseMechanism(statuses: MechanismStatus[], prefer?: DictationMechanism): MechanismStatus | null {
  const preferred = prefer && statuses.find((s) => s.id === prefer && s.available);
  return preferred || statuses.find((s) => s.available) || null;
}

/** One line for the UI/logs when nothing can type: every mechanism and what it lacks. */
export function describeUnavailable(statuses: MechanismStatus[], platform: NodeJS.Platform): string {
  if (!statuses.length) return `no dictation output mechanism is known for platform ${platform}`;
  return 'no dictation output mechanism available: ' + statuses.map((s) => `${s.id} (${s.detail})`).join('; ');
}

/**
 * Text as it will be typed: control characters other than newline and tab removed (they would act as
 * shortcuts in the target app), CRLF folded. Throws DictationError on empty or oversized text.
 */
export function sanitizeDictation(text: unknown): string {
  if (typeof text !== 'string') throw new DictationError('dictation text must be a string');
  if (text.length > MAX_DICTATION_CHARS)
    throw new DictationError(`dictation text is ${text.length} characters; the limit is ${MAX_DICTATION_CHARS}`);
  // eslint-disable-next-line no-control-regex -- matching control characters is this regex's purpose
  const clean = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  if (!clean.trim()) throw new DictationError('dictation text is empty');
  return clean;
}

/** Escapes text for .NET SendKeys, where + ^ % ~ ( ) { } [ ] are commands. */
export function escapeSendKeys(text: string): string {
  return text.replace(/[+^%~(){}[\]]/g, (c) => `{${c}}`).replace(/\n/g, '{ENTER}');
}

interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Do not capture output: for tools (xclip -i) that fork a child that keeps the pipes open. */
  detachOutput?: boolean;
}

const MAX_CAPTURE = 1 << 20;

/** Runs a command without a shell; resolves with stdout on exit 0, rejects with its stderr otherwise. */
function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      stdio: ['pipe', opts.detachOutput ? 'ignore' : 'pipe', opts.detachOutput ? 'ignore' : 'pipe'],
      windowsHide: true,
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      if (out.length < MAX_CAPTURE) out += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new DictationError(`${cmd}: ${e.message}`));
    });
    // 'exit', not 'close': a forked helper may hold the pipes open after the command itself is done.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Give buffered stdout a tick to arrive before resolving.
      setImmediate(() => {
        if (code === 0) resolve(out);
        else
          reject(
            new DictationError(`${cmd} ${signal ? `was killed (${signal})` : `exited ${code}`}${err.trim() ? `: ${err.trim()}` : ''}`),
          );
      });
    });
    child.stdin!.on('error', () => {}); // a tool that ignores stdin may close it early
    child.stdin!.end(opts.input ?? '');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DictateOptions {
  /** Use this mechanism if it is available (default: the best available). */
  prefer?: DictationMechanism;
  /** The paste chord for the clipboard mechanisms on Linux (xdotool syntax); terminals often want ctrl+shift+v. */
  pasteKey?: string;
  /** Environment for the helper processes (DISPLAY, WAYLAND_DISPLAY…). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long the target app gets to read the clipboard before it is restored. Default 250 ms. */
  pasteSettleMs?: number;
}

/**
 * Types `text` into the focused app. Never throws for an unavailable mechanism or a failing tool:
 * the result says what happened, so the caller can show it.
 */
export async function dictate(text: string, opts: DictateOptions = {}): Promise<DictationResult> {
  let clean: string;
  try {
    clean = sanitizeDictation(text);
  } catch (err) {
    return { ok: false, mechanism: 'none', error: (err as Error).message };
  }
  const env = opts.env ?? process.env;
  const statuses = detectDictationMechanisms(currentEnvironment(env));
  const chosen = chooseMechanism(statuses, opts.prefer);
  if (!chosen) return { ok: false, mechanism: 'none', error: describeUnavailable(statuses, process.platform) };
  try {
    await inject(chosen.id, clean, env, opts);
    return { ok: true, mechanism: chosen.id, chars: clean.length };
  } catch (err) {
    return { ok: false, mechanism: chosen.id, error: (err as Error).message };
  }
}

async function inject(id: DictationMechanism, text: string, env: NodeJS.ProcessEnv, opts: DictateOptions): Promise<void> {
  const settle = opts.pasteSettleMs ?? 250;
  switch (id) {
    case 'xdotool-type':
      // --file - reads the text from stdin: no argv length limit and no option parsing of the text.
      await run('xdotool', ['type', '--clearmodifiers', '--delay', '4', '--file', '-'], { input: text, env });
      return;
    case 'xdotool-paste':
      await withClipboard(
        () => run('xclip', ['-selection', 'clipboard', '-o'], { env, timeoutMs: 2000 }),
        (t) => run('xclip', ['-selection', 'clipboard', '-i'], { input: t, env, timeoutMs: 2000, detachOutput: true }),
        () => run('xdotool', ['key', '--clearmodifiers', opts.pasteKey ?? 'ctrl+v'], { env }),
        text,
        settle,
      );
      return;
    case 'wtype':
      await run('wtype', ['-'], { input: text, env });
      return;
    case 'ydotool':
      await run('ydotool', ['type', '--file', '-'], { input: text, env });
      return;
    case 'osascript-keystroke':
      // The text travels as an argv item, never spliced into the script.
      await run(
        'osascript',
        ['-e', 'on run argv', '-e', 'tell application "System Events" to keystroke (item 1 of argv)', '-e', 'end run', text],
        { env },
      );
      return;
    case 'osascript-paste':
      await withClipboard(
        () => run('pbpaste', [], { env }),
        (t) => run('pbcopy', [], { input: t, env }),
        () => run('osascript', ['-e', 'tell application "System Events" to keystroke "v" using command down'], { env }),
        text,
        settle,
      );
      return;
    case 'sendkeys':
      await run(
        'powershell',
        [
          '-NoProfile',
          '-NonInteractive',
          '-Command',
          'Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.SendKeys]::SendWait($env:EARSHOT_DICTATION)',
        ],
        { env: { ...env, EARSHOT_DICTATION: escapeSendKeys(text) } },
      );
      return;
    case 'powershell-paste':
      await withClipboard(
        () => run('powershell', ['-NoProfile', '-NonInteractive', '-Command', 'Get-Clipboard -Raw'], { env }),
        (t) =>
          run('powershell', ['-NoProfile', '-NonInteractive', '-Command', 'Set-Clipboard -Value $env:EARSHOT_DICTATION'], {
            env: { ...env, EARSHOT_DICTATION: t },
          }),
        () =>
          run(
            'powershell',
            [
              '-NoProfile',
              '-NonInteractive',
              '-Command',
              "Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.SendKeys]::SendWait('^v')",
            ],
            { env },
          ),
        text,
        settle,
      );
      return;
  }
}

/**
 * Clipboard paste that leaves the user's clipboard as it was: save, replace, paste, wait for the target
 * to read it, restore. An empty or non-text clipboard cannot be saved and is left holding the dictation.
 */
async function withClipboard(
  read: () => Promise<string>,
  write: (text: string) => Promise<unknown>,
  paste: () => Promise<unknown>,
  text: string,
  settleMs: number,
): Promise<void> {
  const previous = await read().catch(() => null);
  await write(text);
  try {
    await paste();
    await sleep(settleMs);
  } finally {
    if (previous !== null && previous !== '') await write(previous).catch(() => {});
  }
}
