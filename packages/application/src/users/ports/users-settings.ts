import type { LockoutPolicy } from '@aura/domain/users';

/** The users module's tunables, bound from configuration. */
export interface UsersSettings {
  readonly refreshTokenTtlMs: number;
  readonly lockout: LockoutPolicy;
  /** zxcvbn score (0-4) a new password needs. */
  readonly passwordMinScore: number;
  /** Another verification or reset email for the same account is not sent within this interval. */
  readonly accountEmailIntervalMs: number;
}
export const UsersSettings = Symbol.for('aura.users.UsersSettings');
