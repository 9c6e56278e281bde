// Dictation output into a real X11 app: Xvfb, an xterm running `cat > file` with the keyboard focus,
// and dictate() typing (xdotool) and pasting (xclip + ctrl+v) into it; the file is read back.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dictate } from '../../src-main/shell/dictation-output.js';

let xvfb: ChildProcess;
let xterm: ChildProcess;
let display: string;
let dir: string;
let outFile: string;
let env: NodeJS.ProcessEnv;

/** Starts Xvfb on a display number it picks itself (-displayfd), so parallel runs never collide. */
function startXvfb(): Promise<{ proc: ChildProcess; display: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1024x768x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d));
    (proc.stdio[3] as NodeJS.ReadableStream).once('data', (d: Buffer) => resolve({ proc, display: ':' + d.toString().trim() }));
    proc.once('exit', (code) => reject(new Error(`Xvfb exited ${code}: ${err}`)));
    proc.once('error', reject);
  });
}

async function waitForFile(path: string, expected: string): Promise<string> {
  let text = '';
  for (let i = 0; i < 200; i++) {
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      text = '';
    }
    if (text.includes(expected)) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  return text;
}

const clipboard = (args: string[], input?: string) =>
  spawnSync('xclip', ['-selection', 'clipboard', ...args], {
    env,
    input,
    encoding: 'utf8',
    timeout: 5000,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'ignore'],
  });

before(async () => {
  ({ proc: xvfb, display } = await startXvfb());
  dir = mkdtempSync(join(tmpdir(), 'earshot-dictation-'));
  outFile = join(dir, 'typed.txt');
  env = { ...process.env, DISPLAY: display };
  delete env.WAYLAND_DISPLAY;
  // Ctrl+V pastes the CLIPBOARD in this xterm, as it does in ordinary GUI text fields.
  xterm = spawn(
    'xterm',
    ['-xrm', 'XTerm*VT100.translations: #override Ctrl <Key>V: insert-selection(CLIPBOARD)', '-e', 'sh', '-c', `cat > '${outFile}'`],
    {
      env,
      stdio: 'ignore',
    },
  );
  // --onlyvisible: wait until the window is mapped. A window that exists but is not yet mapped cannot take the focus
  // (X_SetInputFocus fails with BadMatch), which happened on a busy machine.
  const search = spawnSync('xdotool', ['search', '--sync', '--onlyvisible', '--pid', String(xterm.pid)], {
    env,
    encoding: 'utf8',
    timeout: 15_000,
  });
  const win = search.stdout.trim().split('\n')[0];
  assert.ok(win, `xterm window not found: ${search.stderr}`);
  const focus = spawnSync('xdotool', ['windowfocus', '--sync', win], { env, encoding: 'utf8', timeout: 10_000 });
  assert.equal(focus.status, 0, focus.stderr);
});

after(() => {
  xterm?.kill('SIGKILL');
  xvfb?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('xdotool types dictated text into the focused X11 window', async () => {
  const text = "Hello from Earshot, it's 42% done: (yes) {ok} ~tilde!";
  const r = await dictate(text + '\n', { env });
  assert.deepEqual(r, { ok: true, mechanism: 'xdotool-type', chars: text.length + 1 });
  assert.equal(await waitForFile(outFile, text), text + '\n');
});

test('clipboard paste inserts the text and restores the previous clipboard', async () => {
  clipboard(['-i'], 'what the user had copied');
  const text = 'pasted dictation, second line';
  const r = await dictate(text + '\n', { env, prefer: 'xdotool-paste' });
  assert.deepEqual(r, { ok: true, mechanism: 'xdotool-paste', chars: text.length + 1 });
  const content = await waitForFile(outFile, text);
  assert.ok(content.endsWith(text + '\n'), JSON.stringify(content));
  assert.equal(clipboard(['-o']).stdout, 'what the user had copied');
});

test('a failing tool is reported, not thrown', async () => {
  const r = await dictate('x', { env: { ...env, DISPLAY: ':9999' } });
  assert.equal(r.ok, false);
  assert.equal(r.mechanism, 'xdotool-type');
  assert.ok(!r.ok && /xdotool exited \d+/.test(r.error), JSON.stringify(r));
});
