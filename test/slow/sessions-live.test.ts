// In test/slow (the complete gate, not test:quick): a real meeting recording through pocketsphinx, about 45 CPU-seconds.
// A stored live session end to end: the real server (pocketsphinx engine, SQLite store on disk), a WebSocket
// client streaming ../shared/audio/longform/dev-meeting-1.wav with `session=new`. The store must hold one
// segment per final with the final's text and times (which fall on the recording's speech), search must find
// a recognized word at its time, and the SRT/VTT exports must pass the strict caption parsers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../src-main/core/api/server.js';
import { parseWavHeader } from '../../src-main/core/audio/index.js';
import { createEngine, type Engine } from '../../src-main/core/engine/index.js';
import { openStore, type Store } from '../../src-main/core/store/index.js';
import { parseSrtStrict, parseVttStrict } from '../helpers/captions-strict.js';
import { LONGFORM } from '../helpers/shared.js';

interface Final {
  segment: number;
  text: string;
  start_ms: number;
  end_ms: number;
  words?: { word: string; start_ms: number; end_ms: number }[];
}

const reference = JSON.parse(readFileSync(join(LONGFORM, 'dev-meeting-1.json'), 'utf8')) as {
  segments: { start_ms: number; end_ms: number; text: string }[];
};

let dir: string;
let store: Store;
let engine: Engine;
let server: RunningServer;
let sessionId: string;
let finals: Final[];
let complete: { session_id: string; segments: number };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-live-'));
  store = openStore({ path: join(dir, 'earshot.db') });
  engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false });
  await engine.ready;
  server = await startServer({
    engine,
    store,
    token: 'live-test-token-0123456789abcdef',
    asrPort: 0,
    ttsPort: 0,
    grpc: false,
    // The whole file is sent far faster than real time; allow the lead.
    limits: { audioAheadBudgetMs: 600_000, maxQueuedAudioMs: 600_000, idleTimeoutMs: 120_000 },
  });

  const file = readFileSync(join(LONGFORM, 'dev-meeting-1.wav'));
  const wav = parseWavHeader(file);
  const pcm = file.subarray(wav.dataOffset, wav.dataOffset + wav.dataBytes);
  const ws = new WebSocket(`${server.asrUrl.replace(/^http/, 'ws')}/v1/audio/stream?session=new&source=mic&interim_results=false`);
  finals = [];
  const done = new Promise<void>((resolve, reject) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const msg = JSON.parse(data.toString());
      if (msg.type === 'ready') sessionId = msg.session_id;
      else if (msg.type === 'transcript' && msg.is_final) finals.push(msg);
      else if (msg.type === 'session_complete') complete = msg;
      else if (msg.type === 'error') reject(new Error(`server error: ${data.toString()}`));
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const chunk = 16000 * 2 * 0.2; // 200 ms
  for (let o = 0; o < pcm.length; o += chunk) {
    ws.send(pcm.subarray(o, o + chunk));
    await new Promise((r) => setTimeout(r, 5)); // ~40x real time
  }
  ws.send(JSON.stringify({ type: 'end' }));
  await done;
});

