// A live session's owner is a pid AND that process's start time (issue 10: a server killed while it was PID 1
// of a container left its sessions `live` forever, since PID 1 always exists — and is the new server itself).
// Real processes, real /proc, real SQLite files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src-main/core/store/index.js';
import { OWN_START_MS, ownerAlive, processStartMs } from '../../src-main/core/store/process-owner.js';

const linux = process.platform === 'linux';

test("the start time read from /proc is this process's own start (so a live owner is recognised)", { skip: !linux && 'no /proc' }, () => {
  const fromProc = processStartMs(process.pid);
  assert.ok(fromProc !== null);
  assert.ok(Math.abs(fromProc - OWN_START_MS) < 2000, `/proc says ${fromProc}, Node says ${OWN_START_MS}`);
});

test('ownerAlive: same pid with another start time is a different (dead) process', async () => {
  assert.equal(ownerAlive(process.pid, OWN_START_MS), true);
  assert.equal(ownerAlive(process.pid, null), false, "rows without a start time under our pid are an earlier process's");
  assert.equal(ownerAlive(process.pid, OWN_START_MS - 3_600_000), false);

  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  try {
    const pid = child.pid!;
    const started = processStartMs(pid) ?? Date.now();
    assert.equal(ownerAlive(pid, started), true);
    assert.equal(ownerAlive(pid, null), true, 'a running pid with no recorded start is trusted, as before');
    if (linux) assert.equal(ownerAlive(pid, started - 3_600_000), false, 'a reused pid is not the owner');
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  assert.equal(ownerAlive(child.pid!, Date.now()), false, 'an exited process is dead');
});

test('on open, rows left live by an earlier PID 1 / an earlier process with our pid become interrupted; live owners are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-owner-'));
  const path = join(dir, 'sessions.db');
  const meta = { engine: 'e', model: 'm', language: 'en' };
  try {
    const writer = openStore({ path });
    const ids = {
      oldPid1: writer.createSession(meta),
      oldSelf: writer.createSession(meta),
      legacySelf: writer.createSession(meta),
      livePid1: writer.createSession(meta),
      mine: writer.createSession(meta),
    };
    const db = new Database(path);
    const setOwner = db.prepare('UPDATE sessions SET owner_pid = ?, owner_started_at = ? WHERE id = ?');
    const pid1Start = processStartMs(1);
    // The PID 1 of a container that was killed an hour ago (today's PID 1 started at another time).
    setOwner.run(1, (pid1Start ?? Date.now()) - 3_600_000, ids.oldPid1);
    // A server that had this very pid before (we are its restart, e.g. PID 1 again).
    setOwner.run(process.pid, OWN_START_MS - 60_000, ids.oldSelf);
    // A row from before start times were recorded, under our pid: not ours (we always record one).
    setOwner.run(process.pid, null, ids.legacySelf);
    // Today's PID 1, with its real start time: alive (only checkable where /proc is readable).
    setOwner.run(1, pid1Start, ids.livePid1);
    db.close();

    const reader = openStore({ path });
    assert.equal(reader.getSession(ids.oldPid1)!.status, linux ? 'interrupted' : 'live');
    assert.equal(reader.getSession(ids.oldSelf)!.status, 'interrupted');
    assert.equal(reader.getSession(ids.legacySelf)!.status, 'interrupted');
    assert.equal(reader.getSession(ids.livePid1)!.status, 'live');
    assert.equal(reader.getSession(ids.mine)!.status, 'live', 'a session of this running process is left alone');
    reader.close();
    writer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
