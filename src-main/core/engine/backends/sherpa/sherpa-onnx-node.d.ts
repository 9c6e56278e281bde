// Types for the parts of sherpa-onnx-node (a CommonJS addon without .d.ts) that Earshot uses.
// Field names follow the addon's JS wrappers (streaming-asr.js, vad.js, non-streaming-tts.js) in 1.13.8.
declare module 'sherpa-onnx-node' {
  export interface Waveform {
    samples: Float32Array;
    sampleRate: number;
  }

  export interface OnlineRecognizerResult {
    text: string;
    tokens: string[];
    /** Seconds from the segment start, one per token. */
    timestamps: number[];
    ys_probs: number[];
    segment: number;
    num_trailing_blanks: number;
    /** Seconds since the stream was created. */
    start_time: number;
    is_final: boolean;
    is_eof: boolean;
  }

  /** See sherpa-onnx's OnlineRecognizerConfig; only what Earshot sets is typed strictly. */
  export interface OnlineRecognizerConfig {
    featConfig?: { sampleRate?: number; featureDim?: number };
    modelConfig: {
      transducer?: { encoder: string; decoder: string; joiner: string };
      paraformer?: { encoder: string; decoder: string };
      zipformer2Ctc?: { model: string };
      nemoCtc?: { model: string };
      toneCtc?: { model: string };
      tokens: string;
      numThreads?: number;
      provider?: string;
      debug?: number | boolean;
      modelType?: string;
      modelingUnit?: string;
      bpeVocab?: string;
    };
    decodingMethod?: 'greedy_search' | 'modified_beam_search';
    maxActivePaths?: number;
    enableEndpoint?: number | boolean;
    rule1MinTrailingSilence?: number;
    rule2MinTrailingSilence?: number;
    rule3MinUtteranceLength?: number;
    hotwordsFile?: string;
    hotwordsScore?: number;
    blankPenalty?: number;
  }

  export class OnlineStream {
    acceptWaveform(w: Waveform): void;
    inputFinished(): void;
    setOption(key: string, value: string): void;
  }

  export class OnlineRecognizer {
    constructor(config: OnlineRecognizerConfig);
    readonly config: OnlineRecognizerConfig;
    createStream(): OnlineStream;
    isReady(stream: OnlineStream): boolean;
    decode(stream: OnlineStream): void;
    decodeStreams(streams: OnlineStream[]): void;
    isEndpoint(stream: OnlineStream): boolean;
    reset(stream: OnlineStream): void;
    getResult(stream: OnlineStream): OnlineRecognizerResult;
  }

  /** See sherpa-onnx's OfflineRecognizerConfig (non-streaming-asr.js); only what Earshot sets is typed strictly. */
  export interface OfflineRecognizerConfig {
    featConfig?: { sampleRate?: number; featureDim?: number };
    modelConfig: {
      transducer?: { encoder: string; decoder: string; joiner: string };
      zipformerCtc?: { model: string };
      nemoCtc?: { model: string };
      whisper?: { encoder: string; decoder: string; language?: string; task?: string; tailPaddings?: number };
      moonshine?: { preprocessor: string; encoder: string; uncachedDecoder: string; cachedDecoder: string };
      senseVoice?: { model: string; language?: string; useInverseTextNormalization?: number };
      tokens: string;
      numThreads?: number;
      provider?: string;
      debug?: number | boolean;
      modelType?: string;
    };
    decodingMethod?: 'greedy_search' | 'modified_beam_search';
  }

  export interface OfflineRecognizerResult {
    text: string;
    tokens: string[];
    /** Seconds from the start of the stream's audio, one per token (where the model gives them). */
    timestamps: number[];
    /** Language the model detected or was given (Whisper, SenseVoice: "<|en|>" or "en"); "" otherwise. */
    lang: string;
    emotion?: string;
    event?: string;
  }

  export class OfflineStream {
    acceptWaveform(w: Waveform): void;
    setOption(key: string, value: string): void;
  }

  /** A non-streaming recognizer: one stream per utterance, decoded whole. */
  export class OfflineRecognizer {
    constructor(config: OfflineRecognizerConfig);
    readonly config: OfflineRecognizerConfig;
    createStream(): OfflineStream;
    decode(stream: OfflineStream): void;
    /** Decodes on the libuv thread pool: several streams' decodes run at once. */
    decodeAsync(stream: OfflineStream): Promise<OfflineRecognizerResult>;
    getResult(stream: OfflineStream): OfflineRecognizerResult;
  }

  export interface VadConfig {
    sileroVad?: {
      model: string;
      threshold?: number;
      minSilenceDuration?: number;
      minSpeechDuration?: number;
      maxSpeechDuration?: number;
      windowSize?: number;
    };
    sampleRate?: number;
    numThreads?: number;
    provider?: string;
    debug?: boolean | number;
  }

  export interface SpeechSegment {
    /** Start index in samples since the VAD was created (or reset). */
    start: number;
    samples: Float32Array;
  }

  export class Vad {
    constructor(config: VadConfig, bufferSizeInSeconds: number);
    acceptWaveform(samples: Float32Array): void;
    isEmpty(): boolean;
    isDetected(): boolean;
    pop(): void;
    clear(): void;
    front(enableExternalBuffer?: boolean): SpeechSegment;
    reset(): void;
    flush(): void;
  }

  export interface GeneratedAudio {
    samples: Float32Array;
    sampleRate: number;
  }

  /** OfflineTts (piper/VITS, Kokoro, Matcha...). Config is passed through as sherpa documents it. */
  export class OfflineTts {
    constructor(config: Record<string, unknown>);
    readonly numSpeakers: number;
    readonly sampleRate: number;
    generate(req: { text: string; sid?: number; speed?: number; enableExternalBuffer?: boolean }): GeneratedAudio;
    generateAsync(req: Record<string, unknown>): Promise<GeneratedAudio>;
  }

  /** sherpa's C++ linear-interpolation resampler (cheap; used for the VAD's 16 kHz feed). */
  export class LinearResampler {
    constructor(inputSampleRate: number, outputSampleRate: number);
    resample(samples: Float32Array): Float32Array;
    flush(samples: Float32Array): Float32Array;
    reset(): void;
  }

  export interface OnlinePunctuationConfig {
    model: { cnnBilstm: string; bpeVocab: string; numThreads?: number; provider?: string; debug?: number | boolean };
  }

  /** Punctuation and casing for a text (the CNN-BiLSTM family); `addPunct` is a synchronous native call. */
  export class OnlinePunctuation {
    constructor(config: OnlinePunctuationConfig);
    addPunct(text: string): string;
  }

  export function readWave(filename: string, enableExternalBuffer?: boolean): GeneratedAudio;
  export function writeWave(filename: string, audio: GeneratedAudio): void;
  export const version: string;
  export const gitSha1: string;
  export const onnxruntimeVersion: string;
}
