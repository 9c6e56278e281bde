// Protocol edges of the cloud-protocol and Wyoming mappings, without sockets: Wyoming framing split anywhere,
// inline and separate data, bounds; Deepgram option mapping and refusals; ElevenLabs output formats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepgramListenOptions } from '../../src-main/core/api/compat/deepgram/listen-options.js';
import { elevenLabsOutput } from '../../src-main/core/api/compat/elevenlabs/output-format.js';
import { sentenceAlignment } from '../../src-main/core/api/compat/elevenlabs/alignment.js';
import { encodeEvent, WyomingParser, WyomingProtocolError } from '../../src-main/core/api/wyoming/framing.js';

test('Wyoming: an event split at every byte boundary parses the same', () => {
  const wire = Buffer.concat([
    encodeEvent('audio-chunk', { rate: 16000, width: 2, channels: 1 }, Buffer.from([1, 2, 3, 4])),
    encodeEvent('audio-stop'),
  ]);
  for (let cut = 1; cut < wire.length; cut++) {
    const p = new WyomingParser(1024);
    const events = [...p.push(wire.subarray(0, cut)), ...p.push(wire.subarray(cut))];
    assert.equal(events.length, 2, `cut at ${cut}`);
    assert.equal(events[0]!.type, 'audio-chunk');
    assert.deepEqual(events[0]!.data, { rate: 16000, width: 2, channels: 1 });
    assert.deepEqual([...events[0]!.payload!], [1, 2, 3, 4]);
    assert.equal(events[1]!.type, 'audio-stop');
    assert.equal(events[1]!.payload, null);
  }
});

test('Wyoming: inline data in the header is merged with separate data (which wins)', () => {
  const data = Buffer.from(JSON.stringify({ text: 'separate' }));
  const header = JSON.stringify({ type: 'synthesize', data: { text: 'inline', voice: { name: 'x' } }, data_length: data.length }) + '\n';
  const [e] = new WyomingParser(1024).push(Buffer.concat([Buffer.from(header), data]));
  assert.deepEqual(e!.data, { text: 'separate', voice: { name: 'x' } });
});

test('Wyoming: malformed headers and sizes over the limits are protocol errors', () => {
  assert.throws(() => new WyomingParser(1024).push(Buffer.from('not json\n')), WyomingProtocolError);
  assert.throws(() => new WyomingParser(1024).push(Buffer.from('[1]\n')), WyomingProtocolError);
  assert.throws(
    () => new WyomingParser(1024).push(Buffer.from(JSON.stringify({ type: 'a', payload_length: 4096 }) + '\n')),
    /payload_length/,
  );
  assert.throws(() => new WyomingParser(1024).push(Buffer.from(JSON.stringify({ type: 'a', data_length: -1 }) + '\n')), /data_length/);
  assert.throws(() => new WyomingParser(1024).push(Buffer.alloc(70 * 1024, 0x20)), /header longer/);
});

test('Deepgram options: linear16 maps to s16le, no encoding means a WAV stream, Deepgram defaults kept', () => {
  const o = deepgramListenOptions(new URLSearchParams('encoding=linear16&sample_rate=8000&interim_results=true&language=en-US'), {
    live: true,
  });
  assert.equal(o.config.encoding, 'pcm_s16le');
  assert.equal(o.config.sample_rate, '8000');
  assert.equal(o.config.language, 'en');
  assert.equal(o.interimResults, true);
  const w = deepgramListenOptions(new URLSearchParams(''), { live: true });
  assert.equal(w.config.encoding, 'wav');
  assert.equal(w.interimResults, false, 'Deepgram sends no interims unless asked');
  assert.equal(
    deepgramListenOptions(new URLSearchParams('interim_results=true'), { live: false }).interimResults,
    false,
    'prerecorded has no interims',
  );
  assert.equal(deepgramListenOptions(new URLSearchParams('endpointing=false'), { live: true }).config.endpointing, false);
});

test('Deepgram options: cloud-only features, unknown options, odd encodings and prerecorded multichannel are refused by name', () => {
  const refuse = (q: string, re: RegExp) => assert.throws(() => deepgramListenOptions(new URLSearchParams(q), { live: true }), re);
  refuse('diarize=true', /diarize/);
  refuse('summarize=v2', /summarize/);
  refuse('colour=blue', /unknown Deepgram option "colour"/);
  refuse('encoding=opus&sample_rate=48000', /encoding "opus"/);
  refuse('encoding=linear16', /needs sample_rate/);
  // Live: channels and multichannel go to the session (one transcript per channel, or mixed).
  assert.deepEqual(
    deepgramListenOptions(new URLSearchParams('encoding=linear16&sample_rate=16000&channels=2&multichannel=true'), { live: true }).config,
    {
      words: true,
      encoding: 'pcm_s16le',
      sample_rate: '16000',
      channels: '2',
      multichannel: true,
      interim_results: false,
      punctuate: true,
    },
  );
  // Prerecorded audio is one mixed channel: asking for one transcript per channel, or raw stereo, is refused.
  const refusePrerecorded = (q: string) =>
    assert.throws(() => deepgramListenOptions(new URLSearchParams(q), { live: false }), /live \/v1\/listen socket/);
  refusePrerecorded('multichannel=true');
  refusePrerecorded('encoding=linear16&sample_rate=16000&channels=2');
  assert.doesNotThrow(() => deepgramListenOptions(new URLSearchParams('channels=2'), { live: false }), 'a file: its channels are mixed');
  refuse('utterance_end_ms=-5', /utterance_end_ms/);
  assert.doesNotThrow(() => deepgramListenOptions(new URLSearchParams('diarize=false&smart_format=true'), { live: true }));
});

test('ElevenLabs output formats: pcm/wav at known rates, mp3 (the default) and opus encoded; G.711 refused naming the alternatives', () => {
  assert.deepEqual(elevenLabsOutput('pcm_24000'), { format: 'pcm', sampleRate: 24000, contentType: 'audio/pcm' });
  assert.equal(elevenLabsOutput('wav_16000').format, 'wav');
  assert.deepEqual(elevenLabsOutput(undefined).encode, { format: 'mp3', bitrateKbps: 128 });
  assert.equal(elevenLabsOutput(undefined).sampleRate, 44100);
  assert.deepEqual(elevenLabsOutput('opus_48000_64').encode, { format: 'opus', bitrateKbps: 64 });
  assert.throws(() => elevenLabsOutput('pcm_12345'), /not produced/);
  assert.throws(() => elevenLabsOutput('ulaw_8000'), /not produced.*mp3_44100_128/);
  assert.throws(() => elevenLabsOutput('mp3_44100_9999'), /not produced/);
});

test('ElevenLabs alignment: every character once, in order, spanning exactly the sentence', () => {
  const a = sentenceAlignment('Hi there.', 1, 2, true);
  assert.equal(a.characters.join(''), ' Hi there.');
  assert.equal(a.character_start_times_seconds[0], 1);
  assert.equal(a.character_end_times_seconds.at(-1), 2);
  for (let i = 1; i < a.characters.length; i++) assert.equal(a.character_start_times_seconds[i], a.character_end_times_seconds[i - 1]);
});
