// The engine facade: one config object says which ASR models / TTS backends to load; createEngine loads and
// warms them (in workers) and then answers asr()/tts() selections with the best loaded backend.
// Fixture models are loaded and chosen only when named; a backend that cannot load is reported unavailable
// with its reason, never a crash.
import type {
  AsrBackendId,
  AsrEngine,
  AsrSelection,
  BackendStatus,
  Engine,
  LoadedRecognizer,
  EngineReadiness,
  ModelInfo,
  Punctuator,
  Synthesizer,
  TtsBackendId,
  TtsSelection,
  TtsVoice,
} from './types.js';
import { EngineUnavailableError } from './types.js';
import { loadCatalog, resolveModel, type CatalogModel } from './models/catalog.js';
import { downloadBytes, missingLanguageHint, modelLanguages } from './models/language-models.js';
import { SherpaAsrEngine, defaultAsrThreads } from './backends/sherpa/asr.js';
import { isStreamingFamily } from './backends/sherpa/asr-config.js';
import { isOfflineFamily } from './backends/sherpa/offline-asr-config.js';
import { sherpaUnavailableReason } from './backends/sherpa/native.js';
import { SherpaPunctuator } from './backends/sherpa/punct.js';
import { PunctuatedAsrEngine } from './punctuated-asr.js';
import { TwoPassAsrEngine } from './two-pass-asr.js';
import { CachingSynthesizer, SynthesisCache, type SynthesisCacheStats } from './synthesis-cache.js';
import { loadBackendModule, type BackendModules } from './backend-modules.js';

/** Default budget of the synthesis cache: about 6 minutes of 22 kHz audio. */
export const DEFAULT_TTS_CACHE_BYTES = 32 * 1024 * 1024;

export interface AsrLoadSpec {
  backend?: AsrBackendId;
  /** Catalog model id (sherpa); naming a fixture is the only way to load one. */
  model?: string;
  language?: string;
}

export interface TtsLoadSpec {
  backend?: TtsBackendId;
  /** Catalog model id of a sherpa voice. */
  voice?: string;
}

export interface PunctLoadSpec {
  /** Catalog id of a punctuation model; naming a fixture is the only way to load one. */
  model?: string;
}

export interface EngineConfig {
  /** ASR engines to load. Default: every installed non-fixture sherpa streaming model, plus pocketsphinx. */
  asr?: AsrLoadSpec[];
  /** TTS backends to load. Default: every installed non-fixture sherpa voice, plus espeak. */
  tts?: TtsLoadSpec[];
  /** Extra model folders searched before the standard ones. */
  modelsDirs?: string[];
  /** ORT threads per recognizer (default: half the cores, 1..4). */
  threads?: number;
  /** pocketsphinx worker threads (default: one per core but one, 1..8). */
  pocketsphinxWorkers?: number;
  /** Dummy decodes before ready (default true). */
  warmup?: boolean;
  /** Load Silero VAD for ASR streams when installed (default true); pocketsphinx is gated by it (no words for non-speech). */
  vad?: boolean;
  /**
   * Punctuation and casing of finals. Default: the first installed non-fixture punctuation model (none when
   * none is installed); false: none.
   */
  punct?: PunctLoadSpec | false;
  /** Bytes of synthesized audio kept for repeated texts (default 32 MiB; 0 turns the cache off). */
  ttsCacheBytes?: number;
  /** Offline (VAD-segmented) recognizers: longest speech segment decoded at once (default 20 s). */
  maxSegmentMs?: number;
  /** The modules behind the optional backends (default BACKEND_MODULES); a test passes one that cannot load. */
  backendModules?: BackendModules;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface LoadedAsr {
  engine: AsrEngine;
  fixture: boolean;
  /** An offline (VAD-segmented) recognizer: it can also re-decode another recognizer's finals (two-pass). */
  offline?: SherpaAsrEngine;
}
interface LoadedTts {
  synth: Synthesizer;
  fixture: boolean;
  modelId?: string;
}

class SpeechEngine implements Engine {
  readonly ready: Promise<void>;
  private state = 'starting';
  private done = false;
  private readonly asrs: LoadedAsr[] = [];
  private readonly ttss: LoadedTts[] = [];
  private punctuator: Punctuator | null = null;
  private readonly punctuated = new WeakMap<AsrEngine, AsrEngine>();
  /** Two-pass engines, one per (streaming, offline) pair. */
  private readonly twoPass = new WeakMap<AsrEngine, Map<AsrEngine, AsrEngine>>();
  /** Why a named sherpa model is not available, keyed `asr:<id>` / `tts:<id>`. */
  private readonly problems = new Map<string, string>();
  private readonly statuses = new Map<string, BackendStatus>();
  private closed = false;
  /** One cache for every voice: the budget is the engine's, not each voice's. */
  private readonly synthCache: SynthesisCache;

