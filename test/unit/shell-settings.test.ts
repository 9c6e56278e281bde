import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_HOTKEYS } from '../../src-main/shell/accelerator.js';
import { desktopEntry, isLinuxAutoStartEnabled, setLinuxAutoStart, xdgAutostartPath } from '../../src-main/shell/auto-start.js';
import { contentSecurityPolicy } from '../../src-main/shell/content-security-policy.js';
import { DEFAULT_SHELL_SETTINGS, loadShellSettings, parseShellSettings, saveShellSettings } from '../../src-main/shell/shell-settings.js';

test('CSP allows network access only to the local API', () => {
  const csp = contentSecurityPolicy('http://127.0.0.1:8088');
  assert.match(csp, /(^|; )connect-src http:\/\/127\.0\.0\.1:8088 ws:\/\/127\.0\.0\.1:8088(;|$)/);
  assert.match(csp, /(^|; )default-src 'none'(;|$)/);
  assert.match(csp, /(^|; )script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval|\*/);
  assert.throws(() => contentSecurityPolicy('http://example.com:8088'), /loopback/);
  assert.throws(() => contentSecurityPolicy('file:///x'), /http/);
});

test('XDG autostart entry: written, detected, removed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-autostart-'));
  const env = { XDG_CONFIG_HOME: dir };
  try {
    assert.equal(isLinuxAutoStartEnabled(env), false);
    setLinuxAutoStart(true, '/opt/Earshot/earshot', [], env);
    assert.equal(xdgAutostartPath(env), join(dir, 'autostart', 'earshot.desktop'));
    assert.equal(isLinuxAutoStartEnabled(env), true);
    assert.match(readFileSync(xdgAutostartPath(env), 'utf8'), /^Exec=\/opt\/Earshot\/earshot --hidden$/m);
    setLinuxAutoStart(false, '/opt/Earshot/earshot', [], env);
    assert.equal(isLinuxAutoStartEnabled(env), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('desktop entry quotes paths with spaces and escapes %', () => {
  assert.match(desktopEntry('/home/a b/Earshot.AppImage', ['50%']), /^Exec="\/home\/a b\/Earshot\.AppImage" 50%% --hidden$/m);
});

test('settings: defaults, field-wise fallback, atomic round trip', () => {
  assert.deepEqual(parseShellSettings(null), DEFAULT_SHELL_SETTINGS);
  const partial = parseShellSettings({ hotkeys: { toggleOverlay: 'F9' }, clickThrough: 'yes', alwaysOnTop: false });
  assert.deepEqual(partial.hotkeys, { ...DEFAULT_HOTKEYS, toggleOverlay: 'F9' });
  assert.equal(partial.clickThrough, false);
  assert.equal(partial.alwaysOnTop, false);
  const dir = mkdtempSync(join(tmpdir(), 'earshot-settings-'));
  try {
    const path = join(dir, 'sub', 'shell.json');
    saveShellSettings(path, partial);
    assert.deepEqual(loadShellSettings(path), partial);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    writeFileSync(path, '{not json');
    assert.deepEqual(loadShellSettings(path), DEFAULT_SHELL_SETTINGS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
