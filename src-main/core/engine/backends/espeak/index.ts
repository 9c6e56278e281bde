// espeak-ng text-to-speech backend: zero-download, 100+ languages (Arabic included), uses the system's espeak-ng.
export { espeakStatus, espeakVoices, resolveVoice, parseVoiceList, ESPEAK_SAMPLE_RATE, type EspeakVoice } from './voices.js';
export { EspeakSynthesizer, createEspeakSynthesizer, wordsPerMinute } from './synthesizer.js';
