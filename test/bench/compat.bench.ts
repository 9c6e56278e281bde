// The cloud protocols Earshot serves (Deepgram, ElevenLabs) against its native WebSocket path, in the same run on
// the same server: ASR final latency after a flush (Deepgram `Finalize` vs native `flush`, tone-alphabet fixture)
// and TTS time to first audio (Deepgram live `Speak`+`Flush` and ElevenLabs REST `/stream` vs native WS `speak`,
// espeak-ng). Each figure carries its ratio to the native path.
import { WebSocket } from 'ws';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { float32ToS16le } from '../../src-main/core/audio/index.js';
import { startServer } from '../../src-main/core/api/server.js';
import { createEngine } from '../../src-main/core/engine/index.js';

const TOKEN = 'bench-token-0123456789abcdefghijklmnop';
const REPS = 15;
const TEXT = 'Hello there, this is a short sentence.';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
}
const stats = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), n: xs.length });
const vs = (xs: number[], native: number[]) => ({ ...stats(xs), ratio_p50: Math.round((pct(xs, 50) / pct(native, 50)) * 100) / 100 });

/** A `ws` client: resolves `next(pred)` with the arrival time of the first message matching it. */
async function client(url: string) {
  const ws = new WebSocket(url);
  const seen: { at: number; json: any; binary: boolean }[] = [];
  let wake: (() => void) | null = null;
  ws.on('message', (d, binary) => {
    seen.push({ at: performance.now(), json: binary ? null : JSON.parse(d.toString()), binary });
    wake?.();
  });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  return {
    ws,
    async next(from: number, pred: (m: { json: any; binary: boolean }) => boolean): Promise<number> {
      for (;;) {
        const hit = seen.slice(from).find(pred);
        if (hit) return hit.at;
        await new Promise<void>((r) => (wake = r));
      }
    },
    get count() {
      return seen.length;
    },
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const engine = await createEngine({ vad: false, asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [{ backend: 'espeak' }] });
  await engine.ready;
  const server = await startServer({ engine, token: TOKEN, asrPort: 0, ttsPort: 0, grpc: false });
  try {
    const phrase = float32ToS16le(toneAudio('hello world', { tail: 0.2 }));

    // ASR: final after flush.
    const asr = async (url: string, flush: string, isFinal: (j: any) => boolean) => {
      const c = await client(url);
      await sleep(200);
      const out: number[] = [];
      for (let i = 0; i < REPS; i++) {
        c.ws.send(phrase);
        await sleep(300);
        const from = c.count;
        const t = performance.now();
        c.ws.send(flush);
        out.push((await c.next(from, (m) => !m.binary && isFinal(m.json))) - t);
      }
      c.ws.close();
      return out;
    };
    const nativeAsr = await asr(
      `ws://127.0.0.1:${server.asrPort}/v1/audio/stream?model=tone-alphabet&endpointing=false`,
      JSON.stringify({ type: 'flush' }),
      (j) => j.type === 'transcript' && j.is_final,
    );
    const deepgramAsr = await asr(
      `ws://127.0.0.1:${server.asrPort}/v1/listen?model=tone-alphabet&encoding=linear16&sample_rate=16000&endpointing=false`,
      JSON.stringify({ type: 'Finalize' }),
      (j) => j.type === 'Results' && j.is_final,
    );

    // TTS: time to first audio.
    const nativeTts: number[] = [];
    {
      const c = await client(`ws://127.0.0.1:${server.ttsPort}/v1/audio/stream`);
      for (let i = 0; i < REPS; i++) {
        const from = c.count;
        const t = performance.now();
        c.ws.send(JSON.stringify({ text: TEXT }));
        nativeTts.push((await c.next(from, (m) => m.binary)) - t);
        await c.next(from, (m) => !m.binary && m.json.type === 'synthesis_complete');
      }
      c.ws.close();
    }
    const deepgramTts: number[] = [];
    {
      const c = await client(`ws://127.0.0.1:${server.ttsPort}/v1/speak?encoding=linear16&sample_rate=22050`);
      for (let i = 0; i < REPS; i++) {
        const from = c.count;
        const t = performance.now();
        c.ws.send(JSON.stringify({ type: 'Speak', text: TEXT }));
        c.ws.send(JSON.stringify({ type: 'Flush' }));
        deepgramTts.push((await c.next(from, (m) => m.binary)) - t);
        await c.next(from, (m) => !m.binary && m.json.type === 'Flushed');
      }
      c.ws.close();
    }
    const elevenTts: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t = performance.now();
      const res = await fetch(`${server.ttsUrl}/v1/text-to-speech/bench/stream?output_format=pcm_22050`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: TEXT }),
      });
      const reader = res.body!.getReader();
      await reader.read();
      elevenTts.push(performance.now() - t);
      while (!(await reader.read()).done);
    }

    return {
      asr_final_after_flush_ms: { native_ws: stats(nativeAsr), deepgram_live: vs(deepgramAsr, nativeAsr) },
      tts_first_audio_ms: {
        native_ws: stats(nativeTts),
        deepgram_speak_ws: vs(deepgramTts, nativeTts),
        elevenlabs_rest_stream: vs(elevenTts, nativeTts),
      },
    };
  } finally {
    await server.close();
    await engine.close();
  }
}
