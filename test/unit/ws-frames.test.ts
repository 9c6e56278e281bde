// WebSocket frame classification: binary audio, JSON objects within the size limit, and the specific errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFrame } from '../../src-main/core/api/ws/socket-channel.js';
import { AsrClientMessage, AsrConfigFields, TtsClientMessage } from '../../proto/ws-messages.js';

test('parseFrame: binary, JSON, malformed, non-object, oversize', () => {
  assert.deepEqual(parseFrame(Buffer.from([1, 2]), true, 10), { kind: 'binary', data: Buffer.from([1, 2]) });
  assert.deepEqual(parseFrame(Buffer.from('{"type":"flush"}'), false, 100), {
    kind: 'json',
    type: 'flush',
    body: { type: 'flush' },
    bytes: 16,
  });
  assert.deepEqual(parseFrame(Buffer.from('{"text":"hi"}'), false, 100), {
    kind: 'json',
    type: undefined,
    body: { text: 'hi' },
    bytes: 13,
  });
  const bad = parseFrame(Buffer.from('{"type":'), false, 100);
  assert.ok(bad.kind === 'invalid' && bad.code === 'bad_json' && /malformed JSON/.test(bad.message));
  const arr = parseFrame(Buffer.from('[1]'), false, 100);
  assert.ok(arr.kind === 'invalid' && /JSON object/.test(arr.message));
  const numType = parseFrame(Buffer.from('{"type":3}'), false, 100);
  assert.ok(numType.kind === 'invalid' && /"type" must be a string/.test(numType.message));
  const big = parseFrame(Buffer.from(`{"a":"${'x'.repeat(200)}"}`), false, 100);
  assert.ok(big.kind === 'invalid' && big.code === 'too_large');
});

test('message schemas: query-string values coerce, bad values are refused', () => {
  assert.deepEqual(AsrConfigFields.parse({ sample_rate: '48000', interim_results: 'false', endpointing: 'false', words: '1' }), {
    sample_rate: 48000,
    interim_results: false,
    endpointing: false,
    words: true,
  });
  assert.equal(AsrConfigFields.parse({ endpointing: '300' }).endpointing, 300);
  assert.ok(!AsrConfigFields.safeParse({ sample_rate: 4000 }).success);
  assert.ok(!AsrConfigFields.safeParse({ encoding: 'aac' }).success);
  assert.equal(AsrConfigFields.parse({ encoding: 'webm_opus' }).encoding, 'webm_opus');
  assert.equal(AsrClientMessage.parse({ type: 'eof' }).type, 'eof');
  assert.ok(!AsrClientMessage.safeParse({ type: 'nope' }).success);
  assert.equal(TtsClientMessage.parse({ text: 'hi', voice: 'x', format: 'wav' }).type, undefined);
  assert.equal(TtsClientMessage.parse({ type: 'appendText', text: 'hi' }).type, 'appendText');
  assert.ok(!TtsClientMessage.safeParse({ text: 'hi', format: 'mp3' }).success);
});
