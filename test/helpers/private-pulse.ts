// A PulseAudio daemon of a test's own (own socket and state dir; no default.pa, so no hardware and no effect on
// a desktop's sound server), with a null sink preloaded as the "speakers": `paplay --device=<sink>` plays into
// it and its monitor is what system-audio capture records. Works as root and as a normal user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface PrivatePulse {
  proc: ChildProcess;
  /** Environment for clients of this daemon (PULSE_SERVER). */
  env: NodeJS.ProcessEnv;
  sink: string;
  stop(): void;
}

export async function startPrivatePulse(dir: string, sink: string): Promise<PrivatePulse> {
  const socket = join(dir, 'native');
  const penv: NodeJS.ProcessEnv = {
    ...process.env,
    PULSE_RUNTIME_PATH: join(dir, 'runtime'),
    PULSE_STATE_PATH: join(dir, 'state'),
    HOME: dir,
  };
  const proc = spawn(
    'pulseaudio',
    [
      '--daemonize=no',
      '-n',
      '--exit-idle-time=-1',
      '--use-pid-file=no',
      '--log-target=stderr',
      `--load=module-native-protocol-unix socket=${socket} auth-anonymous=1`,
      `--load=module-null-sink sink_name=${sink} rate=16000 channels=1`,
    ],
    { env: penv, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log += d));
  const clientEnv: NodeJS.ProcessEnv = { ...process.env, PULSE_SERVER: `unix:${socket}` };
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break;
    if (spawnSync('pactl', ['info'], { env: clientEnv, timeout: 2000 }).status === 0) {
      return { proc, env: clientEnv, sink, stop: () => void proc.kill('SIGTERM') };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error(`private PulseAudio did not come up: ${log}`);
}
