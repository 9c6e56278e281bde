// `earshot sessions …` as a user runs it: the real bin, a real database file chosen by --db or EARSHOT_DB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { appRoot } from '../../src-main/core/paths.js';
import { openStore } from '../../src-main/core/store/index.js';

const run = promisify(execFile);
const BIN = join(appRoot, 'bin', 'earshot.mjs');

async function earshot(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, cwd: appRoot });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('earshot sessions list/show/search/export/delete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-cli-'));
  try {
    const db = join(dir, 'transcripts.db');
    const store = openStore({ path: db });
    const id = store.createSession({ engine: 'pocketsphinx', model: 'en-us', language: 'en', title: 'Design review', tags: ['work'] });
    store.appendSegment(id, { track: 'mic', startMs: 1200, endMs: 3400, text: 'the new logo looks great', confidence: 0.9, words: [] });
    store.appendSegment(id, { track: 'mic', startMs: 4000, endMs: 5000, text: 'ship it friday', confidence: 0.9, words: [] });
    store.endSession(id);
    store.close();

    let r = await earshot(['sessions', 'list', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${id} .* complete .* 2 seg  Design review  \\[work\\]\\n$`));

    // EARSHOT_DB instead of the flag; JSON output.
    r = await earshot(['sessions', 'show', id, '--json'], { EARSHOT_DB: db });
    assert.equal(r.code, 0, r.stderr);
    const shown = JSON.parse(r.stdout);
    assert.deepEqual(
      shown.segments.map((g: { start_ms: number }) => g.start_ms),
      [1200, 4000],
    );

    r = await earshot(['sessions', '--db', db, 'search', 'logo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${id}  00:00:01  mic: the new logo looks great\n`);
    r = await earshot(['sessions', '--db', db, 'search', '--', '"AND', '-*']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'no matches\n');

    const srt = join(dir, 'out.srt');
    r = await earshot(['sessions', 'export', id, '--format', 'srt', '-o', srt, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(srt, 'utf8'),
      '1\n00:00:01,200 --> 00:00:03,400\nthe new logo looks great\n\n2\n00:00:04,000 --> 00:00:05,000\nship it friday\n',
    );
    r = await earshot(['sessions', 'export', id, '-f', 'vtt', '--db', db]);
    assert.ok(r.stdout.startsWith('WEBVTT\n\n00:00:01.200 --> 00:00:03.400\n'));

    r = await earshot(['sessions', 'export', id, '-f', 'docx', '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown --format "docx"/);
    r = await earshot(['sessions', 'show', 'no-such-id', '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no session with id "no-such-id"/);

    r = await earshot(['sessions', 'delete', id, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    r = await earshot(['sessions', 'list', '--db', db]);
    assert.match(r.stdout, /^no sessions \(0 in total\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