after(async () => {
  await server?.close();
  await engine?.close();
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('one stored segment per final, same text and times, session complete', () => {
  assert.ok(sessionId, 'ready carried the stored session id');
  assert.equal(complete.session_id, sessionId);
  assert.ok(finals.length >= 10, `expected many finals from 20 utterances, got ${finals.length}`);
  assert.equal(complete.segments, finals.length);
  const s = store.getSession(sessionId)!;
  assert.equal(s.status, 'complete');
  assert.equal(s.engine, 'pocketsphinx');
  assert.deepEqual(
    s.segments.map((g) => ({ text: g.text, start_ms: g.startMs, end_ms: g.endMs, track: g.track })),
    finals.map((f) => ({ text: f.text, start_ms: f.start_ms, end_ms: f.end_ms, track: 'mic' })),
  );
  // Word timings are stored with the segment, inside it.
  for (const g of s.segments) {
    for (const w of g.words) assert.ok(w.startMs >= g.startMs - 1 && w.endMs <= g.endMs + 1, `word ${w.word} within its segment`);
  }
});

test("segment times fall on the recording's speech, in order", () => {
  const s = store.getSession(sessionId)!;
  let prevEnd = 0;
  for (const g of s.segments) {
    assert.ok(g.endMs > g.startMs, `segment ${g.startMs}-${g.endMs} has a duration`);
    assert.ok(g.startMs >= prevEnd - 50, `segment ${g.startMs} starts after the previous end ${prevEnd}`);
    prevEnd = g.endMs;
    // Overlaps a reference utterance by at least half its own length (endpointing may split an utterance).
    const overlap = Math.max(...reference.segments.map((r) => Math.min(r.end_ms, g.endMs) - Math.max(r.start_ms, g.startMs)));
    assert.ok(overlap >= (g.endMs - g.startMs) / 2, `segment ${g.startMs}-${g.endMs} "${g.text}" lies on speech`);
  }
  // Every reference utterance got at least one segment.
  for (const r of reference.segments) {
    assert.ok(
      s.segments.some((g) => g.startMs < r.end_ms && g.endMs > r.start_ms),
      `utterance at ${r.start_ms} ms transcribed`,
    );
  }
});

test('search finds a recognized word at its segment and time (store and REST)', async () => {
  const s = store.getSession(sessionId)!;
  // A distinctive recognized word: the longest word of the transcript that occurs in exactly one segment.
  const counts = new Map<string, number>();
  for (const g of s.segments)
    for (const w of new Set(g.text.toLowerCase().match(/[a-z']+/g) ?? [])) counts.set(w, (counts.get(w) ?? 0) + 1);
  const word = [...counts.entries()]
    .filter(([w, n]) => n === 1 && w.length >= 6 && !w.includes("'"))
    .sort((a, b) => b[0].length - a[0].length)[0]?.[0];
  assert.ok(word, 'the transcript has a distinctive word');
  const seg = s.segments.find((g) =>
    g.text
      .toLowerCase()
      .split(/[^a-z']+/)
      .includes(word),
  )!;

  const [top] = store.search(word, { sessionId });
  assert.ok(top, 'at least one hit');
  assert.deepEqual([top.segmentId, top.startMs, top.endMs], [seg.id, seg.startMs, seg.endMs]);
  assert.match(top.snippet, new RegExp(`<mark>${word}</mark>`, 'i'));

  const r = await fetch(`${server.asrUrl}/v1/sessions?q=${encodeURIComponent(word)}`);
  assert.equal(r.status, 200);
  const body = (await r.json()) as {
    data: { id: string }[];
    hits: { session_id: string; segment_id: number; start_ms: number; end_ms: number }[];
  };
  assert.ok(body.data.some((x) => x.id === sessionId));
  const hit = body.hits.find((h) => h.segment_id === seg.id);
  assert.ok(hit, `REST hits include segment ${seg.id}`);
  assert.deepEqual([hit.session_id, hit.start_ms, hit.end_ms], [sessionId, seg.startMs, seg.endMs]);
});

test('SRT and VTT exports of the session pass the strict parsers and cover every segment', async () => {
  const s = store.getSession(sessionId)!;
  const words = (t: string) => t.split(/\s+/).filter(Boolean);
  for (const format of ['srt', 'vtt'] as const) {
    const r = await fetch(`${server.asrUrl}/v1/sessions/${sessionId}/export?format=${format}`);
    assert.equal(r.status, 200);
    const text = await r.text();
    const cues = format === 'srt' ? parseSrtStrict(text) : parseVttStrict(text);
    assert.ok(cues.length >= s.segments.length);
    let prev = 0;
    for (const c of cues) {
      assert.ok(c.startMs >= prev && c.endMs >= c.startMs, `${format} cue times in order`);
      assert.ok(c.lines.length <= 2 && c.lines.every((l) => l.length <= 42), `${format} cue within line limits`);
      prev = c.endMs;
    }
    assert.equal(cues[0]!.startMs, s.segments[0]!.startMs); // both non-empty: cues.length >= segments.length >= 1
    assert.equal(cues.at(-1)!.endMs, s.segments.at(-1)!.endMs);
    assert.deepEqual(
      cues.flatMap((c) => c.lines.flatMap(words)),
      s.segments.flatMap((g) => words(g.text)),
    );
  }
});
