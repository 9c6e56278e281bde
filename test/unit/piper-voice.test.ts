// The piper -> sherpa-onnx conversion's pieces on small inputs: tokens in file order (integer-like and quoted
// symbols too), sherpa's metadata keys, and the ONNX metadata rewrite (existing metadata replaced, other fields kept
// byte for byte, malformed models refused). The full conversion of a real voice is test/integration/piper-voice-pull.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePiperConfig, piperMetadata, piperTokens, withOnnxMetadata } from '../../src-main/core/engine/models/piper-voice.js';

// Written out as text: a JavaScript object literal would itself move "0" to the front.
const CONFIG =
  '{"audio": {"sample_rate": 22500}, "espeak": {"voice": "ar"}, "language": {"name_english": "Arabic"}, "num_speakers": 1, ' +
  '"phoneme_type": "espeak", "phoneme_id_map": {"_": [0], "^": [1], "\\n": [9], "\\"": [150], "0": [130], "a": [14, 99], "}": [7]}}';

test('tokens.txt keeps the file order (integer-like and quoted symbols included) and leaves out the newline', () => {
  assert.equal(piperTokens(parsePiperConfig(CONFIG)), '_ 0\n^ 1\n" 150\n0 130\na 14\n} 7\n');
});

test('metadata: the keys sherpa-onnx reads, 22500 Hz corrected to 22050', () => {
  assert.deepEqual(Object.fromEntries(piperMetadata(parsePiperConfig(CONFIG))), {
    model_type: 'vits',
    comment: 'piper',
    language: 'Arabic',
    voice: 'ar',
    has_espeak: '1',
    n_speakers: '1',
    sample_rate: '22050',
  });
});

test('configs that are not espeak piper voices are refused by name', () => {
  assert.throws(() => parsePiperConfig('{'), /not JSON/);
  assert.throws(() => parsePiperConfig('{"audio":{}}'), /not a piper voice config/);
  assert.throws(
    () => parsePiperConfig(CONFIG.replace('"phoneme_type": "espeak"', '"phoneme_type": "text"')),
    /phoneme_type "text" is not supported/,
  );
});

test('withOnnxMetadata replaces metadata_props (field 14) and keeps every other field byte for byte', () => {
  const ld = (field: number, payload: Buffer) => Buffer.concat([Buffer.from([(field << 3) | 2, payload.length]), payload]);
  const entry = (k: string, v: string) => ld(14, Buffer.concat([ld(1, Buffer.from(k)), ld(2, Buffer.from(v))]));
  const irVersion = Buffer.from([0x08, 0x07]); // field 1 varint 7
  const graph = ld(7, Buffer.from('graph-bytes'));
  const model = Buffer.concat([irVersion, entry('old', 'x'), graph]);
  assert.deepEqual(withOnnxMetadata(model, [['model_type', 'vits']]), Buffer.concat([irVersion, graph, entry('model_type', 'vits')]));
  assert.throws(() => withOnnxMetadata(Buffer.from([0x3a, 0x7f, 0x01]), []), /runs past the end/);
  assert.throws(() => withOnnxMetadata(Buffer.from([0x0f]), []), /wire type 7/);
});
