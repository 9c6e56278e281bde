// The installed voices as clients see them, one shape for both transports: REST `GET /v1/voices`
// (proto/rest-models.ts VoiceList) and gRPC TextToSpeech.ListVoices (proto/tts.proto Voice) carry the same
// snake_case fields. Test fixtures are listed only where the server lists fixtures (listable).
import { listable, type TtsVoice } from '../engine/index.js';
import type { ApiContext } from './context.js';

export interface VoiceWire {
  id: string;
  name: string;
  language: string;
  backend: TtsVoice['backend'];
  sample_rate: number;
  fixture: boolean;
}

export function listedVoices(ctx: ApiContext): VoiceWire[] {
  return listable(ctx.engine.voices(), ctx.listFixtures).map((v) => ({
    id: v.id,
    name: v.name,
    language: v.language,
    backend: v.backend,
    sample_rate: v.sampleRate,
    fixture: v.fixture ?? false,
  }));
}
