import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokensToWords } from '../../src-main/core/engine/backends/sherpa/words.js';

test('character tokens with a standalone ▁ boundary', () => {
  const tokens = ['h', 'i', '▁', 'y', 'o'];
  const words = tokensToWords(tokens, [100, 200, 300, 400, 500], 650);
  assert.deepEqual(words, [
    { word: 'hi', startMs: 100, endMs: 300 },
    { word: 'yo', startMs: 400, endMs: 650 },
  ]);
});

test('BPE tokens where ▁ starts a word', () => {
  const words = tokensToWords(['▁HE', 'LLO', '▁WOR', 'LD', "'S"], [0, 80, 400, 480, 560], 700);
  assert.deepEqual(words, [
    { word: 'HELLO', startMs: 0, endMs: 400 },
    { word: "WORLD'S", startMs: 400, endMs: 700 },
  ]);
});

test('space-prefixed tokens, leading boundary and empty input', () => {
  assert.deepEqual(tokensToWords([' a', ' b'], [10, 20], 30), [
    { word: 'a', startMs: 10, endMs: 20 },
    { word: 'b', startMs: 20, endMs: 30 },
  ]);
  assert.deepEqual(tokensToWords(['▁', 'x'], [5, 9], 12), [{ word: 'x', startMs: 9, endMs: 12 }]);
  assert.deepEqual(tokensToWords([], [], 0), []);
});
