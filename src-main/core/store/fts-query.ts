// Turns user search text into a safe FTS5 MATCH expression. FTS5 has its own query language (quotes, `*`,
// `-`, `AND`/`OR`/`NOT`, `NEAR`, column filters `col:`) and throws on malformed input, so user text is never
// passed through: every term becomes a quoted string (inner quotes doubled), terms are ANDed, and the last
// one is a prefix query so results follow the user while typing — from two characters on, where the
// index's prefix tables answer it (a one-letter prefix would merge a large part of the vocabulary).

/** Null when the text holds nothing searchable (only punctuation/space). */
export function toFtsQuery(userText: string): string | null {
  const terms = userText
    .normalize('NFKC')
    .split(/\s+/u)
    // A term without a letter or digit tokenizes to nothing; drop it rather than match everything/nothing.
    .filter((t) => /[\p{L}\p{N}]/u.test(t));
  if (!terms.length) return null;
  return terms.map((t, i) => `"${t.replaceAll('"', '""')}"${i === terms.length - 1 && [...t].length >= 2 ? '*' : ''}`).join(' ');
}
