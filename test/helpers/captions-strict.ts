// Strict SRT and WebVTT parsers for tests, written from the formats' rules (not from Earshot's writer): they
// fail the test on any deviation — numbering, timing syntax, blank-line separation, escaping.
import assert from 'node:assert/strict';

export interface ParsedCue {
  startMs: number;
  endMs: number;
  lines: string[];
}

/** The timestamp whose four capture groups (h, m, s, ms) start at group `at` of a timing-line match, in ms. */
const toMs = (t: RegExpExecArray, at: number) =>
  ((Number(t[at]) * 60 + Number(t[at + 1])) * 60 + Number(t[at + 2])) * 1000 + Number(t[at + 3]);

/** Strict SRT: "N\nHH:MM:SS,mmm --> HH:MM:SS,mmm\ntext…\n" cues separated by exactly one blank line. */
export function parseSrtStrict(srt: string): ParsedCue[] {
  assert.ok(srt.endsWith('\n') && !srt.endsWith('\n\n\n'), 'ends with one newline after the last cue');
  const blocks = srt.slice(0, -1).split('\n\n');
  return blocks.map((block, i) => {
    const lines = block.split('\n');
    assert.equal(lines[0], String(i + 1), `cue ${i + 1} is numbered ${i + 1}`);
    const t = /^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d),(\d{3})$/.exec(lines[1] ?? '');
    assert.ok(t, `cue ${i + 1} timing line: ${JSON.stringify(lines[1])}`);
    const text = lines.slice(2);
    assert.ok(text.length >= 1 && text.every((l) => l.trim() !== '' && !l.includes('-->')), `cue ${i + 1} text`);
    return { startMs: toMs(t, 1), endMs: toMs(t, 5), lines: text };
  });
}

/** Strict WebVTT: "WEBVTT" header line, blank line, cues "HH:MM:SS.mmm --> HH:MM:SS.mmm\ntext…". */
export function parseVttStrict(vtt: string): ParsedCue[] {
  assert.ok(vtt.startsWith('WEBVTT\n\n'), 'WEBVTT header then a blank line');
  const body = vtt.slice('WEBVTT\n\n'.length);
  if (!body) return [];
  assert.ok(body.endsWith('\n') && !body.endsWith('\n\n'));
  return body
    .slice(0, -1)
    .split('\n\n')
    .map((block, i) => {
      const lines = block.split('\n');
      const t = /^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$/.exec(lines[0] ?? '');
      assert.ok(t, `cue ${i + 1} timing line: ${JSON.stringify(lines[0])}`);
      const text = lines.slice(1);
      for (const l of text) {
        assert.ok(l.trim() !== '' && !l.includes('-->'), `cue ${i + 1} text line`);
        // Only entity escapes and <v …>/</v> spans may use & and <.
        assert.ok(!/&(?!amp;|lt;|gt;)/.test(l), `unescaped & in ${JSON.stringify(l)}`);
        assert.ok(!/<(?!v [^>]+>|\/v>)/.test(l), `unescaped < in ${JSON.stringify(l)}`);
      }
      const plain = text.map((l) =>
        l
          .replace(/<v [^>]+>|<\/v>/g, '')
          .replaceAll('&lt;', '<')
          .replaceAll('&gt;', '>')
          .replaceAll('&amp;', '&'),
      );
      return { startMs: toMs(t, 1), endMs: toMs(t, 5), lines: plain };
    });
}
