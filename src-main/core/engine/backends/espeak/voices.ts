// espeak-ng's voice list, read once from `espeak-ng --voices`. Every language espeak-ng ships becomes one
// voice with id `espeak:<language>` (e.g. `espeak:en-us`, `espeak:ar`).
import { spawnSync } from 'node:child_process';
import type { BackendStatus, TtsVoice } from '../../types.js';

/** The espeak-ng executable (EARSHOT_ESPEAK_NG overrides it, for systems where it lives elsewhere). */
export const ESPEAK_BIN = process.env.EARSHOT_ESPEAK_NG ?? 'espeak-ng';
/** espeak-ng's output rate (fixed by the program; also read back from each WAV header). */
export const ESPEAK_SAMPLE_RATE = 22050;
export const VOICE_PREFIX = 'espeak:';

export interface EspeakVoice extends TtsVoice {
  /** The name espeak-ng's `-v` takes. */
  espeakName: string;
}

let cached: { status: BackendStatus; voices: EspeakVoice[] } | null = null;

/** Parse `espeak-ng --voices` (columns: Pty Language Age/Gender VoiceName File Other Languages). */
export function parseVoiceList(listing: string): EspeakVoice[] {
  const voices: EspeakVoice[] = [];
  const seen = new Set<string>();
  for (const line of listing.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5) continue;
    const [, language, , name] = cols as [string, string, string, string];
    if (seen.has(language)) continue;
    seen.add(language);
    voices.push({
      id: VOICE_PREFIX + language,
      name: name.replace(/_/g, ' '),
      language,
      backend: 'espeak',
      sampleRate: ESPEAK_SAMPLE_RATE,
      espeakName: language,
    });
  }
  return voices;
}

function probe(): { status: BackendStatus; voices: EspeakVoice[] } {
  if (cached) return cached;
  const r = spawnSync(ESPEAK_BIN, ['--voices'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) {
    const why = r.error
      ? (r.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${ESPEAK_BIN} not found on PATH (install espeak-ng, e.g. apt-get install espeak-ng)`
        : r.error.message
      : `${ESPEAK_BIN} --voices exited with ${r.status}: ${String(r.stderr).trim()}`;
    cached = { status: { id: 'espeak', kind: 'tts', available: false, detail: why }, voices: [] };
    return cached;
  }
  const voices = parseVoiceList(r.stdout);
  const version = spawnSync(ESPEAK_BIN, ['--version'], { encoding: 'utf8', timeout: 10_000 }).stdout?.split('\n')[0]?.trim() ?? ESPEAK_BIN;
  cached = {
    status: voices.length
      ? { id: 'espeak', kind: 'tts', available: true, detail: `${version}; ${voices.length} voices` }
      : { id: 'espeak', kind: 'tts', available: false, detail: `${ESPEAK_BIN} lists no voices (is espeak-ng-data installed?)` },
    voices,
  };
  return cached;
}

export function espeakStatus(): BackendStatus {
  return probe().status;
}

export function espeakVoices(): EspeakVoice[] {
  return probe().voices;
}

/**
 * Find the voice for a request: `voice` may be an id (`espeak:ar`), an espeak language (`ar`) or a name
 * (`Arabic`), case-insensitive; else `language` picks the voice of that language (or its first dialect:
 * `en` -> `en-us` preferred); else English. Null when nothing matches.
 */
export function resolveVoice(voices: readonly EspeakVoice[], voice?: string, language?: string): EspeakVoice | null {
  if (voice) {
    const v = voice.toLowerCase();
    const bare = v.startsWith(VOICE_PREFIX) ? v.slice(VOICE_PREFIX.length) : v;
    return voices.find((x) => x.language.toLowerCase() === bare || x.name.toLowerCase() === v) ?? null;
  }
  const lang = (language ?? 'en-us').toLowerCase().replace('_', '-');
  const base = lang.split('-')[0]!;
  return (
    voices.find((x) => x.language.toLowerCase() === lang) ??
    (base === 'en' ? voices.find((x) => x.language === 'en-us') : undefined) ??
    voices.find((x) => x.language.toLowerCase() === base) ??
    voices.find((x) => x.language.toLowerCase().startsWith(base + '-')) ??
    null
  );
}
