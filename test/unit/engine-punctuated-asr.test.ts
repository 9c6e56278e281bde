// PunctuatedAsrEngine (engine layer): finals carry punctuatedText, events keep their order while punctuation
// is pending, flush()/close() answer with the final as its event carried it (punctuated once), and a refused
// text leaves the raw final.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PunctuatedAsrEngine } from '../../src-main/core/engine/punctuated-asr.js';
import type { AsrEngine, AsrFinal, AsrStream, Punctuator } from '../../src-main/core/engine/types.js';

class FakeStream extends EventEmitter {
  readonly id = 'f1';
  writtenMs = 0;
  nextFlush: AsrFinal | null = null;
  write(): void {}
  async flush() {
    return this.nextFlush;
  }
  async close() {
    return null;
  }
}

function setup(punctuate: (text: string) => Promise<string>) {
  const inner = new FakeStream();
  const asr: AsrEngine = {
    backend: 'sherpa',
    modelId: 'm',
    language: 'en',
    sampleRate: 16000,
    activeStreams: 0,
    capacity: () => ({ liveStreams: 1, liveActive: 0, rtf: 0.1, workers: 1, lagMs: 0 }),
    createStream: () => inner as unknown as AsrStream,
  };
  const calls: string[] = [];
  const punctuator: Punctuator = { modelId: 'p', punctuate: (t) => (calls.push(t), punctuate(t)) };
  const stream = new PunctuatedAsrEngine(asr, punctuator).createStream({ sampleRate: 16000 });
  const events: string[] = [];
  stream.on('partial', (p) => events.push(`partial:${p.text}`));
  stream.on('final', (f) => events.push(`final:${f.text}|${f.punctuatedText ?? '-'}`));
  return { inner, stream, events, calls };
}

const final = (text: string, startMs = 0): AsrFinal => ({
  text,
  startMs,
  endMs: startMs + 500,
  words: [],
  confidence: 1,
  reason: 'endpoint',
});

test('a slow punctuation never lets the next partial overtake the final before it', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { inner, events } = setup(async (t) => (await gate, t.toUpperCase() + '.'));
  inner.emit('partial', { text: 'hel', startMs: 0, endMs: 100 });
  inner.emit('final', final('hello'));
  inner.emit('partial', { text: 'wor', startMs: 900, endMs: 1000 });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(events, ['partial:hel'], 'the partial after the final waits for it');
  release();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(events, ['partial:hel', 'final:hello|HELLO.', 'partial:wor']);
});

test('flush() returns the final its event carried, punctuated once', async () => {
  const { inner, stream, events, calls } = setup(async (t) => `${t}!`);
  const f = final('ok', 2000);
  inner.nextFlush = f;
  inner.emit('final', { ...f });
  const got = await stream.flush();
  assert.equal(got?.punctuatedText, 'ok!');
  assert.deepEqual(events, ['final:ok|ok!'], 'the event went out before flush resolved');
  assert.deepEqual(calls, ['ok'], 'one punctuation for the event and the flush result');
});

test('a refused text keeps the raw final', async () => {
  const { inner, events } = setup(async () => {
    throw new Error('queue full');
  });
  inner.emit('final', final('raw stays'));
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(events, ['final:raw stays|-']);
});
