// Microphone capture in the browser: getUserMedia → AudioWorklet (resamples to 16 kHz in the audio thread) →
// 100 ms Int16 frames handed to `onFrame`. No ScriptProcessorNode.
import workletUrl from '../audio/mic-worklet.ts?worker&url';

export interface MicFrame {
  pcm: Int16Array;
  /** dBFS of the frame. */
  level: number;
}

export interface MicCaptureOptions {
  deviceId?: string;
  onFrame(frame: MicFrame): void;
  targetRate?: number;
}

/** A user-facing reason a microphone could not be opened. */
export class MicError extends Error {
  constructor(
    readonly kind: 'permission' | 'not_found' | 'busy' | 'unsupported' | 'other',
    message: string,
  ) {
    super(message);
    this.name = 'MicError';
  }
}

export function describeMicFailure(err: unknown): MicError {
  const name = (err as { name?: string })?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return new MicError('permission', 'Microphone permission was denied. Allow the microphone for this page and press Start again.');
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return new MicError('not_found', 'No microphone was found. Plug one in or pick another device.');
  if (name === 'NotReadableError' || name === 'AbortError')
    return new MicError('busy', 'The microphone is in use by another application or could not be started.');
  return new MicError('other', `The microphone could not be opened: ${(err as Error)?.message ?? String(err)}`);
}

export class MicCapture {
  private ctx: AudioContext | null = null;
  private stream: MediaStream | null = null;
  private node: AudioWorkletNode | null = null;

  constructor(private readonly opts: MicCaptureOptions) {}

  /** The AudioContext's own rate (what the worklet resamples from). */
  get contextRate(): number | null {
    return this.ctx?.sampleRate ?? null;
  }

  async start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) throw new MicError('unsupported', 'This browser cannot capture audio (no getUserMedia).');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          deviceId: this.opts.deviceId ? { exact: this.opts.deviceId } : undefined,
          channelCount: 1,
          // Recognition wants the raw signal; browser DSP can chop word onsets.
          echoCancellation: false,
          noiseSuppression: false,
          autoGainControl: false,
        },
      });
    } catch (err) {
      throw describeMicFailure(err);
    }
    this.ctx = new AudioContext();
    await this.ctx.audioWorklet.addModule(workletUrl);
    const source = this.ctx.createMediaStreamSource(this.stream);
    this.node = new AudioWorkletNode(this.ctx, 'earshot-mic-downsampler', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      processorOptions: { targetRate: this.opts.targetRate ?? 16000, frameSamples: Math.round((this.opts.targetRate ?? 16000) / 10) },
    });
    this.node.port.onmessage = (ev: MessageEvent<{ type: string; pcm: Int16Array; level?: number }>) => {
      if (ev.data?.type === 'frame') this.opts.onFrame({ pcm: ev.data.pcm, level: ev.data.level ?? -100 });
    };
    source.connect(this.node);
    // Keep the node pulled by the graph without making the microphone audible.
    const mute = this.ctx.createGain();
    mute.gain.value = 0;
    this.node.connect(mute).connect(this.ctx.destination);
    if (this.ctx.state === 'suspended') await this.ctx.resume();
  }

  async stop(): Promise<void> {
    this.node?.port.postMessage('stop');
    // Let the worklet post its last partial frame.
    await new Promise((r) => setTimeout(r, 50));
    this.node?.disconnect();
    this.node = null;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    await this.ctx?.close().catch(() => undefined);
    this.ctx = null;
  }
}

/** Audio input devices (labels appear once permission was granted). */
export async function listMicrophones(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput');
}
