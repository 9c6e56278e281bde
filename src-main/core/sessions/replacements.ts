// The user's replacement list ("wrong → right", issue 14's custom vocabulary where the model cannot be biased):
// applied to every final, on whole words and phrases, case-insensitively, so "eye tea" → "IT" fixes what a
// recognizer keeps mishearing. Bounded: at most MAX_RULES rules of MAX_RULE_CHARS characters each.

export const MAX_RULES = 200;
export const MAX_RULE_CHARS = 100;

export interface Replacement {
  from: string;
  to: string;
}

/** Thrown for a list that cannot be applied as written (the session reports it as bad_config). */
export class ReplacementListError extends Error {}

/**
 * The list as a client sends it: an array of {from, to}, or one string of `wrong=>right` (or `wrong→right`) rules
 * separated by `;` or new lines (the WS query form). Empty `from` is an error; empty `to` deletes the phrase.
 */
export function parseReplacements(input: string | readonly Replacement[]): Replacement[] {
  const rules: Replacement[] =
    typeof input === 'string'
      ? input
          .split(/[;\n]/)
          .map((r) => r.trim())
          .filter(Boolean)
          .map((r) => {
            const m = /^(.*?)\s*(?:=>|→)\s*(.*)$/.exec(r);
            if (!m) throw new ReplacementListError(`replacement "${r.slice(0, 40)}" has no "=>" (write it as wrong=>right)`);
            return { from: m[1]!, to: m[2]! };
          })
      : input.map((r) => ({ from: r.from, to: r.to }));
  if (rules.length > MAX_RULES) throw new ReplacementListError(`at most ${MAX_RULES} replacements, got ${rules.length}`);
  for (const r of rules) {
    r.from = r.from.trim().replace(/\s+/g, ' ');
    r.to = r.to.trim();
    if (!r.from) throw new ReplacementListError('a replacement has nothing to replace (empty "from")');
    if (r.from.length > MAX_RULE_CHARS || r.to.length > MAX_RULE_CHARS)
      throw new ReplacementListError(`a replacement is longer than ${MAX_RULE_CHARS} characters`);
  }
  return rules;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A function applying the rules in one pass (longest phrase first, so "new york city" wins over "new york"). */
export function compileReplacements(rules: readonly Replacement[]): (text: string) => string {
  if (!rules.length) return (t) => t;
  const sorted = [...rules].sort((a, b) => b.from.length - a.from.length);
  const byKey = new Map(sorted.map((r) => [r.from.toLocaleLowerCase(), r.to]));
  // Whole words: not inside a longer word (letters, digits, apostrophes of any script); spaces in a phrase match any run of whitespace.
  const alternatives = sorted.map((r) => r.from.split(' ').map(escapeRegExp).join('\\s+'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}'])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}'])`, 'giu');
  return (text) =>
    text
      .replace(re, (hit) => byKey.get(hit.toLocaleLowerCase().replace(/\s+/g, ' ')) ?? hit)
      .replace(/\s{2,}/g, ' ')
      .trim();
}
