// gRPC and REST overhead, each figure next to the raw engine measured in the same run:
// - ASR final latency after the end of input (tone-alphabet fixture, "hello world"): gRPC StreamingTranscribe
//   (is_final → final result) vs the engine stream's close() in-process;
// - TTS time to first audio for a short sentence (espeak-ng): gRPC Synthesize, POST /v1/tts/stream and
//   POST /v1/audio/speech (first body byte) vs the synthesizer's first chunk in-process.
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { requestSentences } from '../../src-main/core/engine/index.js';
import { collect, grpcClients, startHarness, toS16 } from '../integration/grpc-rest-harness.js';

const ROUNDS = 15;

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50_ms: +q(0.5).toFixed(2), p95_ms: +q(0.95).toFixed(2), n: s.length };
}
const ratio = (a: { p50_ms: number }, b: { p50_ms: number }) => +(a.p50_ms / Math.max(b.p50_ms, 0.01)).toFixed(2);

export async function run(): Promise<Record<string, unknown>> {
  const h = await startHarness({ engine: { asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [{ backend: 'espeak' }] } });
  const clients = grpcClients(h);
  try {
    const samples = toneAudio('hello world', { tail: 0.2 });
    const pcm = toS16(samples);

    const rawAsr: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const s = h.engine.asr({ model: 'tone-alphabet' }).createStream({ sampleRate: 16000, endpointingMs: false });
      for (let o = 0; o < samples.length; o += 1600) s.write(samples.subarray(o, o + 1600));
      await new Promise((r) => setTimeout(r, 50));
      const t0 = performance.now();
      await s.close();
      rawAsr.push(performance.now() - t0);
    }

    const grpcAsr: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const call = clients.asr.StreamingTranscribe();
      let t0 = 0;
      const finalAt = new Promise<number>((resolve, reject) => {
        call.on('data', (r: any) => r.is_final && resolve(performance.now()));
        call.on('error', reject);
      });
      const all = collect(call);
      for (let o = 0, k = 0; o < pcm.length; o += 3200, k++) {
        call.write({
          audio_data: pcm.subarray(o, o + 3200),
          chunk_index: k,
          ...(k === 0 ? { config: { model: 'tone-alphabet', endpointing_ms: { value: 0 } } } : {}),
        });
      }
      await new Promise((r) => setTimeout(r, 50));
      t0 = performance.now();
      call.write({ is_final: true });
      call.end();
      grpcAsr.push((await finalAt) - t0);
      await all;
    }

    const text = 'Hello, this is a short sentence.';
    const rawTts: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const ac = new AbortController();
      for await (const _ of h.engine
        .tts({ voice: 'espeak:en-us' })
        .synthesize({ pieces: requestSentences(text), voice: 'espeak:en-us' }, ac.signal)) {
        rawTts.push(performance.now() - t0);
        ac.abort();
        break;
      }
    }
    const grpcTts: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const call = clients.tts.Synthesize({ text, voice: 'espeak:en-us' });
      const first = new Promise<number>((resolve) => call.once('data', () => resolve(performance.now())));
      const all = collect(call);
      grpcTts.push((await first) - t0);
      await all;
    }
    const httpFirstByte = async (path: string, body: unknown) => {
      const out: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        const r = await fetch(`${h.baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const reader = r.body!.getReader();
        await reader.read();
        out.push(performance.now() - t0);
        while (!(await reader.read()).done);
      }
      return out;
    };
    const restStream = await httpFirstByte('/v1/tts/stream', { text, voice: 'espeak:en-us' });
    const restSpeech = await httpFirstByte('/v1/audio/speech', { input: text, voice: 'espeak:en-us', response_format: 'wav' });

    const ra = stats(rawAsr);
    const ga = stats(grpcAsr);
    const rt = stats(rawTts);
    const gt = stats(grpcTts);
    const rs = stats(restStream);
    const sp = stats(restSpeech);
    return {
      asr_final_after_end_of_input: { raw_engine: ra, grpc: { ...ga, ratio_to_raw_p50: ratio(ga, ra) } },
      tts_time_to_first_audio: {
        raw_engine: rt,
        grpc_synthesize: { ...gt, ratio_to_raw_p50: ratio(gt, rt) },
        rest_tts_stream: { ...rs, ratio_to_raw_p50: ratio(rs, rt) },
        rest_openai_speech: { ...sp, ratio_to_raw_p50: ratio(sp, rt) },
      },
    };
  } finally {
    clients.close();
    await h.close();
  }
}
