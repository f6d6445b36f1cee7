import type { RefreshTokenRecord } from '@aura/domain/users';

export type SessionRevocationReason = 'logout' | 'logout_all' | 'reuse' | 'password_changed' | 'deactivated';

export interface StoredRefreshToken extends RefreshTokenRecord {
  readonly tokenHash: string;
  readonly familyId: string;
  readonly userId: string;
}

export interface SessionClient {
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

/**
 * Refresh-token families: a login starts one; each refresh marks the presented token used
 * and adds its successor; revoking a family ends every token in it.
 */
export interface SessionStore {
  startFamily(input: {
    readonly familyId: string;
    readonly userId: string;
    readonly tokenHash: string;
    readonly issuedAt: Date;
    readonly expiresAt: Date;
    readonly client: SessionClient;
  }): Promise<void>;
  /** The token and its family, its row locked until the unit of work ends (concurrent refreshes queue up). */
  findForRotation(tokenHash: string): Promise<StoredRefreshToken | undefined>;
  /** Marks `usedTokenHash` used and adds its successor to the same family. */
  rotate(input: {
    readonly usedTokenHash: string;
    readonly familyId: string;
    readonly userId: string;
    readonly tokenHash: string;
    readonly issuedAt: Date;
    readonly expiresAt: Date;
  }): Promise<void>;
  /** True if the family was live and is now revoked. */
  revokeFamily(familyId: string, at: Date, reason: SessionRevocationReason): Promise<boolean>;
  /** Revokes every live family of the user; returns how many. */
  revokeAllForUser(userId: string, at: Date, reason: SessionRevocationReason): Promise<number>;
  /**
   * Deletes refresh tokens that expired before `before` (an expired token is refused anyway,
   * reuse detection only matters while it could still be used) and the families left empty.
   * Returns how many tokens.
   */
  purgeExpired(before: Date): Promise<number>;
}
export const SessionStore = Symbol.for('aura.users.SessionStore');
