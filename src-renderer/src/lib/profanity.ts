// Profanity filter for captions, the overlay and dictation: a listed word keeps its first letter and the rest
// becomes asterisks ("fuck" → "f***"), as Windows Live Captions shows it. Whole words only ("Scunthorpe",
// "cocktail" and "assess" stay), any case, with common endings. The list and its licence: profanity-words.ts.
import { PROFANITY_WORDS } from './profanity-words.js';

const ENDINGS = '(?:s|es|ed|er|ers|ing|in|y)?';
const PATTERN = new RegExp(`(?<![\\p{L}\\p{N}'])(?:${PROFANITY_WORDS.join('|')})${ENDINGS}(?![\\p{L}\\p{N}])`, 'giu');

/** `text` with every listed word masked. */
export function maskProfanity(text: string): string {
  return text.replace(PATTERN, (w) => w.charAt(0) + '*'.repeat(w.length - 1));
}

/** What a caption view shows for `text`: masked when the filter is on. */
export function shownText(text: string, filter: boolean): string {
  return filter ? maskProfanity(text) : text;
}
