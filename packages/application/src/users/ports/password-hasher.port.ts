import type { PasswordHash, PasswordStrength } from '@aura/domain/users';

/** One-way, salted, deliberately slow password hashing (argon2id in production). */
export interface PasswordHasher {
  hash(password: string): Promise<PasswordHash>;
  /** False for a wrong password and for a hash this hasher cannot read; never throws for those. */
  verify(hash: PasswordHash, password: string): Promise<boolean>;
}
export const PasswordHasher = Symbol.for('aura.users.PasswordHasher');

/**
 * Estimates how guessable a password is; `userInputs` (the email, the name) count as guessable
 * words. Asynchronous: a good estimator is CPU-heavy and belongs off the event loop.
 */
export interface PasswordStrengthEstimator {
  estimate(password: string, userInputs: readonly string[]): Promise<PasswordStrength>;
}
export const PasswordStrengthEstimator = Symbol.for('aura.users.PasswordStrengthEstimator');
