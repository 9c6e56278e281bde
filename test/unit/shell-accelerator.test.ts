import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AcceleratorError, DEFAULT_HOTKEYS, chordOf, parseAccelerator, planHotkeys } from '../../src-main/shell/accelerator.js';

test('normalises aliases, case and modifier order', () => {
  assert.equal(parseAccelerator('shift+ctrl+c').normalized, 'Control+Shift+C');
  assert.equal(parseAccelerator(' Option + CmdOrCtrl + space ').normalized, 'CommandOrControl+Alt+Space');
  assert.equal(parseAccelerator('Meta+Enter').normalized, 'Super+Return');
  assert.equal(parseAccelerator('Ctrl+Alt+plus').normalized, 'Control+Alt+Plus');
  assert.equal(parseAccelerator('Ctrl+/').normalized, 'Control+/');
  assert.equal(parseAccelerator('f13').normalized, 'F13');
  assert.equal(parseAccelerator('MediaPlayPause').normalized, 'MediaPlayPause');
});

test('rejects bad accelerators with a specific reason', () => {
  const cases: [string, RegExp][] = [
    ['', /is empty/],
    ['Ctrl+', /empty part/],
    ['Ctrl+Alt', /no key/],
    ['Ctrl+A+B', /two keys/],
    ['Ctrl+Ctrl+A', /repeated/],
    ['A+Ctrl', /before the key/],
    ['Ctrl+Banana', /unknown key "Banana"/],
    ['CmdOrCtrl+Ctrl+A', /combines CommandOrControl/],
    ['A', /swallow normal typing/],
    ['Space', /swallow normal typing/],
    ['x'.repeat(200), /too long/],
  ];
  for (const [input, reason] of cases) {
    assert.throws(
      () => parseAccelerator(input),
      (err: unknown) => err instanceof AcceleratorError && reason.test(err.message),
      input,
    );
  }
});

test('chordOf resolves CommandOrControl per platform', () => {
  const acc = parseAccelerator('CmdOrCtrl+Alt+C');
  assert.equal(chordOf(acc, 'darwin'), 'Command+Alt+C');
  assert.equal(chordOf(acc, 'linux'), 'Control+Alt+C');
  assert.equal(chordOf(acc, 'win32'), 'Control+Alt+C');
});

test('default hotkeys plan cleanly on every platform', () => {
  for (const p of ['darwin', 'linux', 'win32'] as const) {
    const plan = planHotkeys(DEFAULT_HOTKEYS, p);
    assert.deepEqual(plan.problems, [], p);
    assert.equal(plan.bindings.length, 4);
  }
});

test('detects duplicates spelled differently, reserved chords and invalid entries', () => {
  const plan = planHotkeys(
    { toggleCaptions: 'Ctrl+Alt+C', toggleOverlay: 'CmdOrCtrl+Option+c', dictatePushToTalk: 'Alt+F4', toggleDictation: 'Ctrl+Nope' },
    'linux',
  );
  assert.deepEqual(plan.bindings, [{ action: 'toggleCaptions', accelerator: 'Control+Alt+C' }]);
  assert.deepEqual(
    plan.problems.map((p) => [p.action, p.kind]),
    [
      ['toggleOverlay', 'duplicate'],
      ['dictatePushToTalk', 'reserved'],
      ['toggleDictation', 'invalid'],
    ],
  );
  assert.match(plan.problems[0]!.message, /already bound to toggleCaptions/);
});

test('CommandOrControl duplicates Command on macOS but not Control', () => {
  const map = { toggleCaptions: 'CmdOrCtrl+Shift+K', toggleOverlay: 'Control+Shift+K' };
  assert.equal(planHotkeys(map, 'darwin').problems.length, 0);
  assert.equal(planHotkeys(map, 'linux').problems[0]?.kind, 'duplicate');
  assert.equal(planHotkeys({ ...map, toggleOverlay: 'Cmd+Shift+K' }, 'darwin').problems[0]?.kind, 'duplicate');
});

test('unbound actions are skipped, not errors', () => {
  const plan = planHotkeys({ toggleCaptions: '', toggleOverlay: 'F9' }, 'win32');
  assert.deepEqual(plan, { bindings: [{ action: 'toggleOverlay', accelerator: 'F9' }], problems: [] });
});
