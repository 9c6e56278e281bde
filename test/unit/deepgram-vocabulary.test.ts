// Deepgram's custom-vocabulary options map onto the session's (issue 14): keywords/keyterm → vocabulary,
// replace → the replacement list; a malformed replace is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepgramListenOptions } from '../../src-main/core/api/compat/deepgram/listen-options.js';

test('keywords (boost stripped) and keyterm become vocabulary; replace becomes replacements', () => {
  const q = new URLSearchParams();
  q.append('keywords', 'kubernetes:2');
  q.append('keywords', 'earshot');
  q.append('keyterm', 'tone alphabet');
  q.append('replace', 'eye tea:IT');
  q.append('replace', 'uh:');
  const { config } = deepgramListenOptions(q, { live: true });
  assert.deepEqual(config.vocabulary, ['kubernetes', 'earshot', 'tone alphabet']);
  assert.deepEqual(config.replacements, [
    { from: 'eye tea', to: 'IT' },
    { from: 'uh', to: '' },
  ]);
  const none = deepgramListenOptions(new URLSearchParams('punctuate=true'), { live: false }).config;
  assert.equal(none.vocabulary, undefined);
  assert.equal(none.replacements, undefined);
  assert.throws(
    () => deepgramListenOptions(new URLSearchParams('replace=nocolon'), { live: false }),
    /replace="nocolon" must be find:replacement/,
  );
});
