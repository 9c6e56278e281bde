// A bounded LRU cache of synthesized audio, wrapped around every loaded synthesizer, so repeated texts (prompts,
// menu items, "Sorry, I didn't catch that.") are served from memory instead of being synthesized again.
//
// It sits in the engine, below the sessions, so every transport (WebSocket, gRPC, REST, in-app) benefits, and it
// stores the voice's native float samples: the session encodes (pcm/wav/f32) and resamples afterwards, so one
// entry serves every format and sample rate. The key is everything that changes the audio: the synthesizer,
// voice, language, speed and the exact pieces of text. A miss streams through unchanged (first audio is never delayed by the
// cache) and is stored only when the synthesis completed; an aborted or failed one is not kept.
// Bounded by bytes: audio (4 bytes a sample) plus the key's text; least recently used entries go first, and an
// entry larger than a quarter of the budget is never stored (one long text must not flush every prompt).
import type { SynthesisChunk, SynthesisRequest, Synthesizer, TtsVoice } from './types.js';

export interface SynthesisCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

interface Entry {
  chunks: SynthesisChunk[];
  bytes: number;
}

/** Per-entry cost beyond the audio and the key (Map slot, chunk objects): keeps many tiny entries bounded too. */
const ENTRY_OVERHEAD = 256;

export class SynthesisCache {
  private readonly entries = new Map<string, Entry>();
  private used = 0;
  private hits = 0;
  private misses = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0) throw new RangeError(`synthesis cache size must be a byte count >= 0, got ${maxBytes}`);
  }

  /** The stored chunks for `key` (marking it most recently used), or undefined. */
  get(key: string): SynthesisChunk[] | undefined {
    const e = this.entries.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.chunks;
  }

  /** Store a complete synthesis; evicts least recently used entries to stay within maxBytes. */
  set(key: string, chunks: SynthesisChunk[]): boolean {
    const bytes = ENTRY_OVERHEAD + key.length * 2 + chunks.reduce((n, c) => n + c.samples.byteLength, 0);
    if (bytes > this.maxBytes / 4) return false;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.used -= old.bytes;
    }
    while (this.used + bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldestKey);
      this.used -= oldest.bytes;
    }
    this.entries.set(key, { chunks, bytes });
    this.used += bytes;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  stats(): SynthesisCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.used, maxBytes: this.maxBytes };
  }
}

let nextSynthId = 1;

/** `synth` with a cache in front of it; voices, backend and close() are the synthesizer's own. */
export class CachingSynthesizer implements Synthesizer {
  /** Distinguishes two synthesizers in one shared cache (e.g. two sherpa voices). */
  private readonly prefix = `s${nextSynthId++}`;

  constructor(
    readonly inner: Synthesizer,
    private readonly cache: SynthesisCache,
  ) {}

  get backend() {
    return this.inner.backend;
  }

  voices(): TtsVoice[] {
    return this.inner.voices();
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }

  synthesize(req: SynthesisRequest, signal?: AbortSignal): AsyncIterable<SynthesisChunk> {
    // JSON of a fixed-order tuple: no separator a text could forge.
    const key = JSON.stringify([this.prefix, req.voice ?? '', req.language ?? '', req.speed ?? 1, req.pieces]);
    const hit = this.cache.get(key);
    if (hit) return replay(hit, signal);
    // Validation errors of the inner synthesizer (unknown voice, bad speed) are thrown here, synchronously, as before.
    return this.record(key, this.inner.synthesize(req, signal), signal);
  }

  private async *record(key: string, source: AsyncIterable<SynthesisChunk>, signal?: AbortSignal): AsyncGenerator<SynthesisChunk> {
    const kept: SynthesisChunk[] = [];
    let complete = false;
    try {
      for await (const c of source) {
        // The consumer may transfer or reuse its chunk's buffer: keep a private copy.
        kept.push({ ...c, samples: c.samples.slice() });
        yield c;
      }
      complete = !signal?.aborted;
    } finally {
      if (complete) this.cache.set(key, kept);
    }
  }
}

async function* replay(chunks: SynthesisChunk[], signal?: AbortSignal): AsyncGenerator<SynthesisChunk> {
  for (const c of chunks) {
    if (signal?.aborted) return;
    yield { ...c, samples: c.samples.slice() };
  }
}
