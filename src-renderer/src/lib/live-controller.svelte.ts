// Live captions as the views see them: microphone (or system audio) → AsrLink → CaptionLog, with reactive
// status, level, latency and errors. One instance per window; the overlay in another window receives the
// caption tail over a BroadcastChannel (same origin), so only one window holds the microphone.
import { AsrServerMessage } from '../../../proto/ws-messages.js';
import type { ApiConfig } from './api-config.js';
import { AsrLink, type LinkStatus } from './asr-link.js';
import { CaptionLog, type CaptionLine } from './captions.js';
import { MicCapture, MicError } from './mic-capture.js';
import { settings } from './settings.svelte.js';
import { SystemAudioLink } from './system-audio-link.js';

export const CAPTION_CHANNEL = 'earshot-captions';
/** Finals the overlay is given (with every interim): more than its 1–3 lines can hold, so it is always full. */
export const OVERLAY_TAIL = 4;

export interface CaptionBroadcast {
  type: 'captions';
  lines: CaptionLine[];
}

export class LiveCaptions {
  readonly log = new CaptionLog();
  /**
   * System-audio captions: Electron — captured and recognized by the main process, relayed over IPC; a plain
   * browser — captured by the server (`/v1/system-audio/stream`). Either way the `system` track of the session.
   */
  readonly systemLog = new CaptionLog();
  systemOn = $state(false);
  systemVersion = $state(0);
  status: LinkStatus = $state('idle');
  /** Bumped whenever the caption log changes (views derive their lines from it). */
  version = $state(0);
  levelDb = $state(-100);
  /** The engine's processing latency of the last final (the server's latency_ms). */
  latencyMs: number | null = $state(null);
  /** From the end of speech (the final's end_ms) to the final on screen: the wait users feel. */
  speechEndToFinalMs: number | null = $state(null);
  /** Finals stored in the session this run (the session is "saved" only once one is). */
  savedFinals = $state(0);
  model: string | null = $state(null);
  error: string | null = $state(null);
  notice: string | null = $state(null);
  /** Set when the engine said it cannot save this stream (no transcript store): captions run unsaved. */
  unsaved: string | null = $state(null);
  sessionId: string | null = $state(null);
  /** performance.now() of the first frame sent and of the first interim / final shown (diagnostics, e2e). */
  firstFrameAt: number | null = $state(null);
  firstInterimAt: number | null = $state(null);
  firstFinalAt: number | null = $state(null);

  private link: AsrLink | null = null;
  private mic: MicCapture | null = null;
  private channel: BroadcastChannel | null = null;
  private systemUnsub: (() => void) | null = null;
  private systemLink: SystemAudioLink | null = null;

  constructor(private readonly cfg: ApiConfig) {
    if (typeof BroadcastChannel !== 'undefined') this.channel = new BroadcastChannel(CAPTION_CHANNEL);
    this.log.subscribe(() => {
      this.version = this.log.version;
      if (this.firstInterimAt === null && this.log.lines().some((l) => !l.final)) this.firstInterimAt = performance.now();
      this.channel?.postMessage({ type: 'captions', lines: this.log.tail(OVERLAY_TAIL) } satisfies CaptionBroadcast);
    });
  }

  get running(): boolean {
    return this.status === 'connecting' || this.status === 'live' || this.status === 'reconnecting';
  }

