import { describe, expect, it } from 'vitest';
import { maskProfanity, shownText } from './profanity.js';

describe('maskProfanity', () => {
  it('keeps the first letter and masks the rest, in any case and with common endings', () => {
    expect(maskProfanity('what the fuck')).toBe('what the f***');
    expect(maskProfanity('Fucking hell, that SHIT is fucked')).toBe('F****** hell, that S*** is f*****');
    expect(maskProfanity('bitches and bastards.')).toBe('b****** and b*******.');
  });

  it('masks whole words only: words that contain a listed one stay as they are', () => {
    const clean = 'Scunthorpe cocktail assess shitake peacock therapist passion';
    expect(maskProfanity(clean)).toBe(clean);
  });

  it('is applied only when the filter is on', () => {
    expect(shownText('oh shit', false)).toBe('oh shit');
    expect(shownText('oh shit', true)).toBe('oh s***');
  });
});
