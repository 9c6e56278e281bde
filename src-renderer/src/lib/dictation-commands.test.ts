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
