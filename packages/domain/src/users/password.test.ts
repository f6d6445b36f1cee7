import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPasswordLength,
  checkPasswordStrength,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PasswordStrength,
} from './password.js';

const tooShort = {
  type: 'users.weak_password',
  message: 'must be at least 8 characters',
  details: { field: 'password', reason: 'too_short' },
};
const tooLong = {
  type: 'users.weak_password',
  message: 'must be at most 128 characters',
  details: { field: 'password', reason: 'too_long' },
};

describe('checkPasswordLength', () => {
  it('has the documented bounds', () => {
    expect([PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH]).toEqual([8, 128]);
  });

  it.each([
    ['a', 7, tooShort],
    ['a', 8, undefined],
    ['a', 128, undefined],
    ['a', 129, tooLong],
    ['😀', 7, tooShort],
    ['😀', 8, undefined],
    ['😀', 128, undefined],
    ['😀', 129, tooLong],
  ])('%s × %i', (char, times, expected) => {
    const result = checkPasswordLength(char.repeat(times));
    if (expected === undefined) expect(result.isOk()).toBe(true);
    else expect(result._unsafeUnwrapErr()).toEqual(expected);
  });

  it('counts code points, so an emoji (two UTF-16 units) is one character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 140 }), (password) => {
        const length = Array.from(password).length;
        const result = checkPasswordLength(password);
        expect(result.isOk()).toBe(length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH);
        if (result.isErr()) expect(result.error.details?.reason).toBe(length < PASSWORD_MIN_LENGTH ? 'too_short' : 'too_long');
      }),
    );
  });

  it('names the field it was given', () => {
    expect(checkPasswordLength('', 'newPassword')._unsafeUnwrapErr().details).toEqual({
      field: 'newPassword',
      reason: 'too_short',
    });
  });
});

const strengthArbitrary: fc.Arbitrary<PasswordStrength> = fc.record({
  score: fc.constantFrom(0, 1, 2, 3, 4),
  warning: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: null }),
  suggestions: fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 3 }),
});

describe('checkPasswordStrength', () => {
  it('accepts exactly the estimates that reach the minimum score', () => {
    fc.assert(
      fc.property(strengthArbitrary, fc.integer({ min: 0, max: 5 }), (strength, minScore) => {
        expect(checkPasswordStrength(strength, minScore).isOk()).toBe(strength.score >= minScore);
      }),
    );
  });

  it('says why and how to do better when refusing', () => {
    fc.assert(
      fc.property(strengthArbitrary, (strength) => {
        const error = checkPasswordStrength(strength, 5)._unsafeUnwrapErr();
        expect(error.type).toBe('users.weak_password');
        expect(error.message.startsWith('is too easy to guess: ')).toBe(true);
        if (strength.warning !== null) expect(error.message).toContain(strength.warning);
        for (const suggestion of strength.suggestions) expect(error.message).toContain(suggestion);
        expect(error.details).toEqual({
          field: 'password',
          reason: 'too_guessable',
          score: strength.score,
          suggestions: strength.suggestions,
        });
      }),
    );
  });

  it('words the message from the warning and suggestions', () => {
    const strength: PasswordStrength = {
      score: 1,
      warning: 'This is a top-100 common password.',
      suggestions: ['Add another word or two.', 'Avoid common phrases.'],
    };
    expect(checkPasswordStrength(strength, 3, 'newPassword')._unsafeUnwrapErr()).toEqual({
      type: 'users.weak_password',
      message: 'is too easy to guess: This is a top-100 common password. Add another word or two. Avoid common phrases.',
      details: {
        field: 'newPassword',
        reason: 'too_guessable',
        score: 1,
        suggestions: ['Add another word or two.', 'Avoid common phrases.'],
      },
    });
  });

  it('falls back to default text without a warning or suggestions', () => {
    expect(checkPasswordStrength({ score: 0, warning: null, suggestions: [] }, 3)._unsafeUnwrapErr().message).toBe(
      'is too easy to guess: This password is too easy to guess. Try a longer phrase of uncommon words.',
    );
  });

  it('does not share the suggestions array with the estimate', () => {
    const suggestions = ['Add a word.'];
    const details = checkPasswordStrength({ score: 0, warning: null, suggestions }, 1)._unsafeUnwrapErr().details;
    expect(details?.suggestions).toEqual(suggestions);
    expect(details?.suggestions).not.toBe(suggestions);
  });
});
