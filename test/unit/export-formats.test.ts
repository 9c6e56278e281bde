// Export formats, checked by strict parsers written here from the SRT and WebVTT rules (not by the writer's
// own helpers): numbering, timing syntax, blank-line separation, line limits, monotonic times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimestamp, toCues, toJson, toSrt, toTxt, toVtt, wrapText, type ExportSegment } from '../../src-main/core/store/export.js';

interface ParsedCue { startMs: number; endMs: number; lines: string[] }

const toMs = (h: string, m: string, s: string, ms: string) => ((+h * 60 + +m) * 60 + +s) * 1000 + +ms;

/** Strict SRT: "N\nHH:MM:SS,mmm --> HH:MM:SS,mmm\ntext…\n" cues separated by exactly one blank line. */
export function parseSrtStrict(srt: string): ParsedCue[] {
  assert.ok(srt.endsWith('\n') && !srt.endsWith('\n\n\n'), 'ends with one newline after the last cue');
  const blocks = srt.slice(0, -1).split('\n\n');
  return blocks.map((block, i) => {
    const lines = block.split('\n');
    assert.equal(lines[0], String(i + 1), `cue ${i + 1} is numbered ${i + 1}`);
    const t = /^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d),(\d{3})$/.exec(lines[1]);
    assert.ok(t, `cue ${i + 1} timing line: ${JSON.stringify(lines[1])}`);
    const text = lines.slice(2);
    assert.ok(text.length >= 1 && text.every((l) => l.trim() !== '' && !l.includes('-->')), `cue ${i + 1} text`);
    return { startMs: toMs(t[1], t[2], t[3], t[4]), endMs: toMs(t[5], t[6], t[7], t[8]), lines: text };
  });
}

/** Strict WebVTT: "WEBVTT" header line, blank line, cues "HH:MM:SS.mmm --> HH:MM:SS.mmm\ntext…". */
export function parseVttStrict(vtt: string): ParsedCue[] {
  assert.ok(vtt.startsWith('WEBVTT\n\n'), 'WEBVTT header then a blank line');
  const body = vtt.slice('WEBVTT\n\n'.length);
  if (!body) return [];
  assert.ok(body.endsWith('\n') && !body.endsWith('\n\n'));
  return body.slice(0, -1).split('\n\n').map((block, i) => {
    const lines = block.split('\n');
    const t = /^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$/.exec(lines[0]);
    assert.ok(t, `cue ${i + 1} timing line: ${JSON.stringify(lines[0])}`);
    const text = lines.slice(1);
    for (const l of text) {
      assert.ok(l.trim() !== '' && !l.includes('-->'), `cue ${i + 1} text line`);
      // Only entity escapes and <v …>/</v> spans may use & and <.
      assert.ok(!/&(?!amp;|lt;|gt;)/.test(l), `unescaped & in ${JSON.stringify(l)}`);
      assert.ok(!/<(?!v [^>]+>|\/v>)/.test(l), `unescaped < in ${JSON.stringify(l)}`);
    }
    const plain = text.map((l) => l.replace(/<v [^>]+>|<\/v>/g, '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'));
    return { startMs: toMs(t[1], t[2], t[3], t[4]), endMs: toMs(t[5], t[6], t[7], t[8]), lines: plain };
  });
}

function checkCues(cues: ParsedCue[], segments: ExportSegment[], maxLine = 42, maxLines = 2): void {
  let prevEnd = 0;
  for (const c of cues) {
    assert.ok(c.endMs >= c.startMs && c.startMs >= prevEnd, `cue ${c.startMs}-${c.endMs} is in order`);
    assert.ok(c.lines.length <= maxLines, `at most ${maxLines} lines`);
    for (const l of c.lines) assert.ok([...l].length <= maxLine, `line ${JSON.stringify(l)} within ${maxLine}`);
    prevEnd = c.endMs;
  }
  // No word lost or invented.
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  assert.deepEqual(cues.flatMap((c) => c.lines.flatMap(words)), segments.flatMap((s) => words(s.text)));
}

const LONG = 'This sentence is deliberately long so that it cannot possibly fit into a single caption cue of two lines at forty two characters per line, which forces a split.';
const SEGMENTS: ExportSegment[] = [
  { startMs: 0, endMs: 1500, text: 'Hello world.', track: 'mic' },
  { startMs: 2000, endMs: 14000, text: LONG, track: 'mic' },
  { startMs: 3_723_004, endMs: 3_725_999, text: 'Tom & Jerry <3 --> later', track: 'system' },
];