  async start(): Promise<void> {
    if (this.running || this.status === 'stopping') return;
    this.error = null;
    this.notice = null;
    this.unsaved = null;
    this.firstFrameAt = null;
    this.firstInterimAt = null;
    this.firstFinalAt = null;
    this.speechEndToFinalMs = null;
    this.savedFinals = 0;
    this.sessionId = null;
    this.log.clear();
    const link = new AsrLink({
      cfg: this.cfg,
      captions: this.log,
      source: 'mic',
      endpointingMs: settings.endpointingMs,
      punctuate: settings.punctuate,
      record: settings.recordAudio,
      language: settings.language || undefined,
      model: settings.asrModel || undefined,
      twoPass: settings.twoPass === 'auto' ? undefined : settings.twoPass === 'on',
      vocabulary: settings.vocabulary,
      replacements: settings.replacements,
      events: {
        status: (s, detail) => {
          this.status = s;
          if (s === 'live') this.notice = null;
          else if (s === 'reconnecting' && detail) this.notice = detail;
        },
        ready: (m) => {
          this.model = m.model;
          this.sessionId = link.session;
        },
        final: (m) => {
          this.latencyMs = m.latency_ms;
          this.speechEndToFinalMs = link.msSinceCaptured(m.end_ms);
          if (m.text.trim() && link.session && !this.unsaved) {
            this.sessionId = link.session;
            this.savedFinals++;
          }
          this.firstFinalAt ??= performance.now();
        },
        warning: (code, message) => {
          if (code === 'store_disabled') this.unsaved = message;
          else this.notice = message;
        },
        problem: (message, fatal) => {
          if (fatal) {
            this.error = message;
            void this.mic?.stop();
            this.mic = null;
          } else this.notice = message;
        },
      },
    });
    this.link = link;
    // The microphone first: without permission nothing is opened on the engine (no empty stored session).
    this.status = 'connecting';
    const mic = new MicCapture({
      deviceId: settings.micDeviceId || undefined,
      onFrame: (f) => {
        this.levelDb = f.level;
        this.firstFrameAt ??= performance.now();
        link.sendAudio(f.pcm);
      },
    });
    this.mic = mic;
    try {
      await mic.start();
    } catch (err) {
      this.error = err instanceof MicError ? err.message : `Audio capture failed: ${(err as Error).message}`;
      this.status = 'failed';
      this.mic = null;
      this.link = null;
      await mic.stop().catch(() => undefined);
      return;
    }
    if (this.link !== link) return; // stopped while the permission prompt was open
    // Frames arrive as tasks, after this continuation: none is lost before the link accepts audio.
    link.start();
  }

  async toggle(): Promise<void> {
    await (this.running ? this.stop() : this.start());
  }

  async stop(): Promise<void> {
    const mic = this.mic;
    const link = this.link;
    this.mic = null;
    this.link = null;
    await mic?.stop();
    await link?.stop();
    if (!link && this.status === 'connecting') this.status = 'stopped';
    this.levelDb = -100;
  }

  /**
   * Whether this host can caption the desktop's audio: the Electron shell, or in a browser the server (which
   * says why when it cannot, e.g. no sound server).
   */
  get systemAudioAvailable(): boolean {
    return typeof this.cfg.shell?.startSystemAudio === 'function' || this.cfg.view === 'main';
  }

  private onSystemMessage(raw: unknown): void {
    const parsed = AsrServerMessage.safeParse(raw);
    if (parsed.success && parsed.data.type === 'transcript') {
      this.systemLog.apply(parsed.data);
      this.systemVersion = this.systemLog.version;
    } else if (parsed.success && parsed.data.type === 'error') {
      this.notice = `System audio: ${parsed.data.message}`;
    }
  }

  async startSystemAudio(): Promise<void> {
    const shell = this.cfg.shell;
    if (this.systemOn) return;
    this.systemLog.clear();
    this.systemLog.newEpoch();
    if (!shell?.startSystemAudio) return this.startServerSystemAudio();
    this.systemUnsub = shell.onSystemTranscript?.((raw) => this.onSystemMessage(raw)) ?? null;
    const r = await shell.startSystemAudio({ session: this.sessionId ?? 'new' });
    if (!r.ok) {
      this.error = `System audio could not start: ${r.error ?? 'unknown reason'}`;
      this.systemUnsub?.();
      this.systemUnsub = null;
      return;
    }
    this.systemOn = true;
  }

  /** Browser: the server records its own system audio; the track joins the running mic session, if any. */
  private async startServerSystemAudio(): Promise<void> {
    const link = new SystemAudioLink(this.cfg, {
      message: (m) => this.onSystemMessage(m),
      failed: (reason) => {
        this.notice = `System audio stopped: ${reason}`;
        this.systemOn = false;
        this.systemLink = null;
      },
    });
    this.systemLink = link;
    this.systemOn = true;
    try {
      await link.start({ session: this.sessionId ?? 'new', ...(settings.language ? { language: settings.language } : {}) });
    } catch (err) {
      this.error = `System audio could not start: ${(err as Error).message}`;
      this.systemOn = false;
      if (this.systemLink === link) this.systemLink = null;
    }
  }

  async stopSystemAudio(): Promise<void> {
    if (!this.systemOn) return;
    const link = this.systemLink;
    this.systemLink = null;
    if (link) await link.stop();
    else await this.cfg.shell?.stopSystemAudio?.();
    this.systemUnsub?.();
    this.systemUnsub = null;
    this.systemOn = false;
  }

  /** Stop everything and release the overlay channel (window unload, tests). */
  async dispose(): Promise<void> {
    await this.stop();
    await this.stopSystemAudio();
    this.channel?.close();
    this.channel = null;
  }

  lines(): CaptionLine[] {
    return this.log.lines();
  }
}
