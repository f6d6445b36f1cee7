import { describe, expect, it } from 'vitest';
import { isPermanentJobError, PermanentJobError } from './job-queue.port.js';

describe('PermanentJobError', () => {
  it('is an Error with its own name and message', () => {
    const error = new PermanentJobError('unknown event version');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PermanentJobError');
    expect(error.message).toBe('unknown event version');
  });

  it('is recognised by name, so it survives a copy of the class from another bundle', () => {
    expect(isPermanentJobError(new PermanentJobError('x'))).toBe(true);
    const lookalike = new Error('from elsewhere');
    lookalike.name = 'PermanentJobError';
    expect(isPermanentJobError(lookalike)).toBe(true);
  });

  it('does not mistake other failures for permanent ones', () => {
    for (const value of [
      new Error('boom'),
      new TypeError('t'),
      { name: 'PermanentJobError', message: 'm' },
      'PermanentJobError',
      null,
    ]) {
      expect(isPermanentJobError(value)).toBe(false);
    }
  });
});
