// Export formats, checked by strict parsers (test/helpers/captions-strict.ts) written from the SRT and WebVTT
// rules, not from the writer's own helpers: numbering, timing syntax, blank-line separation, line limits,
// monotonic times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimestamp, toCues, toJson, toSrt, toTxt, toVtt, wrapText, type ExportSegment } from '../../src-main/core/store/export.js';
import { parseSrtStrict, parseVttStrict, type ParsedCue } from '../helpers/captions-strict.js';

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
  assert.deepEqual(
    cues.flatMap((c) => c.lines.flatMap(words)),
    segments.flatMap((s) => words(s.text)),
  );
}

const LONG =
  'This sentence is deliberately long so that it cannot possibly fit into a single caption cue of two lines at forty two characters per line, which forces a split.';
// A tuple, so the tests can name its entries by index.
const SEGMENTS: [ExportSegment, ExportSegment, ExportSegment] = [
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
  checkCues(
    cues,
    SEGMENTS.map((s) => ({ ...s, text: s.text.replace('-->', '→') })),
  );
  const [first] = cues;
  assert.ok(first);
  assert.deepEqual([first.startMs, first.endMs, first.lines], [0, 1500, ['Hello world.']]);
  const long = cues.filter((c) => c.startMs >= 2000 && c.endMs <= 14000);
  const [firstLong] = long;
  assert.ok(firstLong && long.length >= 2, 'the long segment became several cues');
  assert.equal(firstLong.startMs, 2000);
  assert.equal(long.at(-1)!.endMs, 14000);
  long.slice(1).forEach((c, i) => assert.equal(c.startMs, long[i]!.endMs, 'contiguous')); // long[i] precedes c
  // Each piece's duration matches its share of the characters (to the ms rounding).
  const chars = (c: ParsedCue) => c.lines.join('').length;
  const total = long.reduce((n, c) => n + chars(c), 0);
  long.forEach((c) => assert.ok(Math.abs(c.endMs - c.startMs - (12000 * chars(c)) / total) <= 1));
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
  assert.ok(cues.length > 5 && cues.every((c) => c.lines.length === 1 && c.lines.every((l) => l.length <= 20)));
  checkCues(
    parseSrtStrict(toSrt(SEGMENTS, { maxLineLength: 32, maxLines: 3 })),
    SEGMENTS.map((s) => ({ ...s, text: s.text.replace('-->', '→') })),
    32,
    3,
  );
  assert.throws(() => toSrt(SEGMENTS, { maxLineLength: 0 }), /maxLineLength/);
});

test('empty and whitespace-only segments produce no cue; zero-length segments stay valid', () => {
  const segs = [
    { startMs: 0, endMs: 0, text: 'blip' },
    { startMs: 10, endMs: 20, text: '   ' },
  ];
  const cues = parseSrtStrict(toSrt(segs));
  assert.deepEqual(cues, [{ startMs: 0, endMs: 0, lines: ['blip'] }]);
});

test('TXT: one line per segment in time order, optional timestamps and tracks', () => {
  const unordered = [SEGMENTS[2], SEGMENTS[0]];
  assert.equal(toTxt(unordered), 'Hello world.\nTom & Jerry <3 --> later\n');
  assert.equal(
    toTxt(unordered, { timestamps: true, tracks: true }),
    '[00:00:00] mic: Hello world.\n[01:02:03] system: Tom & Jerry <3 --> later\n',
  );
  assert.equal(toTxt([]), '');
});

test('JSON round-trips the session', () => {
  const session = { id: 'x', title: 'T', segments: SEGMENTS };
  assert.deepEqual(JSON.parse(toJson(session)), session);
  assert.ok(toJson(session).endsWith('}\n'));
});
