// System-audio capture on Linux: what the user hears, read from the monitor source of the default
// PulseAudio sink (PipeWire serves the same protocol through pipewire-pulse) with `parec`, or with
// `pw-record` where only native PipeWire tools exist. Emits float32 mono blocks at the requested rate.
// Plain Node: the desktop shell and the server (/v1/system-audio/stream) use it; the integration test drives it
// against a real PulseAudio null sink.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { s16leToFloat32 } from '../../audio/index.js';
import { onPath } from '../executables.js';

export type CaptureTool = 'parec' | 'pw-record';

export class SystemAudioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SystemAudioError';
  }
}

export interface SystemAudioOptions {
  /** Source to record; default: the monitor of the default sink. */
  device?: string;
  /** Output rate (the tools resample). Default 16000. */
  sampleRate?: number;
  /** Default: parec when present, else pw-record. */
  tool?: CaptureTool;
  /** Environment for the tools (PULSE_SERVER, XDG_RUNTIME_DIR…). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Capture latency asked of the server, ms. Default 60. */
  latencyMs?: number;
}

export interface SystemAudioEvents {
  samples: (block: Float32Array) => void;
  /** The tool failed or exited on its own (e.g. the sound server went away). */
  error: (err: Error) => void;
  /** Capture ended (after stop() or an error). */
  end: () => void;
}

/** The PulseAudio/PipeWire name of the default sink's monitor source, e.g. "alsa_output.pci-0000.analog-stereo.monitor". */
export function defaultSinkMonitor(env: NodeJS.ProcessEnv = process.env): string {
  if (!onPath('pactl', env)) throw new SystemAudioError('pactl is not installed (Debian/Ubuntu: apt-get install pulseaudio-utils)');
  // `pactl get-default-sink` exists since PulseAudio 15; `pactl info` works everywhere.
  let sink = '';
  const direct = spawnSync('pactl', ['get-default-sink'], { env, encoding: 'utf8', timeout: 5000 });
  if (direct.status === 0) sink = direct.stdout.trim();
  if (!sink) {
    const info = spawnSync('pactl', ['info'], { env, encoding: 'utf8', timeout: 5000 });
    if (info.status !== 0) throw new SystemAudioError(`no sound server reachable: ${(info.stderr || direct.stderr || '').trim()}`);
    sink = /^Default Sink:\s*(\S+)/m.exec(info.stdout)?.[1] ?? '';
  }
  if (!sink || sink === '@DEFAULT_SINK@') throw new SystemAudioError('the sound server reports no default output (sink)');
  return `${sink}.monitor`;
}

/** Which capture tool this machine can use, or a SystemAudioError saying what to install. */
export function pickCaptureTool(env: NodeJS.ProcessEnv = process.env, prefer?: CaptureTool): CaptureTool {
  if (prefer) {
    if (!onPath(prefer, env)) throw new SystemAudioError(`${prefer} is not installed`);
    return prefer;
  }
  if (onPath('parec', env)) return 'parec';
  if (onPath('pw-record', env)) return 'pw-record';
  throw new SystemAudioError('neither parec (pulseaudio-utils) nor pw-record (pipewire-bin) is installed');
}

/** Longest stderr kept from the tool for error messages. */
const MAX_STDERR = 4096;

export class LinuxSystemAudioCapture extends EventEmitter {
  private child: ChildProcess | null = null;
  /** An odd trailing byte carried to the next read (pipes split s16 samples anywhere). */
  private carry: Buffer | null = null;
  private stopping = false;
  private ended = false;
  readonly sampleRate: number;
  device = '';
  tool: CaptureTool | null = null;

  constructor(private readonly opts: SystemAudioOptions = {}) {
    super();
    this.sampleRate = opts.sampleRate ?? 16000;
    if (!Number.isInteger(this.sampleRate) || this.sampleRate < 8000 || this.sampleRate > 48000) {
      throw new SystemAudioError(`sample rate must be an integer in 8000..48000, got ${this.sampleRate}`);
    }
  }

  override on<E extends keyof SystemAudioEvents>(event: E, listener: SystemAudioEvents[E]): this {
    return super.on(event, listener);
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts recording; resolves once the tool is running. Throws SystemAudioError when it cannot. */
  async start(): Promise<{ device: string; tool: CaptureTool }> {
    if (this.child) throw new SystemAudioError('capture already started');
    const env = this.opts.env ?? process.env;
    const tool = pickCaptureTool(env, this.opts.tool);
    const device = this.opts.device ?? defaultSinkMonitor(env);
    const latency = String(this.opts.latencyMs ?? 60);
    const args =
      tool === 'parec'
        ? [`--device=${device}`, '--format=s16le', `--rate=${this.sampleRate}`, '--channels=1', '--raw', `--latency-msec=${latency}`]
        : ['--target', device, '--format', 's16', '--rate', String(this.sampleRate), '--channels', '1', '-'];
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.tool = tool;
    this.device = device;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += d.toString('utf8');
    });
    child.stdout!.on('data', (d: Buffer) => this.onData(d));
    child.on('exit', (code, signal) => {
      this.child = null;
      if (!this.stopping) {
        this.emit(
          'error',
          new SystemAudioError(`${tool} stopped (${signal ?? `exit ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`),
        );
      }
      this.finish();
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => {
        this.child = null;
        reject(new SystemAudioError(`${tool}: ${e.message}`));
      });
    });
    return { device, tool };
  }

  private onData(d: Buffer): void {
    let bytes = this.carry ? Buffer.concat([this.carry, d]) : d;
    this.carry = null;
    if (bytes.length % 2) {
      this.carry = bytes.subarray(bytes.length - 1);
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    if (bytes.length) this.emit('samples', s16leToFloat32(bytes));
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('end');
  }

  /** Stops recording; resolves when the tool has exited. Idempotent. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return this.finish();
    this.stopping = true;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}
