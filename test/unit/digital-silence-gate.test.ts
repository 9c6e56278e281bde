import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DigitalSilenceGate } from '../../src-main/core/sessions/system-audio/digital-silence-gate.js';

test('drops leading zeros, passes sound, then a bounded tail of zeros', () => {
  const gate = new DigitalSilenceGate(250);
  const zeros = new Float32Array(100);
  const sound = new Float32Array(100).fill(0.01);
  assert.equal(gate.filter(zeros).length, 0);
  assert.equal(gate.filter(sound).length, 100);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => gate.filter(zeros).length),
    [100, 100, 50, 0],
  );
  // Any non-zero sample (a quiet noise floor) counts as sound and re-arms the tail.
  const faint = new Float32Array(100);
  faint[99] = 1e-5;
  assert.equal(gate.filter(faint).length, 100);
  assert.equal(gate.filter(zeros).length, 100);
});