  constructor(private readonly config: Required<Pick<EngineConfig, 'threads' | 'warmup' | 'vad'>> & EngineConfig) {
    this.synthCache = new SynthesisCache(config.ttsCacheBytes ?? DEFAULT_TTS_CACHE_BYTES);
    this.ready = this.loadAll().then(
      () => {
        this.done = true;
        this.state = 'ready';
      },
      (err) => {
        // loadAll catches per backend; this only guards against a bug turning into an unhandled rejection.
        this.done = true;
        this.state = `failed: ${message(err)}`;
      },
    );
  }

  private async loadAll(): Promise<void> {
    const vadModel = this.config.vad ? (resolveModel('silero-vad', this.config.modelsDirs)?.paths.model ?? null) : null;
    const asrSpecs = this.config.asr ?? defaultAsrSpecs(this.config.modelsDirs);
    // Sequential: loading in parallel on a small machine only slows each warm-up.
    for (const spec of asrSpecs) {
      if ((spec.backend ?? (spec.model ? 'sherpa' : 'pocketsphinx')) === 'sherpa') await this.loadSherpaAsr(spec, vadModel);
      // The speech gate runs Silero through sherpa-onnx: where that addon cannot load, pocketsphinx runs ungated
      // rather than not at all (it is the zero-download engine).
      else await this.loadPocketsphinx(vadModel && !sherpaUnavailableReason() ? vadModel : null);
    }
    const punctSpec = this.config.punct === undefined ? defaultPunctSpec(this.config.modelsDirs) : this.config.punct;
    if (punctSpec) await this.loadPunct(punctSpec);
    const ttsSpecs = this.config.tts ?? defaultTtsSpecs(this.config.modelsDirs);
    for (const spec of ttsSpecs) {
      if ((spec.backend ?? (spec.voice ? 'sherpa' : 'espeak')) === 'sherpa') await this.loadSherpaTts(spec);
      else await this.loadEspeak();
    }
    this.statuses.set('sherpa:asr', this.sherpaStatus('asr'));
    this.statuses.set('sherpa:tts', this.sherpaStatus('tts'));
  }

  private async loadSherpaAsr(spec: AsrLoadSpec, vadModel: string | null): Promise<void> {
    const entry = pickCatalog(ASR_KINDS, spec.model, spec.language);
    const key = `asr:${entry.id}`;
    this.state = `loading sherpa ${entry.id}`;
    const why = sherpaUnavailableReason();
    if (why) return void this.problems.set(key, why);
    const model = resolveModel(entry, this.config.modelsDirs);
    if (!model) return void this.problems.set(key, `model "${entry.id}" is not installed; run: earshot models pull ${entry.id}`);
    try {
      this.state = `loading and warming sherpa ${entry.id}`;
      const engine = await SherpaAsrEngine.load(model, {
        threads: this.config.threads,
        warmup: this.config.warmup,
        vadModel,
        maxSegmentMs: this.config.maxSegmentMs,
      });
      this.asrs.push({ engine, fixture: !!entry.fixture, ...(entry.kind === 'asr-offline' ? { offline: engine } : {}) });
    } catch (err) {
      this.problems.set(key, message(err));
    }
  }

  private async loadPunct(spec: PunctLoadSpec): Promise<void> {
    const entry = pickCatalog('punct', spec.model);
    const key = `punct:${entry.id}`;
    this.state = `loading punctuation ${entry.id}`;
    const why = sherpaUnavailableReason();
    if (why) return void this.problems.set(key, why);
    const model = resolveModel(entry, this.config.modelsDirs);
    if (!model) return void this.problems.set(key, `model "${entry.id}" is not installed; run: earshot models pull ${entry.id}`);
    try {
      this.punctuator = await SherpaPunctuator.load(model);
    } catch (err) {
      this.problems.set(key, message(err));
    }
  }

