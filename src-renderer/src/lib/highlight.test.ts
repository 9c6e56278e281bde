import { describe, expect, it } from 'vitest';
import { formatClock, highlightTerms, splitSnippet } from './highlight.js';

describe('snippets', () => {
  it('splits <mark> hits into parts and never passes HTML through', () => {
    expect(splitSnippet('a <mark>big</mark> cat &amp; <mark>dog</mark>')).toEqual([
      { text: 'a ', hit: false },
      { text: 'big', hit: true },
      { text: ' cat & ', hit: false },
      { text: 'dog', hit: true },
    ]);
    expect(splitSnippet('<img src=x onerror=alert(1)>')).toEqual([{ text: '<img src=x onerror=alert(1)>', hit: false }]);
  });

  it('highlights query terms in plain text, ignoring regex characters in the query', () => {
    expect(highlightTerms('Stuff and stuffing', 'stuff (')).toEqual([
      { text: 'Stuff', hit: true },
      { text: ' and ', hit: false },
      { text: 'stuff', hit: true },
      { text: 'ing', hit: false },
    ]);
    expect(highlightTerms('x', '')).toEqual([{ text: 'x', hit: false }]);
  });

  it('formats clock times', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(83_450)).toBe('1:23');
    expect(formatClock(3_723_000)).toBe('1:02:03');
  });
});
