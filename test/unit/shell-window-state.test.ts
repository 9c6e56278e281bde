import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EMPTY_WINDOW_STATE,
  clampToWorkArea,
  displayFor,
  displayKey,
  parseWindowState,
  rememberBounds,
  restoreBounds,
  type DisplayInfo,
} from '../../src-main/shell/window-state.js';

const laptop: DisplayInfo = {
  id: 1,
  bounds: { x: 0, y: 0, width: 1920, height: 1080 },
  workArea: { x: 0, y: 0, width: 1920, height: 1040 },
};
const monitor: DisplayInfo = {
  id: 2,
  bounds: { x: 1920, y: 0, width: 2560, height: 1440 },
  workArea: { x: 1920, y: 32, width: 2560, height: 1408 },
};

test('clamp shrinks oversize windows and pulls them inside the work area', () => {
  assert.deepEqual(clampToWorkArea({ x: -500, y: 2000, width: 800, height: 100 }, laptop.workArea), {
    x: 0,
    y: 940,
    width: 800,
    height: 100,
  });
  assert.deepEqual(clampToWorkArea({ x: 100, y: 100, width: 5000, height: 5000 }, laptop.workArea), {
    x: 0,
    y: 0,
    width: 1920,
    height: 1040,
  });
  assert.deepEqual(clampToWorkArea({ x: 10.6, y: 20.2, width: 300.4, height: 80.5 }, laptop.workArea), {
    x: 11,
    y: 20,
    width: 300,
    height: 81,
  });
});

test('displayFor picks the display with most overlap, else the nearest', () => {
  assert.equal(displayFor({ x: 1800, y: 100, width: 400, height: 100 }, [laptop, monitor]).id, 2);
  assert.equal(displayFor({ x: 1700, y: 100, width: 400, height: 100 }, [laptop, monitor]).id, 1);
  assert.equal(displayFor({ x: 9000, y: 100, width: 100, height: 100 }, [laptop, monitor]).id, 2);
});

test('remembers per display and restores the last-used one', () => {
  let s = rememberBounds(EMPTY_WINDOW_STATE, { x: 100, y: 800, width: 900, height: 150 }, [laptop, monitor]);
  s = rememberBounds(s, { x: 2100, y: 1200, width: 1200, height: 200 }, [laptop, monitor]);
  assert.equal(s.lastDisplay, displayKey(monitor));
  assert.deepEqual(restoreBounds(s, [laptop, monitor], laptop), { x: 2100, y: 1200, width: 1200, height: 200 });
  // Monitor unplugged: fall back to what was remembered on the laptop.
  assert.deepEqual(restoreBounds(s, [laptop], laptop), { x: 100, y: 800, width: 900, height: 150 });
});

test('a display whose work area shrank gets the window clamped into it', () => {
  const s = rememberBounds(EMPTY_WINDOW_STATE, { x: 2100, y: 1300, width: 1200, height: 120 }, [laptop, monitor]);
  const taskbarGrew: DisplayInfo = { ...monitor, workArea: { x: 1920, y: 32, width: 2560, height: 1300 } };
  assert.deepEqual(restoreBounds(s, [laptop, taskbarGrew], laptop), { x: 2100, y: 1212, width: 1200, height: 120 });
});

test('a display with a new resolution counts as new: default placement on the primary', () => {
  const s = rememberBounds(EMPTY_WINDOW_STATE, { x: 2100, y: 1200, width: 1200, height: 200 }, [laptop, monitor]);
  const resized: DisplayInfo = { ...monitor, bounds: { ...monitor.bounds, width: 1280, height: 720 } };
  const r = restoreBounds(s, [laptop, resized], laptop);
  assert.deepEqual(r, { x: 510, y: 832, width: 900, height: 160 });
});

test('restoring with nothing remembered centres a strip near the bottom of the primary', () => {
  const r = restoreBounds(EMPTY_WINDOW_STATE, [monitor], monitor);
  assert.equal(r.x + r.width / 2, monitor.workArea.x + monitor.workArea.width / 2);
  assert.ok(r.y + r.height <= monitor.workArea.y + monitor.workArea.height);
  assert.ok(r.y > monitor.workArea.y + monitor.workArea.height / 2);
});

test('malformed stored state is ignored', () => {
  for (const bad of [null, 42, 'x', { version: 2 }, { version: 1, byDisplay: { a: { x: 'no' } }, lastDisplay: null }]) {
    assert.deepEqual(parseWindowState(bad), EMPTY_WINDOW_STATE);
  }
  const good = rememberBounds(EMPTY_WINDOW_STATE, { x: 1, y: 2, width: 300, height: 100 }, [laptop]);
  assert.deepEqual(parseWindowState(JSON.parse(JSON.stringify(good))), good);
});

test('remembered displays are bounded', () => {
  let s = EMPTY_WINDOW_STATE;
  for (let i = 0; i < 40; i++) {
    const d: DisplayInfo = {
      id: i,
      bounds: { x: i * 100_000, y: 0, width: 800, height: 600 },
      workArea: { x: i * 100_000, y: 0, width: 800, height: 600 },
    };
    s = rememberBounds(s, { x: d.bounds.x + 10, y: 10, width: 200, height: 100 }, [d]);
  }
  assert.equal(Object.keys(s.byDisplay).length, 16);
  assert.equal(s.lastDisplay, '39:800x600');
});
