// Prometheus metrics (GET /metrics), via prom-client. One registry per server instance, so tests (and the
// Electron app) can run several servers in one process without their counters mixing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SessionMetrics } from '../sessions/index.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const RTF_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

export class ApiMetrics implements SessionMetrics {
  readonly registry = new Registry();
  private readonly firstResultSeconds: Histogram;
  private readonly finalLatencySeconds: Histogram;
  private readonly ttfaSeconds: Histogram;
  private readonly rtf: Histogram<'kind'>;
  private readonly activeStreams: Gauge<'kind' | 'transport'>;
  private readonly errors: Counter<'code'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'earshot_process_' });
    this.firstResultSeconds = new Histogram({
      name: 'earshot_asr_first_result_latency_seconds',
      help: "Wall time from a stream's first audio to its first transcript (interim or final)",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.finalLatencySeconds = new Histogram({
      name: 'earshot_asr_final_latency_seconds',
      help: 'Wall time from the last audio before a final (or the flush) to the final (the latency_ms field)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ttfaSeconds = new Histogram({
      name: 'earshot_tts_time_to_first_audio_seconds',
      help: 'Wall time from a TTS request (or its first complete sentence) to its first audio',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rtf = new Histogram({
      name: 'earshot_realtime_factor',
      help: 'Processing time / audio duration per request (tts: synthesis; asr: stream wall time / audio, bursts only)',
      labelNames: ['kind'],
      buckets: RTF_BUCKETS,
      registers,
    });
    this.activeStreams = new Gauge({
      name: 'earshot_active_streams',
      help: 'Live streaming connections',
      labelNames: ['kind', 'transport'],
      registers,
    });
    this.errors = new Counter({
      name: 'earshot_errors_total',
      help: 'Error messages sent to clients, by protocol error code',
      labelNames: ['code'],
      registers,
    });
  }

  firstResult(ms: number): void {
    this.firstResultSeconds.observe(ms / 1000);
  }
  finalLatency(ms: number): void {
    this.finalLatencySeconds.observe(ms / 1000);
  }
  timeToFirstAudio(ms: number): void {
    this.ttfaSeconds.observe(ms / 1000);
  }
  realtimeFactor(kind: 'asr' | 'tts', value: number): void {
    if (Number.isFinite(value)) this.rtf.observe({ kind }, value);
  }
  error(code: string): void {
    this.errors.inc({ code });
  }
  /** Counts a stream as live until the returned function is called (idempotent). */
  streamOpened(kind: 'asr' | 'tts', transport: 'ws' | 'grpc' | 'app'): () => void {
    this.activeStreams.inc({ kind, transport });
    let done = false;
    return () => {
      if (!done) {
        done = true;
        this.activeStreams.dec({ kind, transport });
      }
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
