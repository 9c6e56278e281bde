import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  QUICK_START_CHARS,
  SentenceBuffer,
  quickStart,
  splitLongSentence,
  splitSentences,
} from '../../src-main/core/engine/text/sentences.js';

/** Feed `text` to a SentenceBuffer in pieces of `size` characters; return every sentence, flush included. */
function viaBuffer(text: string, size: number, opts = {}): string[] {
  const b = new SentenceBuffer(opts);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...b.append(text.slice(i, i + size)));
  const rest = b.flush();
  if (rest) out.push(rest);
  return out;
}

test('splits Latin sentences at . ! ? and keeps the punctuation', () => {
  assert.deepEqual(splitSentences('Hello there. How are you? Fine! Good.'), ['Hello there.', 'How are you?', 'Fine!', 'Good.']);
});

test('empty and whitespace-only text gives no sentences', () => {
  assert.deepEqual(splitSentences(''), []);
  assert.deepEqual(splitSentences('   \n\n\t '), []);
});

test('text with no terminator is one sentence', () => {
  assert.deepEqual(splitSentences('  just some words  '), ['just some words']);
});

test('newlines end sentences, blank lines do not make empty ones', () => {
  assert.deepEqual(splitSentences('Title\n\nFirst line\r\nsecond line'), ['Title', 'First line', 'second line']);
});

test('abbreviations, initials, decimals and list numbers do not split', () => {
  assert.deepEqual(splitSentences('Dr. Smith met Mrs. Jones at 3.14 pm. They talked.'), [
    'Dr. Smith met Mrs. Jones at 3.14 pm.',
    'They talked.',
  ]);
  assert.deepEqual(splitSentences('Use fruit, e.g. apples. Or i.e. Pears works too.'), [
    'Use fruit, e.g. apples.',
    'Or i.e. Pears works too.',
  ]);
  assert.deepEqual(splitSentences('J. K. Rowling wrote it. Yes.'), ['J. K. Rowling wrote it.', 'Yes.']);
  assert.deepEqual(splitSentences('1. Buy milk\n2. Sell eggs'), ['1. Buy milk', '2. Sell eggs']);
  assert.deepEqual(splitSentences('Version 2.0.1 is out. Get it.'), ['Version 2.0.1 is out.', 'Get it.']);
});

test('suffix abbreviations end a sentence only before a capital', () => {
  assert.deepEqual(splitSentences('Apples, pears, etc. are fruit. We ate apples etc. Then we left.'), [
    'Apples, pears, etc. are fruit.',
    'We ate apples etc.',
    'Then we left.',
  ]);
});

test('a full stop or ellipsis before a lower-case word does not split', () => {
  assert.deepEqual(splitSentences('Wait... what is that? It is... Nothing.'), ['Wait... what is that?', 'It is...', 'Nothing.']);
  assert.deepEqual(splitSentences('Hmm… maybe. Sure…'), ['Hmm… maybe.', 'Sure…']);
});

test('runs of terminators and closing quotes stay with their sentence', () => {
  assert.deepEqual(splitSentences('He said "Stop!" Then he left?! (Really.) Yes.'), [
    'He said "Stop!"',
    'Then he left?!',
    '(Really.)',
    'Yes.',
  ]);
});

test('Arabic: ؟ and . end sentences, ، and ؛ do not in a short sentence', () => {
  assert.deepEqual(splitSentences('مرحباً، كيف حالك؟ أنا بخير. شكراً لك!'), ['مرحباً، كيف حالك؟', 'أنا بخير.', 'شكراً لك!']);
  assert.deepEqual(splitSentences('هذا الكتاب جيد؛ اقرأه'), ['هذا الكتاب جيد؛ اقرأه']);
});

test('CJK full-width terminators split without spaces; Devanagari danda splits', () => {
  assert.deepEqual(splitSentences('你好。今天天气很好！是吗？'), ['你好。', '今天天气很好！', '是吗？']);
  assert.deepEqual(splitSentences('नमस्ते। आप कैसे हैं?'), ['नमस्ते।', 'आप कैसे हैं?']);
});

test('long sentences are cut at clause marks first, then spaces, then hard', () => {
  const clause = 'alpha beta gamma, '.repeat(20) + 'end.';
  const pieces = splitSentences(clause, { maxChars: 60 });
  assert.ok(pieces.length > 1);
  for (const p of pieces) assert.ok(p.length <= 60, `piece too long: ${p.length}`);
  for (const p of pieces.slice(0, -1)) assert.ok(p.endsWith(','), `not cut at a comma: "${p}"`);
  assert.equal(pieces.join(' '), clause.trim());

  const words = 'word '.repeat(100).trim();
  const wp = splitSentences(words, { maxChars: 50 });
  for (const p of wp) assert.ok(p.length <= 50 && !p.startsWith(' ') && !p.endsWith(' '));
  assert.equal(wp.join(' '), words);

  const blob = 'x'.repeat(130);
  assert.deepEqual(splitSentences(blob, { maxChars: 50 }), ['x'.repeat(50), 'x'.repeat(50), 'x'.repeat(30)]);
});

test('Arabic clause marks and dashes cut long sentences', () => {
  const ar = 'ذهبنا إلى السوق، '.repeat(15) + 'ثم عدنا.';
  const pieces = splitSentences(ar, { maxChars: 80 });
  assert.ok(pieces.length > 1);
  for (const p of pieces.slice(0, -1)) assert.ok(p.endsWith('،'), `not cut at ، : "${p}"`);
  const dash = ('one two three—'.repeat(10) + 'done').trim();
  for (const p of splitLongSentence(dash, 40).slice(0, -1)) assert.ok(p.endsWith('—'));
});