  private async loadPocketsphinx(vadModel: string | null): Promise<void> {
    this.state = 'loading pocketsphinx';
    const mod = await loadBackendModule('pocketsphinx', this.config.backendModules);
    if (mod instanceof Error) {
      this.statuses.set('pocketsphinx', { id: 'pocketsphinx', kind: 'asr', available: false, detail: mod.message });
      return;
    }
    let status: BackendStatus;
    try {
      status = mod.pocketsphinxStatus();
    } catch (err) {
      status = { id: 'pocketsphinx', kind: 'asr', available: false, detail: message(err) };
    }
    if (status.available) {
      try {
        const engine = await mod.loadPocketsphinxAsr({ workers: this.config.pocketsphinxWorkers, vadModel });
        this.asrs.push({ engine, fixture: false });
      } catch (err) {
        status = { ...status, available: false, detail: `failed to load: ${message(err)}` };
      }
    }
    this.statuses.set('pocketsphinx', status);
  }

  private async loadEspeak(): Promise<void> {
    this.state = 'loading espeak';
    const mod = await loadBackendModule('espeak', this.config.backendModules);
    if (mod instanceof Error) {
      this.statuses.set('espeak', { id: 'espeak', kind: 'tts', available: false, detail: mod.message });
      return;
    }
    let status: BackendStatus;
    try {
      status = mod.espeakStatus();
      if (status.available) this.ttss.push({ synth: this.cached(await mod.createEspeakSynthesizer()), fixture: false });
    } catch (err) {
      status = { id: 'espeak', kind: 'tts', available: false, detail: message(err) };
    }
    this.statuses.set('espeak', status);
  }

  private async loadSherpaTts(spec: TtsLoadSpec): Promise<void> {
    const entry = pickCatalog('tts', spec.voice);
    const key = `tts:${entry.id}`;
    this.state = `loading sherpa voice ${entry.id}`;
    const why = sherpaUnavailableReason();
    if (why) return void this.problems.set(key, why);
    const model = resolveModel(entry, this.config.modelsDirs);
    if (!model) return void this.problems.set(key, `voice "${entry.id}" is not installed; run: earshot models pull ${entry.id}`);
    const mod = await loadBackendModule('sherpaTts', this.config.backendModules);
    if (mod instanceof Error) return void this.problems.set(key, mod.message);
    try {
      this.ttss.push({ synth: this.cached(await mod.loadSherpaTts(model)), fixture: !!entry.fixture, modelId: entry.id });
    } catch (err) {
      this.problems.set(key, message(err));
    }
  }

  private cached(synth: Synthesizer): Synthesizer {
    return this.synthCache.maxBytes > 0 ? new CachingSynthesizer(synth, this.synthCache) : synth;
  }

  ttsCacheStats(): SynthesisCacheStats {
    return this.synthCache.stats();
  }

  private sherpaStatus(kind: 'asr' | 'tts'): BackendStatus {
    const why = sherpaUnavailableReason();
    if (why) return { id: 'sherpa', kind, available: false, detail: why };
    const loaded =
      kind === 'asr'
        ? this.asrs.filter((a) => a.engine.backend === 'sherpa').map((a) => a.engine.modelId + (a.fixture ? ' (fixture)' : ''))
        : this.ttss.filter((t) => t.synth.backend === 'sherpa').map((t) => (t.modelId ?? 'voice') + (t.fixture ? ' (fixture)' : ''));
    const failed = [...this.problems].filter(([k]) => k.startsWith(`${kind}:`)).map(([k, v]) => `${k.slice(kind.length + 1)}: ${v}`);
    if (loaded.length)
      return {
        id: 'sherpa',
        kind,
        available: true,
        detail: `sherpa-onnx: ${loaded.join(', ')}` + (failed.length ? `; not loaded: ${failed.join('; ')}` : ''),
      };
    const hint =
      kind === 'asr'
        ? 'no streaming ASR model installed; run: earshot models pull zipformer-en-20m'
        : 'no sherpa voice installed; run: earshot models pull piper-en-us-amy-low';
    return { id: 'sherpa', kind, available: false, detail: failed.length ? failed.join('; ') : hint };
  }

  readiness(): EngineReadiness {
    if (this.closed) return { ready: false, detail: 'closed' };
    if (!this.done) return { ready: false, detail: this.state };
    const asr = this.asrs.map((a) => `${a.engine.backend} ${a.engine.modelId}`);
    const tts = this.ttss.map((t) => t.synth.backend + (t.modelId ? ` ${t.modelId}` : ''));
    const punct = this.punctuator ? `, punctuation ${this.punctuator.modelId}` : '';
    return { ready: true, detail: `ready: asr [${asr.join(', ')}], tts [${tts.join(', ')}]${punct}` };
  }

