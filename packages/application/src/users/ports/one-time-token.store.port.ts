import type { OneTimeTokenPurpose, OneTimeTokenRecord } from '@aura/domain/users';

export interface StoredOneTimeToken extends OneTimeTokenRecord {
  readonly tokenHash: string;
  readonly userId: string;
  readonly createdAt: Date;
}

/** Email-verification and password-reset tokens, stored hashed, single use. */
export interface OneTimeTokenStore {
  /** Stores a new token and withdraws the user's earlier unused tokens of the same purpose. */
  issue(token: {
    readonly tokenHash: string;
    readonly userId: string;
    readonly purpose: OneTimeTokenPurpose;
    readonly createdAt: Date;
    readonly expiresAt: Date;
  }): Promise<void>;
  /** The token, its row locked until the unit of work ends. */
  findForUse(tokenHash: string): Promise<StoredOneTimeToken | undefined>;
  markUsed(tokenHash: string, at: Date): Promise<void>;
  /** When the user's latest token of this purpose was issued (to refuse floods of emails). */
  lastIssuedAt(userId: string, purpose: OneTimeTokenPurpose): Promise<Date | undefined>;
  /** Withdraws the user's unused tokens of a purpose (a new password makes pending reset codes moot); returns how many. */
  withdrawUnused(userId: string, purpose: OneTimeTokenPurpose): Promise<number>;
  /** Deletes tokens, used or not, that expired before `before`; returns how many. */
  purgeExpired(before: Date): Promise<number>;
}
export const OneTimeTokenStore = Symbol.for('aura.users.OneTimeTokenStore');
