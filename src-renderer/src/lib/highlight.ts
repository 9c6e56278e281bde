// Search snippets come from the server with hits wrapped in <mark>…</mark>. We never inject that as HTML:
// it is split into plain-text parts rendered by Svelte (escaped), the marked ones as <mark> elements.
export interface SnippetPart {
  text: string;
  hit: boolean;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(?:amp|lt|gt|quot|apos|#39);/g, (e) => ENTITIES[e] ?? e);
}

export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const re = /<mark>([\s\S]*?)<\/mark>/g;
  let last = 0;
  for (let m = re.exec(snippet); m; m = re.exec(snippet)) {
    if (m.index > last) parts.push({ text: decodeEntities(snippet.slice(last, m.index)), hit: false });
    parts.push({ text: decodeEntities(m[1] ?? ''), hit: true }); // the group is not optional: always set
    last = re.lastIndex;
  }
  if (last < snippet.length) parts.push({ text: decodeEntities(snippet.slice(last)), hit: false });
  return parts.filter((p) => p.text !== '');
}

/** Highlight `query` terms in plain text (the transcript view), case-insensitively, as parts. */
export function highlightTerms(text: string, query: string): SnippetPart[] {
  const terms = query
    .toLowerCase()
    .split(/\s+/)
    .map((t) => t.replace(/[^\p{L}\p{N}']/gu, ''))
    .filter((t) => t.length > 0);
  if (!terms.length) return [{ text, hit: false }];
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(${escaped.join('|')})`, 'giu');
  return text
    .split(re)
    .filter((s) => s !== '')
    .map((s) => ({ text: s, hit: terms.includes(s.toLowerCase()) }));
}

/** 83_450 ms → "1:23" (or "1:02:03" past an hour). */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${h ? String(m).padStart(2, '0') : m}:${String(s).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}
