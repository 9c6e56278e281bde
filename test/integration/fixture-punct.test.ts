// sherpa's online punctuation family (CNN-BiLSTM) through Earshot's punctuation backend: the punct-fixture
// conformance model loads in its worker and punctuates as its documented rules say; the engine refuses bad
// punctuation config clearly; the real upstream model is in the catalog with its sizes and sha256.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { catalogModel, createEngine, requireModel } from '../../src-main/core/engine/index.js';
import { MAX_PUNCT_CHARS, SherpaPunctuator } from '../../src-main/core/engine/backends/sherpa/punct.js';
import { onlinePunctuationConfig } from '../../src-main/core/engine/backends/sherpa/punct-config.js';
import '../helpers/fixtures.js';

let punct: SherpaPunctuator;
before(async () => {
  punct = await SherpaPunctuator.load(requireModel('punct-fixture'));
});
after(() => punct?.close());

test('the fixture punctuates and cases as its rules say (input is lower-cased first)', async () => {
  const cases: [string, string][] = [
    ['hello world', 'Hello world.'],
    ['HELLO WORLD', 'Hello world.'], // real zipformer models output upper case
    ['what is this', 'What is this?'],
    ['whatever you say', 'Whatever you say.'], // "what" is only a question word as a whole word
    ['hello world but not now', 'Hello world, but not now.'],
    ['i think ok is fine', 'I think OK is fine.'],
    ['the quick brown fox jumps over the lazy dog', 'The quick brown fox jumps over the lazy dog.'],
  ];
  for (const [input, want] of cases) assert.equal(await punct.punctuate(input), want, input);
  assert.equal(await punct.punctuate('   '), '');
});

test('limits: an over-long text is refused with a clear error; the worker keeps working', async () => {
  await assert.rejects(punct.punctuate('a '.repeat(MAX_PUNCT_CHARS)), /exceeds the punctuation limit/);
  assert.equal(await punct.punctuate('still here'), 'Still here.');
});

test('config: only punctuation models of a supported family; bad engine config fails at once', async () => {
  assert.throws(() => onlinePunctuationConfig(requireModel('tone-alphabet')), /not a punctuation model/);
  await assert.rejects(createEngine({ asr: [], tts: [], punct: { model: 'tone-alphabet' } }), /is a asr-streaming model, not punct/);
  await assert.rejects(createEngine({ asr: [], tts: [], punct: { model: 'nope' } }), /unknown model "nope"/);
});

test('an engine with no punctuation model installed loads none by default; the fixture loads only when named', async () => {
  const none = await createEngine({ asr: [], tts: [] });
  await none.ready;
  assert.equal(none.punctuation(), null, 'fixtures are never chosen automatically');
  await none.close();
  const named = await createEngine({ asr: [], tts: [], punct: { model: 'punct-fixture' } });
  await named.ready;
  assert.equal(named.punctuation()?.modelId, 'punct-fixture');
  assert.equal(await named.punctuation()!.punctuate('is it on'), 'Is it on?');
  await named.close();
  assert.equal(named.punctuation(), null);
});

test('the real upstream model is listed with its files, sizes and sha256', () => {
  const m = catalogModel('punct-en-online-2024-08-06');
  assert.equal(m.kind, 'punct');
  assert.equal(m.type, 'cnn_bilstm');
  assert.deepEqual(
    m.files.map((f) => [f.role, f.path, f.size]),
    [
      ['model', 'model.int8.onnx', 7490500],
      ['bpe_vocab', 'bpe.vocab', 149430],
    ],
  );
  for (const f of m.files) assert.match(f.sha256 ?? '', /^[0-9a-f]{64}$/);
});