  asr(sel: AsrSelection = {}): AsrEngine {
    const fits = this.asrs.filter(
      (a) =>
        (!sel.backend || a.engine.backend === sel.backend) &&
        (!sel.model || a.engine.modelId === sel.model) &&
        (!sel.language || (a.engine.languages ?? [a.engine.language]).some((l) => sameLanguage(l, sel.language!))) &&
        (!a.fixture || sel.model === a.engine.modelId),
    );
    // Loaded order is preference order: sherpa models before pocketsphinx (see defaultAsrSpecs).
    fits.sort((x, y) => rank(x.engine.backend) - rank(y.engine.backend));
    const pick = fits[0];
    if (pick) return this.withPunctuation(this.withSecondPass(pick, sel));
    const problem = sel.model ? this.problems.get(`asr:${sel.model}`) : undefined;
    const wanted = [sel.backend, sel.model, sel.language].filter(Boolean).join(' / ') || 'any';
    // Only the language is in the way (no model named): say which catalog models add it and how to install one.
    const languageHint =
      sel.language && !sel.model && this.done
        ? `; ${missingLanguageHint(loadCatalog(), sel.language, (m) => resolveModel(m, this.config.modelsDirs) !== null)}`
        : '';
    throw new EngineUnavailableError(
      `no ASR engine fits (${wanted})` +
        (problem
          ? `: ${problem}`
          : !this.done
            ? `; the engine is still starting (${this.state})`
            : `; loaded: ${this.asrs.map((a) => a.engine.modelId).join(', ') || 'none'}`) +
        languageHint,
    );
  }

  /**
   * Two-pass where it applies: a streaming recognizer's interims, each final re-decoded by an offline recognizer
   * for the language. Default on where both are loaded; fixtures pair only with fixtures, and only when asked.
   */
  private withSecondPass(pick: LoadedAsr, sel: AsrSelection): AsrEngine {
    if (sel.twoPass === false) return pick.engine;
    const language = sel.language ?? pick.engine.language;
    if (pick.offline) {
      if (sel.twoPass === true)
        throw new EngineUnavailableError(
          `two_pass needs a streaming recognizer for the interims; "${pick.engine.modelId}" is an offline model (name a streaming model, or two_pass=false)`,
        );
      return pick.engine;
    }
    const partner = this.asrs.find((a) => a.offline && a.fixture === pick.fixture && sameLanguage(a.engine.language, language));
    if (!partner?.offline) {
      if (sel.twoPass === true) {
        const catalog = loadCatalog().filter((m) => m.kind === 'asr-offline' && !m.fixture && sameLanguage(m.language, language));
        throw new EngineUnavailableError(
          `two_pass: no offline recognizer for "${language}" is loaded` +
            (catalog.length ? `; install one: earshot models pull ${catalog[0]!.id}` : '; the catalog has none for this language'),
        );
      }
      return pick.engine;
    }
    if (pick.fixture && sel.twoPass !== true) return pick.engine;
    let byOffline = this.twoPass.get(pick.engine);
    if (!byOffline) this.twoPass.set(pick.engine, (byOffline = new Map()));
    let engine = byOffline.get(partner.engine);
    if (!engine) byOffline.set(partner.engine, (engine = new TwoPassAsrEngine(pick.engine, partner.offline)));
    return engine;
  }

  /** With a punctuation model loaded, finals carry `punctuatedText` (one wrapper per engine). */
  private withPunctuation(asr: AsrEngine): AsrEngine {
    if (!this.punctuator) return asr;
    let wrapped = this.punctuated.get(asr);
    if (!wrapped) this.punctuated.set(asr, (wrapped = new PunctuatedAsrEngine(asr, this.punctuator)));
    return wrapped;
  }

  punctuation(): Punctuator | null {
    return this.closed ? null : this.punctuator;
  }

