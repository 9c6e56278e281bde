// Loads proto/asr.proto and proto/tts.proto at run time: the .proto files are the single source of truth,
// so there is no generated code to drift from them. Also the TypeScript shapes of the messages as
// proto-loader hands them over (keepCase, longs as numbers, defaults filled in).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { appRoot } from '../../paths.js';

export const PROTO_DIR = join(appRoot, 'proto');
export const ASR_PROTO = join(PROTO_DIR, 'asr.proto');
export const TTS_PROTO = join(PROTO_DIR, 'tts.proto');

/** The options server and clients load the protos with (clients in tests use the same). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface EarshotGrpcPackage {
  SpeechRecognition: grpc.ServiceClientConstructor;
  TextToSpeech: grpc.ServiceClientConstructor;
}

let cachedDefinition: protoLoader.PackageDefinition | null = null;
let cached: EarshotGrpcPackage | null = null;

/** The parsed .proto files (also what gRPC server reflection describes). */
export function earshotPackageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync([ASR_PROTO, TTS_PROTO], LOADER_OPTIONS);
  return cachedDefinition;
}

/** The `earshot.v1` package with both services (loaded once per process). */
export function loadEarshotProtos(): EarshotGrpcPackage {
  if (cached) return cached;
  const root = grpc.loadPackageDefinition(earshotPackageDefinition()) as unknown as { earshot: { v1: EarshotGrpcPackage } };
  cached = root.earshot.v1;
  return cached;
}

// ------------------------------------------------------------------------------------------------------
// Message shapes (as decoded with LOADER_OPTIONS). Wrapper fields (google.protobuf.*Value) are null when unset.

export interface StreamConfigMsg {
  sample_rate: number;
  encoding: string;
  language: string;
  model: string;
  interim_results: { value: boolean } | null;
  endpointing_ms: { value: number } | null;
  punctuate: { value: boolean } | null;
  words: { value: boolean } | null;
  session: string;
  source: string;
  two_pass: { value: boolean } | null;
  vocabulary: string[];
  replacements: string[];
}

export interface AudioChunkMsg {
  audio_data: Buffer;
  chunk_index: number;
  is_final: boolean;
  config: StreamConfigMsg | null;
}

export interface WordMsg {
  word: string;
  start_ms: number;
  end_ms: number;
}

export interface TranscriptionResultMsg {
  text: string;
  is_final: boolean;
  confidence: number;
  segment: number;
  start_ms: number;
  end_ms: number;
  words: WordMsg[];
  latency_ms: number;
  session_id: string;
  language: string;
}

export interface TranscribeRequestMsg {
  audio: Buffer;
  config: StreamConfigMsg | null;
}

export interface SynthesisConfigMsg {
  voice: string;
  language: string;
  speed: number;
  sample_rate: number;
  format: string;
}

export interface SynthesisRequestMsg {
  text: string;
  voice: string;
  language: string;
  speed: number;
  sample_rate: number;
  format: string;
  request_id: string;
}

export interface TextInputMsg {
  text: string;
  flush: boolean;
  finish: boolean;
  cancel: boolean;
  config: SynthesisConfigMsg | null;
}

export interface StreamMetadataMsg {
  sample_rate: number;
  channels: number;
  format: string;
  duration_ms: number;
}

export interface TtsAudioChunkMsg {
  audio_data: Buffer;
  sequence_number: number;
  is_final: boolean;
  timestamp_ms: number;
  metadata: StreamMetadataMsg | null;
  request_id: string;
}
