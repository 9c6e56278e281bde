import { describe, expect, it } from 'vitest';
import { describeMicFailure } from './mic-capture.js';

describe('describeMicFailure', () => {
  it('names the problem the user can fix', () => {
    const err = (name: string) => Object.assign(new Error('x'), { name });
    expect(describeMicFailure(err('NotAllowedError'))).toMatchObject({
      kind: 'permission',
      message: expect.stringMatching(/permission was denied/),
    });
    expect(describeMicFailure(err('NotFoundError'))).toMatchObject({ kind: 'not_found', message: expect.stringMatching(/No microphone/) });
    expect(describeMicFailure(err('NotReadableError'))).toMatchObject({ kind: 'busy' });
    expect(describeMicFailure(new Error('weird')).message).toMatch(/could not be opened: weird/);
  });
});
