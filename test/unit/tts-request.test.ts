import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSpeed, MAX_TEXT_CHARS, requestSentences, TtsRequestError } from '../../src-main/core/engine/text/tts-request.js';
import { parseVoiceList, resolveVoice } from '../../src-main/core/engine/backends/espeak/voices.js';
import { wordsPerMinute } from '../../src-main/core/engine/backends/espeak/synthesizer.js';

test('requestSentences splits valid text and rejects bad text with protocol codes', () => {
  assert.deepEqual(requestSentences('One. Two.'), ['One.', 'Two.']);
  assert.throws(
    () => requestSentences(''),
    (e: unknown) => e instanceof TtsRequestError && e.code === 'bad_config',
  );
  assert.throws(() => requestSentences(' \n '), /empty/);
  assert.throws(() => requestSentences(3), /must be a string/);
  assert.throws(
    () => requestSentences('x'.repeat(MAX_TEXT_CHARS + 1)),
    (e: unknown) => e instanceof TtsRequestError && e.code === 'too_large',
  );
  assert.equal(requestSentences('x'.repeat(MAX_TEXT_CHARS)).join('').length, MAX_TEXT_CHARS);
});

test('checkSpeed accepts 0.25..4 only', () => {
  assert.equal(checkSpeed(), 1);
  assert.equal(checkSpeed(0.25), 0.25);
  assert.equal(checkSpeed(4), 4);
  for (const bad of [0, 0.2, 4.1, NaN, Infinity, '1' as unknown as number]) assert.throws(() => checkSpeed(bad), /speed/);
});

test("espeak words per minute follow speed x 175 up to speed 4 (700), floored at espeak-ng's 80", () => {
  assert.equal(wordsPerMinute(1), 175);
  assert.equal(wordsPerMinute(2), 350);
  assert.equal(wordsPerMinute(0.25), 80);
  assert.equal(wordsPerMinute(4), 700);
});

const LISTING = `Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  af              --/M      Afrikaans          gmw/af
 5  ar              --/M      Arabic             sem/ar
 2  en-gb           --/M      English_(Great_Britain) gmw/en            (en 2)
 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  pt              --/M      Portuguese_(Portugal) roa/pt            (pt-pt 5)
 5  pt-br           --/M      Portuguese_(Brazil) roa/pt-BR
`;

test('espeak voice list parsing and resolution', () => {
  const voices = parseVoiceList(LISTING);
  assert.deepEqual(
    voices.map((v) => v.id),
    ['espeak:af', 'espeak:ar', 'espeak:en-gb', 'espeak:en-us', 'espeak:pt', 'espeak:pt-br'],
  );
  assert.equal(voices[2]!.name, 'English (Great Britain)');
  assert.equal(resolveVoice(voices, 'ESPEAK:AR')?.id, 'espeak:ar');
  assert.equal(resolveVoice(voices, 'ar')?.id, 'espeak:ar');
  assert.equal(resolveVoice(voices, 'english (america)')?.id, 'espeak:en-us');
  assert.equal(resolveVoice(voices, 'nope'), null);
  assert.equal(resolveVoice(voices)?.id, 'espeak:en-us');
  assert.equal(resolveVoice(voices, undefined, 'en')?.id, 'espeak:en-us');
  assert.equal(resolveVoice(voices, undefined, 'en_GB')?.id, 'espeak:en-gb');
  assert.equal(resolveVoice(voices, undefined, 'ar-SA')?.id, 'espeak:ar');
  assert.equal(resolveVoice(voices, undefined, 'pt-BR')?.id, 'espeak:pt-br');
  assert.equal(resolveVoice(voices, undefined, 'xx'), null);
});
