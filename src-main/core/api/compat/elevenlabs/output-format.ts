// ElevenLabs `output_format` (`<codec>_<rate>[_<bitrate>]`) → Earshot TTS output. Earshot produces PCM on-device;
// ElevenLabs' default is MP3, so a request must ask for `pcm_<rate>` (or `wav_<rate>`): anything else is refused
// with a message that says so, never answered in another format than asked.
import { SessionError } from '../../../sessions/asr-session.js';

const RATES = new Set([8000, 16000, 22050, 24000, 32000, 44100, 48000]);

export interface ElevenLabsOutput {
  format: 'pcm' | 'wav';
  sampleRate: number;
  contentType: string;
}

export function elevenLabsOutput(outputFormat: string | undefined): ElevenLabsOutput {
  const f = outputFormat ?? 'mp3_44100_128';
  const m = /^(pcm|wav)_(\d+)$/.exec(f);
  if (!m || !RATES.has(Number(m[2]))) {
    throw new SessionError(
      'bad_config',
      `output_format "${f}"${outputFormat ? '' : ' (the default)'} is not produced on-device; ask for pcm_16000, pcm_22050, pcm_24000, pcm_44100 or wav_<rate>`,
    );
  }
  const format = m[1] as 'pcm' | 'wav';
  return { format, sampleRate: Number(m[2]), contentType: format === 'wav' ? 'audio/wav' : 'audio/pcm' };
}
