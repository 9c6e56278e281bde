// Voice choice for the cloud TTS protocols: their voice/model names (Deepgram `aura-2-thalia-en`, ElevenLabs
// voice ids, LMNT voice names) mean nothing on this machine, so an installed Earshot voice id or name is used as
// is, a language hint (Deepgram's `-en` suffix, `language_code`) picks that language's default voice, and any
// other name means the default voice. The reply always names the voice actually used.
import type { TtsVoice } from '../../engine/index.js';

export function pickVoice(requested: string | null | undefined, voices: readonly TtsVoice[], language?: string | null): string | undefined {
  if (requested) {
    const hit = voices.find((v) => v.id === requested || v.name.toLowerCase() === requested.toLowerCase());
    if (hit) return hit.id;
  }
  if (language) {
    const lang = language.toLowerCase().split(/[-_]/)[0];
    const byLang = voices.find((v) => !v.fixture && v.language.toLowerCase().split(/[-_]/)[0] === lang);
    if (byLang) return byLang.id;
  }
  return undefined;
}

/** Deepgram's model names end in the language (`aura-2-thalia-en`, `aura-asteria-en`). */
export function deepgramModelLanguage(model: string | null): string | null {
  const m = model ? /-([a-z]{2})$/i.exec(model) : null;
  return m ? m[1]!.toLowerCase() : null;
}
