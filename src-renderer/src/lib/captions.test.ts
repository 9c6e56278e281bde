import { describe, expect, it } from 'vitest';
import { CaptionLog } from './captions.js';
import type { TranscriptMessage } from '../../../proto/ws-messages.js';

const interim = (segment: number, text: string): TranscriptMessage => ({
  type: 'transcript',
  is_final: false,
  segment,
  text,
  start_ms: segment * 1000,
  end_ms: segment * 1000 + 500,
});
const final = (segment: number, text: string): TranscriptMessage => ({
  type: 'transcript',
  is_final: true,
  segment,
  text,
  start_ms: segment * 1000,
  end_ms: segment * 1000 + 900,
  confidence: 0.9,
  latency_ms: 40,
});

describe('CaptionLog', () => {
  it('replaces interims by newer interims and then by the final of the same segment', () => {
    const log = new CaptionLog();
    log.newEpoch();
    log.apply(interim(0, 'hel'));
    log.apply(interim(0, 'hello wor'));
    expect(log.lines().map((l) => [l.text, l.final])).toEqual([['hello wor', false]]);
    log.apply(final(0, 'Hello world.'));
    expect(log.lines().map((l) => [l.text, l.final])).toEqual([['Hello world.', true]]);
    log.apply(interim(1, 'next'));
    expect(log.lines().map((l) => l.text)).toEqual(['Hello world.', 'next']);
  });

  it('orders by segment whatever the arrival order, and ignores a late interim after its final', () => {
    const log = new CaptionLog();
    log.newEpoch();
    log.apply(final(2, 'two'));
    log.apply(final(0, 'zero'));
    log.apply(final(1, 'one'));
    log.apply(interim(1, 'on'));
    expect(log.text()).toBe('zero one two');
    expect(log.lines().every((l) => l.final)).toBe(true);
  });

  it('a repeated final replaces, never duplicates', () => {
    const log = new CaptionLog();
    log.newEpoch();
    log.apply(final(0, 'alpha'));
    log.apply(final(0, 'alpha'));
    expect(log.finalLines()).toHaveLength(1);
  });

  it('keeps finals across a reconnect; the dead interim stays (stale) until the new connection speaks', () => {
    const log = new CaptionLog();
    const e1 = log.newEpoch();
    log.apply(final(0, 'first sentence'), e1);
    log.apply(final(1, 'second sentence'), e1);
    log.apply(interim(2, 'third sen'), e1);
    const e2 = log.newEpoch();
    expect(log.lines().map((l) => [l.text, l.stale])).toEqual([
      ['first sentence', false],
      ['second sentence', false],
      ['third sen', true],
    ]);
    // Segment numbers restart on the new connection: no collision with epoch 1's segment 0.
    log.apply(interim(0, 'third sentence'), e2);
    expect(log.lines().map((l) => l.text)).toEqual(['first sentence', 'second sentence', 'third sentence']);
    log.apply(final(0, 'third sentence'), e2);
    expect(log.text()).toBe('first sentence second sentence third sentence');
  });

  it('drops empty finals and interims and bounds memory', () => {
    const log = new CaptionLog({ maxFinals: 3 });
    log.newEpoch();
    log.apply(interim(0, 'x'));
    log.apply(final(0, '   '));
    expect(log.lines()).toEqual([]);
    for (let i = 1; i <= 5; i++) log.apply(final(i, `s${i}`));
    expect(log.text()).toBe('s3 s4 s5');
  });

  it('tail() gives the last finals plus the interim, and subscribers hear each change', () => {
    const log = new CaptionLog();
    let calls = 0;
    log.subscribe(() => calls++);
    log.newEpoch();
    for (let i = 0; i < 5; i++) log.apply(final(i, `s${i}`));
    log.apply(interim(5, 'now'));
    expect(log.tail(2).map((l) => l.text)).toEqual(['s3', 's4', 'now']);
    expect(calls).toBe(7);
  });
});
