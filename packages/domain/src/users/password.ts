import { err, ok, type Result } from 'neverthrow';
import { domainError } from '../platform/domain-error.js';
import type { WeakPassword } from './user.errors.js';

declare const passwordHashBrand: unique symbol;
/** An encoded password hash (argon2id PHC string). Never logged, never returned. */
export type PasswordHash = string & { readonly [passwordHashBrand]: true };

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** A strength estimate (zxcvbn's scale: 0 too guessable … 4 very unguessable) with its feedback. */
export interface PasswordStrength {
  readonly score: 0 | 1 | 2 | 3 | 4;
  readonly warning: string | null;
  readonly suggestions: readonly string[];
}

/** Length first: a strength estimate is only worth computing for a password of an acceptable length. */
export function checkPasswordLength(password: string, field = 'password'): Result<void, WeakPassword> {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return err(
      domainError('users.weak_password', `must be at least ${PASSWORD_MIN_LENGTH} characters`, { field, reason: 'too_short' }),
    );
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return err(
      domainError('users.weak_password', `must be at most ${PASSWORD_MAX_LENGTH} characters`, { field, reason: 'too_long' }),
    );
  }
  return ok(undefined);
}

/** Refuses a password whose estimated strength is below `minScore`, saying why and how to do better. */
export function checkPasswordStrength(
  strength: PasswordStrength,
  minScore: number,
  field = 'password',
): Result<void, WeakPassword> {
  if (strength.score >= minScore) return ok(undefined);
  const why = strength.warning ?? 'This password is too easy to guess.';
  const how = strength.suggestions.length > 0 ? ` ${strength.suggestions.join(' ')}` : ' Try a longer phrase of uncommon words.';
  return err(
    domainError('users.weak_password', `is too easy to guess: ${why}${how}`, {
      field,
      reason: 'too_guessable',
      score: strength.score,
      suggestions: [...strength.suggestions],
    }),
  );
}
