// The measurements a live session reports. Sessions know nothing of Prometheus: the API layer passes an
// implementation (ApiMetrics); tests and the in-app path may pass nothing.
export interface SessionMetrics {
  /** ASR: ms from the stream's first audio to its first transcript message. */
  firstResult(ms: number): void;
  /** ASR: the latency_ms of each final. */
  finalLatency(ms: number): void;
  /** TTS: ms from a request becoming speakable to its first audio. */
  timeToFirstAudio(ms: number): void;
  realtimeFactor(kind: 'asr' | 'tts', value: number): void;
  /** An error message sent to the client, by code. */
  error(code: string): void;
}
