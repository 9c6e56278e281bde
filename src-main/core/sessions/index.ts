// The sessions layer's public surface: what api/, shell/ and headless.ts may use. Layers above import sessions only
// through this file (test/unit/layering.test.ts).
export * from './admission.js';
export {
  ASR_DEFAULTS,
  AsrSession,
  type AsrConfig,
  type AsrSessionEvents,
  type AsrSessionOptions,
  type AsrSessionStore,
} from './asr-session.js';
export * from './session-error.js';
export { onPath } from './executables.js';
export { MultichannelAsrSession } from './multichannel-asr-session.js';
export { SystemAudioCaptions } from './system-audio/system-audio-captions.js';
export { LinuxSystemAudioCapture, SystemAudioError } from './system-audio/linux-capture.js';
export * from './session-metrics.js';
export { recordingPath, RECORDING_RATE } from './session-recording.js';
export * from './tts-session.js';
