// UI preferences, kept in localStorage (engine settings live in the engine). A Svelte rune object: views read
// and write its fields directly, and every change is saved.
export type OverlayPosition = 'bottom' | 'top' | 'middle';

export interface UiSettings {
  micDeviceId: string;
  endpointingMs: number;
  punctuate: boolean;
  language: string;
  asrModel: string;
  /** Two-pass captions: 'auto' = where a streaming and an offline model for the language are installed. */
  twoPass: 'auto' | 'on' | 'off';
  overlayFontPx: number;
  overlayLines: number;
  overlayContrast: 'normal' | 'high';
  overlayBgOpacity: number;
  overlayPosition: OverlayPosition;
  theme: 'system' | 'dark' | 'light';
  /** Custom words and phrases, one per line: recognition is biased toward them where the model supports it. */
  vocabulary: string;
  /** Replacement list, one `wrong => right` per line: applied to every final. */
  replacements: string;
  /** Keep the audio of live captions with the session (compressed MP3 on this machine), for playback. Opt-in. */
  recordAudio: boolean;
  /** Caption text size in the main window's Live view (px). */
  captionFontPx: number;
  /** Mask profanity in captions, the overlay and dictation ("f***"). */
  profanityFilter: boolean;
  /** Dictation leaves out filler words ("um", "uh"). */
  removeFillers: boolean;
}

export const DEFAULT_SETTINGS: UiSettings = {
  micDeviceId: '',
  endpointingMs: 600,
  punctuate: true,
  language: 'en',
  asrModel: '',
  twoPass: 'auto',
  overlayFontPx: 36,
  overlayLines: 3,
  overlayContrast: 'normal',
  overlayBgOpacity: 0.75,
  overlayPosition: 'bottom',
  theme: 'system',
  vocabulary: '',
  replacements: '',
  recordAudio: false,
  captionFontPx: 20,
  profanityFilter: false,
  removeFillers: false,
};

const KEY = 'earshot.ui-settings';

/** Parse stored settings, keeping only known keys of the right type (a corrupt entry falls back to defaults). */
export function parseSettings(raw: string | null): UiSettings {
  const out: UiSettings = { ...DEFAULT_SETTINGS };
  if (!raw) return out;
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    return out;
  }
  if (!obj || typeof obj !== 'object') return out;
  for (const k of Object.keys(DEFAULT_SETTINGS) as (keyof UiSettings)[]) {
    const v = (obj as Record<string, unknown>)[k];
    if (typeof v === typeof DEFAULT_SETTINGS[k]) (out as unknown as Record<string, unknown>)[k] = v;
  }
  out.overlayFontPx = Math.min(96, Math.max(16, out.overlayFontPx));
  out.overlayLines = Math.min(3, Math.max(1, Math.round(out.overlayLines)));
  out.overlayBgOpacity = Math.min(1, Math.max(0, out.overlayBgOpacity));
  out.captionFontPx = Math.min(48, Math.max(12, out.captionFontPx));
  out.endpointingMs = Math.min(5000, Math.max(200, out.endpointingMs));
  if (!['auto', 'on', 'off'].includes(out.twoPass)) out.twoPass = 'auto';
  return out;
}

function load(): UiSettings {
  try {
    return parseSettings(globalThis.localStorage?.getItem(KEY) ?? null);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export const settings: UiSettings = $state(load());

export function saveSettings(): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(settings));
  } catch {
    /* storage full or disabled: settings stay for this page */
  }
}

// Another window of the app (the overlay) changed the settings: follow them live.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (ev) => {
    if (ev.key === KEY) Object.assign(settings, parseSettings(ev.newValue));
  });
}
