// Wyoming (Home Assistant's local speech protocol) on its own TCP port (`earshot serve --wyoming <port>`), so Home
// Assistant can add Earshot as its speech-to-text and text-to-speech (Settings → Devices & services → Add
// integration → Wyoming Protocol → this host and port). Events handled:
// - `describe` → `info` (Earshot's ASR models and TTS voices with their languages);
// - `transcribe` {language?} + `audio-start` / `audio-chunk` / `audio-stop` → `transcript` {text};
// - `synthesize` {text, voice?: {name, language}} → `audio-start` / `audio-chunk`… / `audio-stop`.
// Both drive the same AsrSession / TtsSession as every other transport. Wyoming has no authentication, so the
// listener binds loopback unless a host is given explicitly (docs/PROTOCOL.md says what that exposes).
import { createServer, type Server, type Socket } from 'node:net';
import type { FinalTranscript } from '../../../../proto/ws-messages.js';
import { clientMessageOf, CodedError, errorCodeOf } from '../../errors.js';
import { AsrSession } from '../../sessions/index.js';
import { advertiseWyoming, isLoopbackHost, type WyomingAdvert } from './zeroconf.js';
import type { ApiContext } from '../context.js';
import { synthesizeOne } from '../one-shot/synthesize-one.js';
import { pickVoice } from '../compat/tts-voice.js';
import { encodeEvent, WyomingParser, WyomingProtocolError, type WyomingEvent } from './framing.js';

export interface RunningWyoming {
  /** The mDNS service name when advertised, else null. */
  advertisedAs: string | null;
  port: number;
  close(): Promise<void>;
}

const ATTRIBUTION = { name: 'Earshot', url: 'https://github.com/earshot' };
/** Audio is sent to Home Assistant in chunks of this many samples (Wyoming's own servers use 1024). */
const SAMPLES_PER_CHUNK = 1024;

function info(ctx: ApiContext, version: string) {
  const models = ctx.engine.recognizers().filter((r) => !r.fixture);
  const voices = ctx.engine.voices().filter((v) => !v.fixture);
  const lang = (l: string) => l.toLowerCase().split(/[-_]/)[0]!;
  return {
    asr: [
      {
        name: 'earshot',
        description: 'Earshot on-device speech recognition',
        attribution: ATTRIBUTION,
        installed: true,
        version,
        models: models.map((m) => ({
          name: m.modelId,
          description: `${m.backend} ${m.modelId}`,
          attribution: ATTRIBUTION,
          installed: true,
          version,
          languages: [lang(m.language)],
        })),
      },
    ],
    tts: [
      {
        name: 'earshot',
        description: 'Earshot on-device text to speech',
        attribution: ATTRIBUTION,
        installed: true,
        version,
        voices: voices.map((v) => ({
          name: v.id,
          description: v.name,
          attribution: ATTRIBUTION,
          installed: true,
          version,
          languages: [lang(v.language)],
        })),
      },
    ],
    handle: [],
    intent: [],
    wake: [],
    mic: [],
    snd: [],
  };
}

/** s16le of any channel count → mono s16le (average), as Home Assistant may send stereo from some satellites. */
function toMono(pcm: Buffer, channels: number): Buffer {
  if (channels === 1) return pcm;
  const frames = Math.floor(pcm.length / (2 * channels));
  const out = Buffer.alloc(frames * 2);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += pcm.readInt16LE((f * channels + c) * 2);
    out.writeInt16LE(Math.round(sum / channels), f * 2);
  }
  return out;
}

