// Deepgram's /v1/listen query options (live and prerecorded) mapped onto an AsrSession config. Options that
// change what is heard are honoured or refused with a message that names them; options that only ask for
// cloud extras (diarize, summarize, topics…) are refused too, because answering without them would be
// silently wrong. Formatting options that Earshot's engines already apply or cannot apply are accepted.
import type { AsrConfigInput } from '../../../../../proto/ws-messages.js';
import { SessionError } from '../../../sessions/index.js';

export interface DeepgramListenOptions {
  config: AsrConfigInput;
  interimResults: boolean;
  /** `utterance_end_ms`: send UtteranceEnd after a final once this much silence follows the last word. */
  utteranceEndMs: number | null;
  vadEvents: boolean;
  /** What Deepgram calls the model in its replies: the requested name, or Earshot's model id. */
  requestedModel: string | null;
}

/** Deepgram `encoding` → Earshot encoding; absent = a container (WAV) whose header says the format. */
const ENCODINGS: Record<string, 'pcm_s16le' | 'pcm_f32le'> = { linear16: 'pcm_s16le', linear32: 'pcm_f32le' };

/** Cloud-only features: refused, never ignored. */
const UNSUPPORTED = [
  'diarize',
  'summarize',
  'topics',
  'intents',
  'sentiment',
  'detect_entities',
  'redact',
  'search',
  'callback',
  'translate',
];

/** Accepted as no-ops: they shape formatting Earshot already does (or cannot change) and never change words. */
const ACCEPTED = new Set([
  'model',
  'version',
  'tier',
  'language',
  'encoding',
  'sample_rate',
  'channels',
  'interim_results',
  'endpointing',
  'utterance_end_ms',
  'vad_events',
  'punctuate',
  'smart_format',
  'numerals',
  'profanity_filter',
  'filler_words',
  'dictation',
  'measurements',
  'paragraphs',
  'utterances',
  'utt_split',
  'tag',
  'extra',
  'mip_opt_out',
  'keywords',
  'keyterm',
  'replace',
  'multichannel',
  'detect_language',
  'token',
]);

const truthy = (v: string | null): boolean => v === 'true' || v === '1';

export function deepgramListenOptions(query: URLSearchParams, opts: { live: boolean }): DeepgramListenOptions {
  for (const key of query.keys()) {
    if (UNSUPPORTED.includes(key)) {
      if (query.get(key) === 'false') continue;
      throw new SessionError('bad_config', `Deepgram option "${key}" is a cloud feature Earshot does not offer on-device; remove it`);
    }
    if (!ACCEPTED.has(key)) throw new SessionError('bad_config', `unknown Deepgram option "${key}"`);
  }
  const config: Record<string, unknown> = { words: true };
  const encoding = query.get('encoding');
  if (encoding !== null) {
    const mapped = ENCODINGS[encoding];
    if (!mapped) {
      throw new SessionError(
        'bad_config',
        `encoding "${encoding}" is not supported for raw audio; send linear16 or linear32 with sample_rate, or omit encoding and send a WAV file`,
      );
    }
    if (!query.get('sample_rate')) throw new SessionError('bad_config', `encoding=${encoding} needs sample_rate`);
    config.encoding = mapped;
  } else {
    config.encoding = 'wav';
  }
  const rate = query.get('sample_rate');
  if (rate !== null) config.sample_rate = rate;
  const channels = query.get('channels');
  const multichannel = truthy(query.get('multichannel'));
  if (opts.live) {
    // Interleaved channels: one transcript per channel with multichannel=true (Results carry channel_index
    // [i, n]), otherwise their average (multichannel-asr-session.ts).
    if (channels !== null) config.channels = channels;
    if (multichannel) config.multichannel = true;
  } else if (multichannel || (channels !== null && channels !== '1' && config.encoding !== 'wav')) {
    // A prerecorded file is decoded and mixed to one channel; answering multichannel with one would be wrong.
    throw new SessionError(
      'bad_config',
      `channels=${channels ?? 1}${multichannel ? '&multichannel=true' : ''}: prerecorded audio is transcribed as one mixed channel; send a file (its channels are mixed down) or use the live /v1/listen socket for one transcript per channel`,
    );
  }
  const language = query.get('language');
  if (language) config.language = language.split('-')[0];
  // Deepgram's model names (nova-3, …) name cloud models; an Earshot model id picks that model.
  const model = query.get('model');
  const endpointing = query.get('endpointing');
  // Deepgram's own default is 10 ms, tuned to its models; Earshot's engines need the PROTOCOL.md default.
  if (endpointing !== null) config.endpointing = endpointing === 'false' ? false : endpointing;
  config.interim_results = opts.live && truthy(query.get('interim_results'));
  config.punctuate = query.get('punctuate') !== 'false';
  // Custom vocabulary: `keywords` (word[:boost]) and `keyterm` bias recognition where the model can be biased (else the
  // session warns vocabulary_unsupported); `replace` (find:replacement) is the replacement list.
  const vocabulary = [...query.getAll('keywords').map((k) => k.replace(/:-?[\d.]+$/, '')), ...query.getAll('keyterm')]
    .map((w) => w.trim())
    .filter(Boolean);
  if (vocabulary.length) config.vocabulary = vocabulary;
  const replace = query.getAll('replace').filter((r) => r.trim());
  if (replace.length) {
    config.replacements = replace.map((r) => {
      const i = r.lastIndexOf(':');
      if (i <= 0) throw new SessionError('bad_config', `replace="${r.slice(0, 40)}" must be find:replacement`);
      return { from: r.slice(0, i), to: r.slice(i + 1) };
    });
  }
  const ue = query.get('utterance_end_ms');
  const utteranceEndMs = ue === null ? null : Number(ue);
  if (utteranceEndMs !== null && (!Number.isInteger(utteranceEndMs) || utteranceEndMs < 0 || utteranceEndMs > 60_000)) {
    throw new SessionError('bad_config', 'utterance_end_ms must be an integer from 0 to 60000');
  }
  return {
    config: config as AsrConfigInput,
    interimResults: config.interim_results as boolean,
    utteranceEndMs,
    vadEvents: truthy(query.get('vad_events')),
    requestedModel: model,
  };
}

/** Earshot model to use for a Deepgram model name: an installed Earshot id is used as is, anything else = default. */
export function earshotModelFor(requested: string | null, installedIds: readonly string[]): string | undefined {
  return requested && installedIds.includes(requested) ? requested : undefined;
}
