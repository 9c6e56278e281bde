// gRPC server reflection, as a generic client (grpcurl, Postman, Kreya) uses it: no copy of proto/ on the
// client side. The client lists the services over grpc.reflection.v1, fetches their file descriptors, builds
// its stubs from those alone, and transcribes the tone-alphabet fixture through the reflected
// SpeechRecognition.Transcribe.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { toneAudio } from '../../../shared/models/fixtures/tone-audio.mjs';
import { startHarness, toS16, type Harness } from './grpc-rest-harness.js';

const reflectionProto = join(
  dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')),
  'build/proto/grpc/reflection/v1/reflection.proto',
);

let h: Harness;
before(async () => {
  h = await startHarness({ engine: { asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [] } });
});
after(async () => h?.close());

/** One request/response exchange on the bidirectional ServerReflectionInfo stream. */
function reflect(port: number, request: Record<string, unknown>): Promise<any> {
  const def = protoLoader.loadSync(reflectionProto, { keepCase: true, longs: Number, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as any;
  const client = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', (res: any) => {
      resolve(res);
      call.end();
      client.close();
    });
    call.on('error', reject);
    call.write(request);
  });
}

/** A FileDescriptorSet (field 1: repeated bytes file) from the reflected FileDescriptorProtos. */
function descriptorSet(files: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const len: number[] = [];
    let n = f.length;
    do {
      len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    parts.push(Buffer.from([0x0a, ...len]), f);
  }
  return Buffer.concat(parts);
}

test('both gRPC ports list their services over reflection', async () => {
  const asr = await reflect(h.grpc.asrPort, { list_services: '' });
  const asrNames = asr.list_services_response.service.map((s: { name: string }) => s.name);
  assert.ok(asrNames.includes('earshot.v1.SpeechRecognition'), asrNames.join(', '));
  const tts = await reflect(h.grpc.ttsPort, { list_services: '' });
  const ttsNames = tts.list_services_response.service.map((s: { name: string }) => s.name);
  assert.ok(ttsNames.includes('earshot.v1.TextToSpeech'), ttsNames.join(', '));
});

test('a client built from reflected descriptors alone transcribes exactly', async () => {
  const res = await reflect(h.grpc.asrPort, { file_containing_symbol: 'earshot.v1.SpeechRecognition' });
  const files: Buffer[] = res.file_descriptor_response.file_descriptor_proto;
  assert.ok(files.length >= 1);
  const def = protoLoader.loadFileDescriptorSetFromBuffer(descriptorSet(files), { keepCase: true, longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as any;
  const client = new pkg.earshot.v1.SpeechRecognition(`127.0.0.1:${h.grpc.asrPort}`, grpc.credentials.createInsecure());
  const out: any = await new Promise((resolve, reject) =>
    client.Transcribe(
      { audio: toS16(toneAudio('hello world')), config: { sample_rate: 16000, encoding: 'pcm_s16le', model: 'tone-alphabet' } },
      (err: Error | null, r: unknown) => (err ? reject(err) : resolve(r)),
    ),
  );
  client.close();
  assert.equal(out.text, 'hello world');
});

test('an unknown symbol is answered with NOT_FOUND in the reflection stream', async () => {
  const res = await reflect(h.grpc.asrPort, { file_containing_symbol: 'no.such.Service' });
  assert.equal(res.message_response, 'error_response');
  assert.equal(res.error_response.error_code, grpc.status.NOT_FOUND);
});