  tts(sel: TtsSelection = {}): Synthesizer {
    const candidates = this.ttss.filter((t) => !sel.backend || t.synth.backend === sel.backend);
    if (sel.voice) {
      const v = sel.voice;
      const hit = candidates.find((t) => t.modelId === v || t.synth.voices().some((x) => x.id === v || x.name === v));
      if (hit) return hit.synth;
    } else {
      const lang = sel.language ?? 'en';
      const usable = candidates.filter((t) => !t.fixture);
      const byLang = usable.filter((t) => t.synth.voices().some((x) => !x.fixture && sameLanguage(x.language, lang)));
      byLang.sort((x, y) => rank(x.synth.backend) - rank(y.synth.backend));
      const hit = byLang[0] ?? (sel.language ? undefined : usable[0]);
      if (hit) return hit.synth;
    }
    const problem = sel.voice ? this.problems.get(`tts:${sel.voice}`) : undefined;
    throw new EngineUnavailableError(
      `no TTS voice fits (${[sel.backend, sel.voice, sel.language].filter(Boolean).join(' / ') || 'any'})${problem ? `: ${problem}` : ''}`,
    );
  }

  backends(): BackendStatus[] {
    const order = ['sherpa:asr', 'pocketsphinx', 'sherpa:tts', 'espeak'];
    const out: BackendStatus[] = [];
    for (const key of order) {
      const s = this.statuses.get(key) ?? (key.startsWith('sherpa') ? this.sherpaStatus(key === 'sherpa:asr' ? 'asr' : 'tts') : undefined);
      out.push(
        s ?? {
          id: key as AsrBackendId | TtsBackendId,
          kind: key === 'espeak' ? 'tts' : 'asr',
          available: false,
          detail: this.done ? 'not configured to load' : this.state,
        },
      );
    }
    // The languages each recognizer can caption now (fixtures excluded: they are never chosen automatically).
    for (const s of out) {
      if (s.kind === 'asr' && s.available)
        s.languages = [
          ...new Set(
            this.asrs.filter((a) => a.engine.backend === s.id && !a.fixture).flatMap((a) => a.engine.languages ?? [a.engine.language]),
          ),
        ];
    }
    return out;
  }

  models(): ModelInfo[] {
    return listModels(this.config.modelsDirs);
  }

  recognizers(): LoadedRecognizer[] {
    return [...this.asrs]
      .sort((x, y) => rank(x.engine.backend) - rank(y.engine.backend))
      .map((a) => ({ backend: a.engine.backend, modelId: a.engine.modelId, language: a.engine.language, fixture: a.fixture }));
  }