function handleConnection(socket: Socket, ctx: ApiContext, version: string): void {
  const parser = new WyomingParser(ctx.limits.maxFrameBytes);
  const send = (type: string, data: Record<string, unknown> = {}, payload?: Buffer) => {
    if (!socket.destroyed) socket.write(encodeEvent(type, data, payload));
  };
  const sendError = (text: string, code: string) => send('error', { text, code });

  let language: string | undefined;
  let asr: { session: AsrSession; finals: FinalTranscript[]; channels: number } | null = null;
  let tts: AbortController | null = null;
  let chain: Promise<void> = Promise.resolve();

  const onEvent = async (e: WyomingEvent): Promise<void> => {
    switch (e.type) {
      case 'describe':
        return send('info', info(ctx, version));
      case 'transcribe':
        language = typeof e.data.language === 'string' ? e.data.language.split(/[-_]/)[0] : undefined;
        return;
      case 'audio-start': {
        if (asr) await asr.session.abort();
        const rate = Number(e.data.rate);
        const width = Number(e.data.width ?? 2);
        const channels = Number(e.data.channels ?? 1);
        if (width !== 2) return sendError(`audio width ${width} is not supported; send 16-bit audio (width 2)`, 'bad_audio');
        if (!Number.isInteger(channels) || channels < 1 || channels > 8) return sendError('channels must be 1..8', 'bad_audio');
        const session = new AsrSession({
          engine: ctx.engine,
          store: ctx.store,
          config: {
            sample_rate: rate,
            encoding: 'pcm_s16le',
            interim_results: false,
            source: 'wyoming',
            ...(language ? { language } : {}),
          },
          metrics: ctx.metrics,
          audioAheadBudgetMs: ctx.limits.audioAheadBudgetMs,
        });
        const current = { session, finals: [] as FinalTranscript[], channels };
        session.on('message', (m) => {
          if (m.type === 'transcript' && m.is_final) current.finals.push(m);
          else if (m.type === 'error') sendError(m.message, m.code);
        });
        await ctx.engine.ready;
        session.start();
        asr = current;
        return;
      }
      case 'audio-chunk':
        if (!asr) return sendError('audio-chunk before audio-start', 'bad_audio');
        if (e.payload) asr.session.writeAudio(toMono(e.payload, asr.channels));
        return;
      case 'audio-stop': {
        if (!asr) return sendError('audio-stop before audio-start', 'bad_audio');
        const { session, finals } = asr;
        asr = null;
        await session.end();
        return send('transcript', {
          text: finals
            .map((f) => f.text)
            .filter(Boolean)
            .join(' '),
          ...(language ? { language } : {}),
        });
      }
      case 'synthesize': {
        const text = typeof e.data.text === 'string' ? e.data.text : '';
        if (!text.trim()) return sendError('synthesize needs "text"', 'bad_config');
        const v = (e.data.voice ?? {}) as { name?: unknown; language?: unknown };
        const voiceLanguage = typeof v.language === 'string' ? v.language : null;
        const voice = pickVoice(typeof v.name === 'string' ? v.name : null, ctx.engine.voices(), voiceLanguage);
        tts = new AbortController();
        let started = false;
        let rest = Buffer.alloc(0);
        let rate = 0;
        for await (const ev of synthesizeOne(ctx, { text, voice, language: voiceLanguage ?? undefined, format: 'pcm' }, tts.signal)) {
          if (ev.type !== 'audio') continue;
          if (!started) {
            rate = ev.chunk.sampleRate;
            send('audio-start', { rate, width: 2, channels: 1 });
            started = true;
          }
          rest = Buffer.concat([rest, ev.chunk.bytes]);
          while (rest.length >= SAMPLES_PER_CHUNK * 2) {
            send('audio-chunk', { rate, width: 2, channels: 1 }, rest.subarray(0, SAMPLES_PER_CHUNK * 2));
            rest = rest.subarray(SAMPLES_PER_CHUNK * 2);
          }
        }
        if (!started) return sendError('the voice produced no audio', 'internal');
        if (rest.length) send('audio-chunk', { rate, width: 2, channels: 1 }, rest);
        return send('audio-stop', {});
      }
      case 'ping':
        return send('pong', {});
      default:
        // Other Wyoming events (wake, intent, satellite control) are not Earshot's to answer.
        return;
    }
  };

  socket.on('data', (chunk: Buffer) => {
    let events: WyomingEvent[];
    try {
      events = parser.push(chunk);
    } catch (err) {
      sendError(err instanceof WyomingProtocolError ? err.message : String(err), 'bad_json');
      socket.end();
      return;
    }
    for (const e of events) {
      chain = chain
        .then(() => onEvent(e))
        .catch((err: unknown) => {
          // The code from the one error table; an unexpected failure is `internal`, its details only in the log.
          if (!(err instanceof CodedError)) ctx.logger.warn({ err }, 'Wyoming event failed');
          sendError(clientMessageOf(err), errorCodeOf(err));
        });
    }
  });
  // A server stop ends a recording in progress as `audio-stop` would (its transcript is sent) after whatever the
  // connection is doing, then ends the connection; out of time, the connection is dropped.
  const unregister = ctx.work.add({
    finish: () => {
      chain = chain
        .then(async () => {
          if (asr) await onEvent({ type: 'audio-stop', data: {}, payload: null });
        })
        .catch(() => undefined)
        .finally(() => {
          socket.end();
          unregister();
        });
    },
    cut: () => {
      asr?.session.cancel();
      socket.destroy();
    },
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    unregister();
    tts?.abort();
    if (asr) void asr.session.abort().catch(() => undefined);
  });
}

export function startWyoming(
  ctx: ApiContext,
  opts: { host: string; port: number; version: string; zeroconf?: boolean },
): Promise<RunningWyoming> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    handleConnection(socket, ctx, opts.version);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `Wyoming port ${opts.port} is in use: is Earshot (or another Wyoming server) already running? Pick another with --wyoming <port>`,
            )
          : err,
      ),
    );
    server.listen(opts.port, opts.host, () => {
      const port = (server.address() as { port: number }).port;
      // Home Assistant discovers `_wyoming._tcp` over mDNS (zeroconf.ts); only a reachable listener is advertised.
      let advert: WyomingAdvert | null = null;
      if (opts.zeroconf === false) ctx.logger.info('Wyoming: zeroconf advertisement off (--no-wyoming-zeroconf)');
      else if (isLoopbackHost(opts.host))
        ctx.logger.info(
          { host: opts.host },
          'Wyoming: not advertised over mDNS (loopback only; use --wyoming-host to offer it to the network)',
        );
      else {
        try {
          advert = advertiseWyoming(port);
          ctx.logger.info({ name: advert.name, port }, 'Wyoming: advertised as _wyoming._tcp over mDNS');
        } catch (err) {
          ctx.logger.warn({ err }, 'Wyoming: mDNS advertisement failed; add Earshot by host and port');
        }
      }
      resolve({
        port,
        advertisedAs: advert?.name ?? null,
        close: () =>
          new Promise<void>((res) => {
            void advert?.stop();
            for (const s of sockets) s.end();
            server.close(() => res());
            setTimeout(() => {
              for (const s of sockets) s.destroy();
            }, 1000).unref();
          }),
      });
    });
  });
}