test('the default limit is about 200 characters', () => {
  const long = 'This clause is moderately long, '.repeat(20) + 'and it ends here.';
  for (const p of splitSentences(long)) assert.ok(p.length <= 200);
});

test('hard cuts never split a surrogate pair', () => {
  const emoji = '😀'.repeat(40); // 80 UTF-16 units, no spaces
  const pieces = splitSentences(emoji, { maxChars: 15 });
  assert.equal(pieces.join(''), emoji);
  for (const p of pieces) assert.ok(!/[\uD800-\uDBFF]$/.test(p) && !/^[\uDC00-\uDFFF]/.test(p), 'split a surrogate pair');
});

test('bad options are rejected clearly', () => {
  assert.throws(() => splitSentences('a', { maxChars: 0 }), /maxChars/);
  assert.throws(() => new SentenceBuffer({ maxChars: 2.5 }), /maxChars/);
  assert.throws(() => new SentenceBuffer().append(42 as unknown as string), /string/);
});

test('SentenceBuffer: a sentence is complete once whitespace follows its terminator', () => {
  const b = new SentenceBuffer();
  assert.deepEqual(b.append('Hello there'), []);
  assert.deepEqual(b.append('.'), []); // undecided: "." could become ".5" or "..."
  assert.deepEqual(b.append(' How'), ['Hello there.']);
  assert.deepEqual(b.append(' are you?'), []);
  assert.deepEqual(b.append(' '), ['How are you?']);
  assert.equal(b.pending, '');
  assert.equal(b.flush(), null);
});

test('SentenceBuffer: decimals and abbreviations split across appends are not boundaries', () => {
  const b = new SentenceBuffer();
  assert.deepEqual(b.append('It costs 3.'), []);
  assert.deepEqual(b.append('50 dollars. Dr.'), ['It costs 3.50 dollars.']);
  assert.deepEqual(b.append(' Who is here.'), []);
  assert.equal(b.flush(), 'Dr. Who is here.');
});

test('SentenceBuffer: newline completes a sentence at once', () => {
  const b = new SentenceBuffer();
  assert.deepEqual(b.append('a heading\nand'), ['a heading']);
  assert.equal(b.flush(), 'and');
});

test('SentenceBuffer: past the threshold it cuts at the last clause mark', () => {
  const b = new SentenceBuffer({ clauseThreshold: 30, maxChars: 100 });
  assert.deepEqual(b.append('one two three, four five'), []);
  const out = b.append(' six seven, eight nine ten eleven');
  assert.deepEqual(out, ['one two three, four five six seven,']);
  assert.equal(b.flush(), 'eight nine ten eleven');
});

test('SentenceBuffer: unfinished text never exceeds maxChars', () => {
  const b = new SentenceBuffer({ maxChars: 40, clauseThreshold: 20 });
  const out: string[] = [];
  for (let i = 0; i < 100; i++) {
    out.push(...b.append('word '));
    assert.ok(b.pending.length <= 40, `buffer grew to ${b.pending.length}`);
  }
  for (let i = 0; i < 100; i++) {
    out.push(...b.append('zzzzzzz'));
    assert.ok(b.pending.length <= 40);
  }
  for (const p of out) assert.ok(p.length <= 40);
});

test('SentenceBuffer fed one character at a time gives what splitSentences gives', () => {
  const texts = [
    'Dr. Smith met Mrs. Jones at 3.14 pm. They talked. Wait... what? "Yes!" she said.\nNew line here',
    'مرحباً، كيف حالك؟ أنا بخير. شكراً لك!',
    '你好。今天天气很好！是吗？',
    'We ate apples etc. Then we left. Use e.g. apples. 1. Buy milk\n2. Sell eggs',
  ];
  for (const t of texts) {
    for (const size of [1, 2, 3, 7, 1000]) assert.deepEqual(viaBuffer(t, size), splitSentences(t), `size ${size}: ${t}`);
  }
});

test('SentenceBuffer.clear drops buffered text', () => {
  const b = new SentenceBuffer();
  b.append('half a sent');
  b.clear();
  assert.equal(b.pending, '');
  assert.equal(b.flush(), null);
  assert.deepEqual(b.append('New. '), ['New.']);
});

test('SentenceBuffer: an ellipsis or "etc." waits for the next word to decide', () => {
  const b = new SentenceBuffer();
  assert.deepEqual(b.append('Wait... '), []);
  assert.deepEqual(b.append('what? And etc. '), ['Wait... what?']);
  assert.deepEqual(b.append('Then'), ['And etc.']);
  assert.deepEqual(b.append(' more. '), ['Then more.']);
});

test('a plain full stop splits even before a lower-case word', () => {
  assert.deepEqual(splitSentences('Hmm. okay then.'), ['Hmm.', 'okay then.']);
});

test('quick start: only a long first sentence is cut, at a clause mark when there is one, else at a space', () => {
  const long =
    'Earshot is an on-device speech application that turns audio into text. Then a second sentence that is also quite long follows.';
  assert.deepEqual(splitSentences(long, { firstMaxChars: QUICK_START_CHARS }), [
    'Earshot is an on-device speech',
    'application that turns audio into text.',
    'Then a second sentence that is also quite long follows.',
  ]);
  assert.deepEqual(quickStart(['Well, this sentence has a comma early on and goes on.']), [
    'Well,',
    'this sentence has a comma early on and goes on.',
  ]);
  assert.deepEqual(quickStart(['Short first.', 'A much longer second sentence that is never cut for a quick start.']), [
    'Short first.',
    'A much longer second sentence that is never cut for a quick start.',
  ]);
  assert.deepEqual(quickStart([]), []);
});