  voices(): TtsVoice[] {
    return this.ttss.flatMap((t) => t.synth.voices());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready;
    await Promise.allSettled(this.asrs.map(async (a) => a.engine.close?.()));
    await Promise.allSettled(this.ttss.map(async (t) => t.synth.close?.()));
    await this.punctuator?.close?.();
  }
}

function rank(backend: string): number {
  return backend === 'sherpa' ? 0 : 1;
}

function sameLanguage(a: string, b: string): boolean {
  const base = (x: string) => x.toLowerCase().split(/[-_]/)[0];
  return a === '*' || base(a) === base(b);
}

/** Recognizer kinds: streaming models first (the default for live captions), then offline (VAD-segmented) ones. */
const ASR_KINDS = ['asr-streaming', 'asr-offline'] as const;

/** The catalog entry for a load spec; throws (bad config) for unknown ids or the wrong kind. */
function pickCatalog(kinds: CatalogModel['kind'] | readonly CatalogModel['kind'][], id?: string, language?: string): CatalogModel {
  const catalog = loadCatalog();
  const wanted: readonly string[] = typeof kinds === 'string' ? [kinds] : kinds;
  const kind = wanted.join(' or ');
  if (id) {
    const m = catalog.find((x) => x.id === id);
    if (!m)
      throw new Error(
        `unknown model "${id}"; known ${kind} models: ${catalog
          .filter((x) => wanted.includes(x.kind))
          .map((x) => x.id)
          .join(', ')}`,
      );
    if (!wanted.includes(m.kind)) throw new Error(`model "${id}" is a ${m.kind} model, not ${kind}`);
    return m;
  }
  const m = catalog.find((x) => wanted.includes(x.kind) && !x.fixture && (!language || sameLanguage(x.language, language)));
  if (!m) throw new Error(`no ${kind} model in the catalog for language "${language}"`);
  return m;
}

function defaultAsrSpecs(dirs?: string[]): AsrLoadSpec[] {
  const installed = loadCatalog().filter(
    (m) =>
      !m.fixture &&
      ((m.kind === 'asr-streaming' && isStreamingFamily(m.type)) || (m.kind === 'asr-offline' && isOfflineFamily(m.type))) &&
      resolveModel(m, dirs),
  );
  // Streaming models first: they are the default for live captions where both serve a language.
  installed.sort(
    (a, b) => ASR_KINDS.indexOf(a.kind as (typeof ASR_KINDS)[number]) - ASR_KINDS.indexOf(b.kind as (typeof ASR_KINDS)[number]),
  );
  return [...installed.map((m) => ({ backend: 'sherpa' as const, model: m.id })), { backend: 'pocketsphinx' }];
}

function defaultPunctSpec(dirs?: string[]): PunctLoadSpec | false {
  const installed = loadCatalog().find((m) => m.kind === 'punct' && !m.fixture && resolveModel(m, dirs));
  return installed ? { model: installed.id } : false;
}

function defaultTtsSpecs(dirs?: string[]): TtsLoadSpec[] {
  const installed = loadCatalog().filter((m) => m.kind === 'tts' && !m.fixture && resolveModel(m, dirs));
  return [...installed.map((m) => ({ backend: 'sherpa' as const, voice: m.id })), { backend: 'espeak' }];
}

/** Every catalog model with whether it is installed here (plus the system backends' status). */
export function listModels(dirs?: string[]): ModelInfo[] {
  return loadCatalog().map((m) => ({
    id: m.id,
    kind: m.kind,
    language: m.language,
    languages: modelLanguages(m),
    backend: m.backend,
    name: m.name,
    installed: resolveModel(m, dirs) !== null,
    fixture: !!m.fixture,
    ...(m.upstream ? { upstream: m.upstream } : {}),
    ...((size) => (size !== undefined ? { sizeBytes: size } : {}))(downloadBytes(m)),
    ...(m.speed ? { speed: m.speed } : {}),
    ...(m.accuracy ? { accuracy: m.accuracy } : {}),
    ...(m.note ? { note: m.note } : {}),
    ...(m.detectsLanguage ? { detectsLanguage: true } : {}),
  }));
}

function validateConfig(config: EngineConfig): void {
  if (config === null || typeof config !== 'object') throw new TypeError('createEngine(config): config must be an object');
  if (config.ttsCacheBytes !== undefined && !(Number.isInteger(config.ttsCacheBytes) && config.ttsCacheBytes >= 0)) {
    throw new RangeError(`EngineConfig.ttsCacheBytes must be an integer >= 0, got ${String(config.ttsCacheBytes)}`);
  }
  if (config.threads !== undefined && !(Number.isInteger(config.threads) && config.threads >= 1 && config.threads <= 64)) {
    throw new RangeError(`EngineConfig.threads must be an integer 1..64, got ${String(config.threads)}`);
  }
  for (const s of config.asr ?? []) {
    if (s.backend && s.backend !== 'sherpa' && s.backend !== 'pocketsphinx')
      throw new Error(`EngineConfig.asr: unknown backend "${String(s.backend)}" (sherpa, pocketsphinx)`);
    if (s.backend === 'pocketsphinx' && s.model) throw new Error('EngineConfig.asr: pocketsphinx takes no model id');
    if (s.model || s.backend === 'sherpa') pickCatalog(ASR_KINDS, s.model, s.language);
  }
  if (config.punct !== undefined && config.punct !== false) {
    if (config.punct === null || typeof config.punct !== 'object')
      throw new TypeError('EngineConfig.punct must be { model?: string } or false');
    pickCatalog('punct', config.punct.model);
  }
  for (const s of config.tts ?? []) {
    if (s.backend && s.backend !== 'sherpa' && s.backend !== 'espeak')
      throw new Error(`EngineConfig.tts: unknown backend "${String(s.backend)}" (sherpa, espeak)`);
    if (s.voice && s.backend !== 'espeak') pickCatalog('tts', s.voice);
  }
}

/**
 * Start loading the configured backends (in workers) and warming them; `engine.ready` resolves when done.
 * Rejects at once for a bad config (unknown model, bad thread count); a backend that fails to load is
 * reported by backends() and asr()/tts() instead.
 */
export async function createEngine(config: EngineConfig = {}): Promise<Engine> {
  validateConfig(config);
  const engine = new SpeechEngine({
    ...config,
    threads: config.threads ?? defaultAsrThreads(),
    warmup: config.warmup ?? true,
    vad: config.vad ?? true,
  });
  // Loading continues in the background: serve /readyz from readiness(), await `engine.ready` before use.
  return engine;
}
