// The file name a session is exported under, from its title (session-title.ts): letters and digits of any
// script kept, everything a file system or a Content-Disposition header could trip on removed, so
// "Budget: Q3/Q4 review?" exports as "Budget-Q3Q4-review.srt" and "اجتماع الميزانية" keeps its Arabic.

/** Longest name stem (characters), leaving room for the extension under every file system's 255-byte limit. */
const MAX_STEM = 80;

/** `<title reduced to safe characters>.<ext>`, or `earshot-<id>.<ext>` when nothing of the title is left. */
export function exportFileName(title: string, id: string, ext: string): string {
  const stem = title
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}\-_ ]+/gu, '')
    .trim()
    .replace(/\s+/g, '-')
    .replace(/^[-_.]+|[-_.]+$/g, '')
    .slice(0, MAX_STEM);
  return `${stem || `earshot-${id.replace(/[^\w-]+/g, '').slice(0, 40)}`}.${ext}`;
}

/**
 * A Content-Disposition `attachment` header for `name`: an ASCII `filename` for old clients and the exact
 * UTF-8 name in `filename*` (RFC 6266 / RFC 5987), which browsers prefer.
 */
export function attachmentHeader(name: string): string {
  const ascii =
    name
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]+/g, '')
      .replace(/["\\]/g, '') || 'transcript';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
