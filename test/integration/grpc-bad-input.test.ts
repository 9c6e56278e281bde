// gRPC bad input from issue 10 (P2), against the real gRPC servers and engine: `speed = NaN` is refused with
// INVALID_ARGUMENT (it used to be ignored as if unset), and request bytes that are not a valid protobuf for the
// method are INVALID_ARGUMENT on every method kind (grpc-js itself would answer INTERNAL).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { collect, grpcClients, startHarness, type Harness } from './grpc-rest-harness.js';

let h: Harness;
let clients: ReturnType<typeof grpcClients>;
before(async () => {
  h = await startHarness({ engine: { asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [{ backend: 'espeak' }] } });
  clients = grpcClients(h);
});
after(async () => {
  clients?.close();
  await h?.close();
});

const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (err: grpc.ServiceError) => `${grpc.status[err.code]}: ${err.details}`,
  );

test('Synthesize and StreamingSynthesize refuse speed = NaN with INVALID_ARGUMENT naming speed', async () => {
  const one = await statusOf(collect(clients.tts.Synthesize({ text: 'Hello.', speed: NaN })));
  assert.match(one, /^INVALID_ARGUMENT: .*speed/);
  const call = clients.tts.StreamingSynthesize();
  const done = statusOf(collect(call));
  call.write({ config: { speed: NaN }, text: 'Hello there.' });
  call.end();
  assert.match(await done, /^INVALID_ARGUMENT: .*speed/);
  // A real speed still works.
  assert.equal(await statusOf(collect(clients.tts.Synthesize({ text: 'Hello.', speed: 1.5 }))), 'OK');
});

/** Bytes no request message decodes from: field 1 as a varint whose continuation byte never ends. */
const GARBAGE = Buffer.from([0x08, 0xff]);
const raw = (b: Buffer) => b;

test('undecodable protobuf is INVALID_ARGUMENT for unary, server-streaming and bidi methods', async () => {
  const asr = new grpc.Client(`127.0.0.1:${h.grpc.asrPort}`, grpc.credentials.createInsecure());
  const tts = new grpc.Client(`127.0.0.1:${h.grpc.ttsPort}`, grpc.credentials.createInsecure());
  try {
    const unaryCall = (client: grpc.Client, path: string) =>
      statusOf(
        new Promise((resolve, reject) =>
          client.makeUnaryRequest(path, raw, raw, GARBAGE, (err, res) => (err ? reject(err) : resolve(res))),
        ),
      );
    for (const [client, path] of [
      [asr, '/earshot.v1.SpeechRecognition/Transcribe'],
      [asr, '/earshot.v1.SpeechRecognition/ListModels'],
      [tts, '/earshot.v1.TextToSpeech/ListVoices'],
    ] as const) {
      assert.match(await unaryCall(client, path), /^INVALID_ARGUMENT: the request message is not a valid protobuf/, path);
    }
    const serverStream = tts.makeServerStreamRequest('/earshot.v1.TextToSpeech/Synthesize', raw, raw, GARBAGE);
    assert.match(await statusOf(collect(serverStream)), /^INVALID_ARGUMENT: the request message is not a valid protobuf/);
    for (const [client, path] of [
      [asr, '/earshot.v1.SpeechRecognition/StreamingTranscribe'],
      [tts, '/earshot.v1.TextToSpeech/StreamingSynthesize'],
    ] as const) {
      const bidi = client.makeBidiStreamRequest(path, raw, raw);
      const done = statusOf(collect(bidi));
      bidi.write(GARBAGE);
      assert.match(await done, /^INVALID_ARGUMENT: the request message is not a valid protobuf/, path);
      bidi.end();
    }
  } finally {
    asr.close();
    tts.close();
  }
  // The servers are unharmed: a valid call right after works.
  assert.equal(await statusOf(collect(clients.tts.Synthesize({ text: 'Still fine.' }))), 'OK');
});
