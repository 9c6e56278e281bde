// The WER helper used by the recognition-quality tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusWer, editCounts, normalizeWords, wordErrorRate } from '../helpers/wer.js';

test('normalisation: upper case, punctuation gone, apostrophes kept', () => {
  assert.deepEqual(normalizeWords("Hello, world! Don't stop—it's 3 o’clock."), ['HELLO', 'WORLD', "DON'T", 'STOP', "IT'S", '3', "O'CLOCK"]);
  assert.deepEqual(normalizeWords('  '), []);
});

test('edit counts separate substitutions, deletions and insertions', () => {
  const ref = 'A B C D'.split(' ');
  assert.deepEqual(editCounts(ref, 'A B C D'.split(' ')), { substitutions: 0, deletions: 0, insertions: 0, errors: 0, refWords: 4 });
  assert.equal(editCounts(ref, 'A X C D'.split(' ')).substitutions, 1);
  const del = editCounts(ref, 'A C D'.split(' '));
  assert.equal(del.deletions, 1);
  assert.equal(del.errors, 1);
  const ins = editCounts(ref, 'A B B C D'.split(' '));
  assert.equal(ins.insertions, 1);
  assert.equal(ins.errors, 1);
  assert.equal(editCounts(ref, []).deletions, 4);
  assert.equal(editCounts([], ['X']).insertions, 1);
});

test('WER values', () => {
  assert.equal(wordErrorRate('the cat sat', 'The cat sat.'), 0);
  assert.equal(wordErrorRate('the cat sat on the mat', 'the cat sat on a mat'), 1 / 6);
  assert.equal(wordErrorRate('one two', 'one two three four'), 1);
  const c = corpusWer([
    { reference: 'a b c d', hypothesis: 'a b c d' },
    { reference: 'e f', hypothesis: 'e' },
  ]);
  assert.equal(c.refWords, 6);
  assert.equal(c.errors, 1);
  assert.equal(c.wer, 1 / 6);
});
