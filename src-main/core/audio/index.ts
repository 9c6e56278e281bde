export * from './pcm.js';
export * from './wav.js';
export * from './resampler.js';
export * from './rechunker.js';
export * from './encoder.js';
export * from './decode-file.js';
export * from './encode-stream.js';
export * from './time-stretch.js';
