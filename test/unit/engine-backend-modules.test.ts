// The optional backends' table (engine/backend-modules.ts): each literal import loads the module whose exports the
// engine uses, and the engine reports a backend it cannot load as unavailable, with the reason, instead of crashing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKEND_MODULES, loadBackendModule } from '../../src-main/core/engine/backend-modules.js';
import { createEngine, EngineUnavailableError } from '../../src-main/core/engine/index.js';

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

test('the engine reports a backend whose module cannot load as "not available" with the reason, and keeps running', async () => {
  const broken = {
    ...BACKEND_MODULES,
    pocketsphinx: async () => {
      throw new Error('libpocketsphinx.so.5: cannot open shared object file\n    at stack line');
    },
    espeak: async () => {
      throw new Error('Cannot find module espeak-ng addon');
    },
  };
  const engine = await createEngine({
    asr: [{ backend: 'pocketsphinx' }],
    tts: [{ backend: 'espeak' }],
    vad: false,
    backendModules: broken,
  });
  try {
    await engine.ready; // a missing backend is not a failed start
    const status = (id: string) => engine.backends().find((b) => b.id === id);
    assert.deepEqual(status('pocketsphinx'), {
      id: 'pocketsphinx',
      kind: 'asr',
      available: false,
      detail: 'the pocketsphinx backend could not be loaded: libpocketsphinx.so.5: cannot open shared object file',
    });
    assert.deepEqual(status('espeak'), {
      id: 'espeak',
      kind: 'tts',
      available: false,
      detail: 'the espeak backend could not be loaded: Cannot find module espeak-ng addon',
    });
    assert.throws(() => engine.tts({ backend: 'espeak' }), EngineUnavailableError);
    assert.throws(() => engine.asr({ backend: 'pocketsphinx' }), EngineUnavailableError);
  } finally {
    await engine.close();
  }
});