test('timestamps', () => {
  assert.equal(formatTimestamp(0, ','), '00:00:00,000');
  assert.equal(formatTimestamp(3_723_004, ','), '01:02:03,004');
  assert.equal(formatTimestamp(3_723_004, '.'), '01:02:03.004');
  assert.equal(formatTimestamp(100 * 3_600_000 + 1, '.'), '100:00:00.001');
  assert.equal(formatTimestamp(-5, ','), '00:00:00,000');
});

test('wrapText keeps lines within the width and cuts overlong words', () => {
  assert.deepEqual(wrapText('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
  assert.deepEqual(wrapText('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.deepEqual(wrapText('  \n ', 10), []);
});

test('SRT passes the strict parser; long segments split with proportional times', () => {
  const cues = parseSrtStrict(toSrt(SEGMENTS));
  checkCues(cues, SEGMENTS.map((s) => ({ ...s, text: s.text.replace('-->', '→') })));
  assert.deepEqual([cues[0].startMs, cues[0].endMs, cues[0].lines], [0, 1500, ['Hello world.']]);
  const long = cues.filter((c) => c.startMs >= 2000 && c.endMs <= 14000);
  assert.ok(long.length >= 2, 'the long segment became several cues');
  assert.equal(long[0].startMs, 2000);
  assert.equal(long.at(-1)!.endMs, 14000);
  for (let i = 1; i < long.length; i++) assert.equal(long[i].startMs, long[i - 1].endMs, 'contiguous');
  // Each piece's duration matches its share of the characters (to the ms rounding).
  const chars = long.map((c) => c.lines.join('').length);
  const total = chars.reduce((a, b) => a + b, 0);
  long.forEach((c, i) => assert.ok(Math.abs(c.endMs - c.startMs - (12000 * chars[i]) / total) <= 1));
  assert.deepEqual(cues.at(-1)!.lines, ['Tom & Jerry <3 → later']);
});

test('VTT passes the strict parser, escapes markup, and can label tracks as voices', () => {
  const cues = parseVttStrict(toVtt(SEGMENTS));
  checkCues(cues, SEGMENTS); // '-->' survives as '--&gt;', which the parser unescapes
  assert.equal(cues.at(-1)!.startMs, 3_723_004);
  const voiced = toVtt(SEGMENTS, { tracks: true });
  assert.match(voiced, /<v mic>Hello world\.<\/v>/);
  parseVttStrict(voiced);
  assert.equal(toVtt([]), 'WEBVTT\n\n');
  assert.equal(toSrt([]), '');
});

test('line limits are configurable', () => {
  const cues = toCues([{ startMs: 0, endMs: 1000, text: LONG }], { maxLineLength: 20, maxLines: 1 });
  assert.ok(cues.length > 5 && cues.every((c) => c.lines.length === 1 && c.lines[0].length <= 20));
  checkCues(parseSrtStrict(toSrt(SEGMENTS, { maxLineLength: 32, maxLines: 3 })), SEGMENTS.map((s) => ({ ...s, text: s.text.replace('-->', '→') })), 32, 3);
  assert.throws(() => toSrt(SEGMENTS, { maxLineLength: 0 }), /maxLineLength/);
});

test('empty and whitespace-only segments produce no cue; zero-length segments stay valid', () => {
  const segs = [{ startMs: 0, endMs: 0, text: 'blip' }, { startMs: 10, endMs: 20, text: '   ' }];
  const cues = parseSrtStrict(toSrt(segs));
  assert.deepEqual(cues, [{ startMs: 0, endMs: 0, lines: ['blip'] }]);
});

test('TXT: one line per segment in time order, optional timestamps and tracks', () => {
  const unordered = [SEGMENTS[2], SEGMENTS[0]];
  assert.equal(toTxt(unordered), 'Hello world.\nTom & Jerry <3 --> later\n');
  assert.equal(toTxt(unordered, { timestamps: true, tracks: true }), '[00:00:00] mic: Hello world.\n[01:02:03] system: Tom & Jerry <3 --> later\n');
  assert.equal(toTxt([]), '');
});

test('JSON round-trips the session', () => {
  const session = { id: 'x', title: 'T', segments: SEGMENTS };
  assert.deepEqual(JSON.parse(toJson(session)), session);
  assert.ok(toJson(session).endsWith('}\n'));
});
