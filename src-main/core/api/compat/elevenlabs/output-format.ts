// ElevenLabs `output_format` (`<codec>_<rate>[_<bitrate>]`) → Earshot TTS output: `pcm_<rate>`, `wav_<rate>`,
// `mp3_<rate>_<kbps>` (the default, mp3_44100_128) and `opus_48000_<kbps>` (Ogg Opus). The G.711 ones (ulaw, alaw)
// are refused with a message that says what to ask for, never answered in another format than asked.
import type { CompressedFormat } from '../../../audio/index.js';
import { SessionError } from '../../../sessions/index.js';

const RATES = new Set([8000, 16000, 22050, 24000, 32000, 44100, 48000]);

export interface ElevenLabsOutput {
  format: 'pcm' | 'wav';
  sampleRate: number;
  contentType: string;
  /** Compressed output: synthesize PCM and stream it through this encoder. */
  encode?: { format: CompressedFormat; bitrateKbps: number };
}

export function elevenLabsOutput(outputFormat: string | undefined): ElevenLabsOutput {
  const f = outputFormat ?? 'mp3_44100_128';
  const pcm = /^(pcm|wav)_(\d+)$/.exec(f);
  if (pcm && RATES.has(Number(pcm[2]))) {
    const format = pcm[1] as 'pcm' | 'wav';
    return { format, sampleRate: Number(pcm[2]), contentType: format === 'wav' ? 'audio/wav' : 'audio/pcm' };
  }
  const lossy = /^(mp3|opus)_(\d+)_(\d+)$/.exec(f);
  if (lossy && RATES.has(Number(lossy[2])) && Number(lossy[3]) >= 8 && Number(lossy[3]) <= 320) {
    const format = lossy[1] as 'mp3' | 'opus';
    return {
      format: 'pcm',
      sampleRate: Number(lossy[2]),
      contentType: format === 'mp3' ? 'audio/mpeg' : 'audio/ogg',
      encode: { format, bitrateKbps: Number(lossy[3]) },
    };
  }
  throw new SessionError(
    'bad_config',
    `output_format "${f}" is not produced on-device; ask for mp3_44100_128, opus_48000_64, pcm_<rate> or wav_<rate>`,
  );
}
