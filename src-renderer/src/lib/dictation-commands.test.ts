import { describe, expect, it } from 'vitest';
import { applySpokenCommands, insertDictation } from './dictation-commands.js';

describe('applySpokenCommands', () => {
  it('turns the required commands into marks with English spacing', () => {
    expect(applySpokenCommands('hello comma world period')).toBe('Hello, world.');
    expect(applySpokenCommands('is it raining question mark')).toBe('Is it raining?');
    expect(applySpokenCommands('first line new line second line')).toBe('First line\nSecond line');
  });

  it('capitalises after sentence ends and new lines, not after commas', () => {
    expect(applySpokenCommands('yes period no comma maybe')).toBe('Yes. No, maybe');
    expect(applySpokenCommands('one new paragraph two')).toBe('One\n\nTwo');
  });

  it('matches case-insensitively and ignores punctuation the recognizer added', () => {
    expect(applySpokenCommands('Stop Period. Go')).toBe('Stop. Go');
    expect(applySpokenCommands('wait Question Mark')).toBe('Wait?');
  });

  it('leaves ordinary words alone and handles an empty utterance', () => {
    expect(applySpokenCommands('the periodic table', false)).toBe('the periodic table');
    expect(applySpokenCommands('   ')).toBe('');
  });
});

describe('insertDictation', () => {
  it('inserts at the caret with a space, and continues a sentence in lower case', () => {
    const r = insertDictation('Dear Sam', 8, 8, 'how are you question mark');
    expect(r.value).toBe('Dear Sam how are you?');
    expect(r.caret).toBe(r.value.length);
  });

  it('capitalises after a finished sentence and keeps the text after the caret', () => {
    const r = insertDictation('Done. Tail', 6, 6, 'next thing period');
    expect(r.value).toBe('Done. Next thing. Tail');
    expect(r.caret).toBe('Done. Next thing.'.length);
  });

  it('replaces the selection and attaches a leading mark to the previous word', () => {
    expect(insertDictation('one two', 3, 7, 'comma three').value).toBe('one, three');
  });
});

describe('dictation between utterances, fillers and the command list', () => {
  it('ends the previous utterance with a period and capitalises the next (no punctuation from the model)', async () => {
    const { insertDictation } = await import('./dictation-commands.js');
    const first = insertDictation('', 0, 0, 'the captain came first', { sentenceBreak: false });
    expect(first.value).toBe('The captain came first');
    const second = insertDictation(first.value, first.caret, first.caret, "it hasn't always", { sentenceBreak: true });
    expect(second.value).toBe("The captain came first. It hasn't always");
    expect(second.caret).toBe(second.value.length);
    // A sentence the user closed, or a caret put mid-sentence by hand, gets no extra period.
    expect(insertDictation('Yes?', 4, 4, 'no', { sentenceBreak: true }).value).toBe('Yes? No');
    expect(insertDictation('one two', 3, 3, 'and a half', { sentenceBreak: false }).value).toBe('one and a half two');
    // An utterance that starts with a spoken mark continues the sentence.
    expect(insertDictation('Hello', 5, 5, 'comma world', { sentenceBreak: true }).value).toBe('Hello, world');
  });

  it('leaves out filler words when asked, whole words only', async () => {
    const { insertDictation, removeFillers } = await import('./dictation-commands.js');
    expect(removeFillers('um so uh the umbrella er, is here hmm')).toBe('so the umbrella is here');
    expect(insertDictation('', 0, 0, 'um uh', { removeFillers: true })).toEqual({ value: '', caret: 0 });
    expect(insertDictation('', 0, 0, 'uh hello there', { removeFillers: true }).value).toBe('Hello there');
    expect(insertDictation('', 0, 0, 'uh hello', { removeFillers: false }).value).toBe('Uh hello');
  });

  it('names what each command inserts in words, never as an escape sequence', async () => {
    const { SPOKEN_COMMANDS, describeMark } = await import('./dictation-commands.js');
    for (const mark of SPOKEN_COMMANDS.values()) expect(describeMark(mark)).not.toMatch(/\\|"|^\s*$/);
    expect(describeMark('\n\n')).toBe('a blank line (new paragraph)');
    expect(describeMark('\n')).toBe('a line break');
    expect(describeMark('?')).toBe('?');
  });
});
