// The replacement list of issue 14's custom vocabulary: whole words and phrases, any case, longest first, bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileReplacements, MAX_RULES, parseReplacements } from '../../src-main/core/sessions/replacements.js';

test('query form and array form parse to the same rules; bad rules are specific errors', () => {
  const fromString = parseReplacements('eye tea => IT; kubernetes→Kubernetes;\n  uh=> ');
  assert.deepEqual(fromString, [
    { from: 'eye tea', to: 'IT' },
    { from: 'kubernetes', to: 'Kubernetes' },
    { from: 'uh', to: '' },
  ]);
  assert.deepEqual(parseReplacements([{ from: ' eye   tea ', to: 'IT' }]), [{ from: 'eye tea', to: 'IT' }]);
  assert.throws(() => parseReplacements('no arrow here'), /has no "=>"/);
  assert.throws(() => parseReplacements('=>x'), /empty "from"/);
  assert.throws(() => parseReplacements('a'.repeat(101) + '=>b'), /longer than 100/);
  assert.throws(() => parseReplacements(Array.from({ length: MAX_RULES + 1 }, (_, i) => ({ from: `w${i}`, to: 'x' }))), /at most 200/);
});

test('applies to whole words and phrases, any case, longest phrase first; never inside a word; deleting leaves no double space', () => {
  const apply = compileReplacements(
    parseReplacements('new york=>New York; new york city=>NYC; eye tea=>IT; cat=>dog; uh=>; c++=>C plus plus; عربي=>العربية'),
  );
  assert.equal(apply('i moved to new york city from new york'), 'i moved to NYC from New York');
  assert.equal(apply('the Eye  Tea team'), 'the IT team');
  assert.equal(apply('the cat sat on the category'), 'the dog sat on the category');
  assert.equal(apply("the cat's toy"), "the cat's toy", 'an apostrophe is part of the word');
  assert.equal(apply('so uh we went'), 'so we went');
  assert.equal(apply('I write c++ daily'), 'I write C plus plus daily', 'regex characters are literal');
  assert.equal(apply('نص عربي هنا'), 'نص العربية هنا', 'any script');
  assert.equal(compileReplacements([])('unchanged  text'), 'unchanged  text');
});
