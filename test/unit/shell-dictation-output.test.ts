import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DictationError,
  MAX_DICTATION_CHARS,
  chooseMechanism,
  describeUnavailable,
  detectDictationMechanisms,
  dictate,
  escapeSendKeys,
  sanitizeDictation,
} from '../../src-main/shell/dictation-output.js';

const hasOnly =
  (...cmds: string[]) =>
  (c: string) =>
    cmds.includes(c);

test('X11 prefers xdotool typing, then clipboard paste', () => {
  const s = detectDictationMechanisms({ platform: 'linux', env: { DISPLAY: ':0' }, has: hasOnly('xdotool', 'xclip') });
  assert.deepEqual(
    s.map((m) => [m.id, m.available]),
    [
      ['xdotool-type', true],
      ['xdotool-paste', true],
      ['wtype', false],
      ['ydotool', false],
    ],
  );
  assert.equal(chooseMechanism(s)?.id, 'xdotool-type');
  assert.equal(chooseMechanism(s, 'xdotool-paste')?.id, 'xdotool-paste');
  assert.equal(chooseMechanism(s, 'wtype')?.id, 'xdotool-type', 'an unavailable preference falls back');
});

test('Wayland puts wtype/ydotool first', () => {
  const s = detectDictationMechanisms({
    platform: 'linux',
    env: { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' },
    has: hasOnly('wtype', 'xdotool'),
  });
  assert.deepEqual(
    s.map((m) => m.id),
    ['wtype', 'ydotool', 'xdotool-type', 'xdotool-paste'],
  );
  assert.equal(chooseMechanism(s)?.id, 'wtype');
});

test('macOS and Windows mechanisms', () => {
  const mac = detectDictationMechanisms({ platform: 'darwin', env: {}, has: hasOnly('osascript', 'pbcopy', 'pbpaste') });
  assert.equal(chooseMechanism(mac)?.id, 'osascript-keystroke');
  const win = detectDictationMechanisms({ platform: 'win32', env: {}, has: hasOnly('powershell') });
  assert.deepEqual(
    win.map((m) => m.id),
    ['sendkeys', 'powershell-paste'],
  );
  assert.equal(chooseMechanism(win)?.id, 'sendkeys');
});

test('nothing available is reported with every reason', () => {
  const s = detectDictationMechanisms({ platform: 'linux', env: {}, has: hasOnly() });
  assert.equal(chooseMechanism(s), null);
  const line = describeUnavailable(s, 'linux');
  assert.match(line, /^no dictation output mechanism available: /);
  assert.match(line, /xdotool-type \(needs xdotool on X11; missing: an X display \(DISPLAY is unset\), xdotool\)/);
  assert.match(line, /wtype \(needs wtype on Wayland; missing: a Wayland session/);
  assert.match(describeUnavailable([], 'aix'), /no dictation output mechanism is known for platform aix/);
});

test('dictate() reports "none" instead of throwing when nothing can type', async () => {
  const r = await dictate('hello', { env: { PATH: '' } });
  assert.equal(r.ok, false);
  assert.equal(r.mechanism, 'none');
  assert.ok(!r.ok && /no dictation output mechanism/.test(r.error));
  const empty = await dictate('  \u0007 ', { env: { PATH: '' } });
  assert.deepEqual(empty, { ok: false, mechanism: 'none', error: 'dictation text is empty' });
});

test('sanitize strips control characters, folds CRLF, enforces limits', () => {
  assert.equal(sanitizeDictation('a\u0000b\u001bc\r\nd\te'), 'abc\nd\te');
  assert.throws(() => sanitizeDictation(''), DictationError);
  assert.throws(() => sanitizeDictation(42), /must be a string/);
  assert.throws(() => sanitizeDictation('x'.repeat(MAX_DICTATION_CHARS + 1)), /limit is 20000/);
});

test('SendKeys escaping neutralises its command characters', () => {
  assert.equal(escapeSendKeys('1+1=2 ^%~ (a) {b} [c]\n'), '1{+}1=2 {^}{%}{~} {(}a{)} {{}b{}} {[}c{]}{ENTER}');
});
