// Upstream piper voices (rhasspy/piper-voices: <voice>.onnx + <voice>.onnx.json) made loadable by sherpa-onnx,
// the way sherpa-onnx's scripts/piper/add_meta_data.py converts them (and build/voices/convert_piper.py does for
// the PyPI joe voice): tokens.txt from the config's phoneme_id_map, and the ONNX metadata sherpa's VITS loader
// reads (model_type=vits, comment=piper, language, voice, has_espeak, n_speakers, sample_rate).
//
// Catalog entries with `convert: "piper"` download the upstream files, verified by their own size and sha256, and
// this derives `model.onnx` + `tokens.txt` beside them. The metadata is written without an ONNX library: an ONNX
// model is a protobuf ModelProto, whose `metadata_props` is field 14 (repeated StringStringEntryProto {key = 1,
// value = 2}); the converter drops any top-level field 14 and appends the new entries. Protobuf serializes fields
// in number order and ModelProto's later fields (20, 25) are absent from piper exports, so the result is the same
// bytes onnx.save writes (a unit test checks this against the Python conversion of the joe voice).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a converted voice's folder holds besides the upstream files, by catalog role. */
export const PIPER_DERIVED = { model: 'model.onnx', tokens: 'tokens.txt' } as const;

/** The parts of a piper `.onnx.json` the conversion reads. */
interface PiperConfig {
  audio: { sample_rate: number };
  espeak?: { voice?: string };
  lang_code?: string;
  language?: { name_english?: string };
  num_speakers: number;
  phoneme_type?: string;
  phoneme_id_map: Record<string, number[] | number>;
  /** The map's symbols in file order (JavaScript objects put integer-like keys such as "0" first). */
  symbols: string[];
}

export class PiperConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiperConversionError';
  }
}

export function parsePiperConfig(text: string, source = 'piper config'): PiperConfig {
  let c: PiperConfig;
  try {
    c = JSON.parse(text) as PiperConfig;
  } catch (err) {
    throw new PiperConversionError(`${source}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!c || typeof c !== 'object' || !c.phoneme_id_map || !c.audio?.sample_rate || !Number.isInteger(c.num_speakers)) {
    throw new PiperConversionError(`${source}: not a piper voice config (needs phoneme_id_map, audio.sample_rate, num_speakers)`);
  }
  if ((c.phoneme_type ?? 'espeak') !== 'espeak') throw new PiperConversionError(`${source}: phoneme_type "${c.phoneme_type}" is not supported (espeak voices only)`);
  if (!c.lang_code && !c.espeak?.voice) throw new PiperConversionError(`${source}: no espeak voice (espeak.voice)`);
  if (!c.language?.name_english) throw new PiperConversionError(`${source}: no language.name_english`);
  // The map holds only "symbol": [ids] pairs, so every quoted string followed by ':' inside it is a symbol.
  const at = text.indexOf('"phoneme_id_map"');
  const open = text.indexOf('{', at);
  let close = open + 1;
  for (let inString = false; close < text.length; close++) {
    const ch = text[close];
    if (inString) {
      if (ch === '\\') close++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '}') break;
  }
  const symbols = [...text.slice(open, close).matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  const keys = Object.keys(c.phoneme_id_map);
  if (symbols.length !== keys.length || !keys.every((k) => symbols.includes(k))) {
    throw new PiperConversionError(`${source}: cannot read phoneme_id_map in file order`);
  }
  return { ...c, symbols };
}

/** tokens.txt: "<symbol> <first id>" per line, in the file's order; the newline symbol cannot be written, so it is left out. */
export function piperTokens(config: PiperConfig): string {
  let out = '';
  for (const symbol of config.symbols) {
    const ids = config.phoneme_id_map[symbol]!;
    if (symbol === '\n') continue;
    out += `${symbol} ${Array.isArray(ids) ? ids[0] : ids}\n`;
  }
  return out;
}

/** The metadata sherpa-onnx's VITS loader needs for a piper voice, in the order sherpa's script writes it. */
export function piperMetadata(config: PiperConfig): [string, string][] {
  // A few upstream configs say 22500 for 22050 Hz; sherpa's script corrects it the same way.
  const rate = config.audio.sample_rate === 22500 ? 22050 : config.audio.sample_rate;
  return [
    ['model_type', 'vits'],
    ['comment', 'piper'],
    ['language', config.language!.name_english!],
    ['voice', config.lang_code ?? config.espeak!.voice!],
    ['has_espeak', '1'],
    ['n_speakers', String(config.num_speakers)],
    ['sample_rate', String(rate)],
  ];
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function readVarint(buf: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    value += (buf[i]! & 0x7f) * scale;
    scale *= 128;
    if (!(buf[i]! & 0x80)) return [value, i + 1];
  }
  throw new PiperConversionError(`not an ONNX model: bad protobuf varint at byte ${at}`);
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

/** `model` (a serialized ONNX ModelProto) with its metadata_props replaced by `entries`. */
export function withOnnxMetadata(model: Buffer, entries: [string, string][]): Buffer {
  const kept: Buffer[] = [];
  let at = 0;
  while (at < model.length) {
    const start = at;
    const [tag, afterTag] = readVarint(model, at);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) throw new PiperConversionError(`not an ONNX model: field 0 at byte ${start}`);
    if (wire === 0) at = readVarint(model, afterTag)[1];
    else if (wire === 1) at = afterTag + 8;
    else if (wire === 5) at = afterTag + 4;
    else if (wire === 2) {
      const [len, afterLen] = readVarint(model, afterTag);
      at = afterLen + len;
    } else throw new PiperConversionError(`not an ONNX model: wire type ${wire} at byte ${start}`);
    if (at > model.length) throw new PiperConversionError(`not an ONNX model: field ${field} at byte ${start} runs past the end`);
    if (field !== 14) kept.push(model.subarray(start, at));
  }
  const meta = entries.map(([k, v]) => lengthDelimited(14, Buffer.concat([lengthDelimited(1, Buffer.from(k, 'utf8')), lengthDelimited(2, Buffer.from(v, 'utf8'))])));
  return Buffer.concat([...kept, ...meta]);
}

/**
 * Write `model.onnx` and `tokens.txt` for the upstream piper voice in `dir` (idempotent: existing outputs are kept).
 * `modelPath`/`configPath` are the verified upstream files.
 */
export function convertPiperVoice(dir: string, modelPath: string, configPath: string): void {
  const outModel = join(dir, PIPER_DERIVED.model);
  const outTokens = join(dir, PIPER_DERIVED.tokens);
  if (existsSync(outModel) && existsSync(outTokens)) return;
  const config = parsePiperConfig(readFileSync(configPath, 'utf8'), configPath);
  const tmpTokens = `${outTokens}.tmp`;
  writeFileSync(tmpTokens, piperTokens(config));
  const tmpModel = `${outModel}.tmp`;
  writeFileSync(tmpModel, withOnnxMetadata(readFileSync(modelPath), piperMetadata(config)));
  // Tokens first: a model.onnx present means the conversion finished.
  renameSync(tmpTokens, outTokens);
  renameSync(tmpModel, outModel);
}
