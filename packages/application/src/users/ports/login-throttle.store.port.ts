import type { LockoutPolicy, LoginAttemptClaim } from '@aura/domain/users';

/**
 * Failed-login counters per login key, held by the database: `claim` applies the domain's
 * `claimLoginAttempt` under a row lock, so concurrent attempts are counted one by one.
 */
export interface LoginThrottleStore {
  claim(key: string, now: Date, policy: LockoutPolicy): Promise<LoginAttemptClaim>;
  /** A successful login forgets the failures. */
  clear(key: string): Promise<void>;
  /** Deletes counters whose last failure is older than `before` (no longer able to lock anything); returns how many. */
  purgeIdleSince(before: Date): Promise<number>;
}
export const LoginThrottleStore = Symbol.for('aura.users.LoginThrottleStore');
