// The optional backends' table (engine/backend-modules.ts): each literal import loads the module whose exports the
// engine uses, and the engine reports a backend it cannot load as unavailable, with the reason, instead of crashing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKEND_MODULES, loadBackendModule } from '../../src-main/core/engine/backend-modules.js';

test('every backend module in the table loads and has the functions the engine calls', async () => {
  assert.deepEqual(Object.keys(BACKEND_MODULES).sort(), ['espeak', 'pocketsphinx', 'sherpaTts']);
  const ps = await loadBackendModule('pocketsphinx');
  assert.ok(!(ps instanceof Error), ps instanceof Error ? ps.message : '');
  assert.equal(typeof ps.pocketsphinxStatus, 'function');
  assert.equal(typeof ps.loadPocketsphinxAsr, 'function');
  const espeak = await loadBackendModule('espeak');
  assert.ok(!(espeak instanceof Error), espeak instanceof Error ? espeak.message : '');
  assert.equal(typeof espeak.espeakStatus, 'function');
  assert.equal(typeof espeak.createEspeakSynthesizer, 'function');
  const sherpa = await loadBackendModule('sherpaTts');
  assert.ok(!(sherpa instanceof Error), sherpa instanceof Error ? sherpa.message : '');
  assert.equal(typeof sherpa.loadSherpaTts, 'function');
});

test('a backend whose module cannot load is reported as an Error saying why, not thrown', async () => {
  const broken = {
    ...BACKEND_MODULES,
    espeak: async () => {
      throw new Error('Cannot find module espeak-ng addon\n    at stack line');
    },
  };
  const result = await loadBackendModule('espeak', broken);
  assert.ok(result instanceof Error);
  assert.equal(result.message, 'the espeak backend could not be loaded: Cannot find module espeak-ng addon');
});
