import { err, ok, type Result } from 'neverthrow';
import { type DomainError, domainError } from '../platform/domain-error.js';

export type InvalidRefreshToken = DomainError<'users.invalid_refresh_token'>;
export type RefreshTokenReused = DomainError<'users.refresh_token_reused'>;
export type InvalidToken = DomainError<'users.invalid_token'>;
export type TokenExpired = DomainError<'users.token_expired'>;

/** A stored refresh token and its family, as far as rotation is concerned. */
export interface RefreshTokenRecord {
  readonly usedAt: Date | null;
  readonly expiresAt: Date;
  readonly familyRevokedAt: Date | null;
}

export type RefreshDecision = 'rotate' | 'revoke_family' | 'refuse';

/**
 * Rotation with reuse detection: a live token is exchanged once; presenting one that was
 * already exchanged means it was copied, so its whole family is revoked.
 */
export function decideRefresh(token: RefreshTokenRecord, now: Date): RefreshDecision {
  if (token.familyRevokedAt !== null) return 'refuse';
  if (token.usedAt !== null) return 'revoke_family';
  if (token.expiresAt <= now) return 'refuse';
  return 'rotate';
}

export const refreshErrors = {
  invalid: (): InvalidRefreshToken =>
    domainError('users.invalid_refresh_token', 'the refresh token is invalid, expired or revoked'),
  reused: (): RefreshTokenReused =>
    domainError('users.refresh_token_reused', 'this refresh token was already used: every session it belongs to has been ended'),
};

export type OneTimeTokenPurpose = 'email_verification' | 'password_reset';

/** Verification links live 24 hours, reset links 1 hour. */
export const ONE_TIME_TOKEN_TTL_MS: Readonly<Record<OneTimeTokenPurpose, number>> = {
  email_verification: 24 * 60 * 60 * 1000,
  password_reset: 60 * 60 * 1000,
};

export interface OneTimeTokenRecord {
  readonly purpose: OneTimeTokenPurpose;
  readonly usedAt: Date | null;
  readonly expiresAt: Date;
}

/** A one-time token is good once, for its purpose, before it expires. */
export function checkOneTimeToken(
  token: OneTimeTokenRecord | undefined,
  purpose: OneTimeTokenPurpose,
  now: Date,
): Result<void, InvalidToken | TokenExpired> {
  if (token === undefined || token.purpose !== purpose || token.usedAt !== null) {
    return err(domainError('users.invalid_token', 'the token is invalid or was already used', { field: 'token' }));
  }
  if (token.expiresAt <= now) {
    return err(domainError('users.token_expired', 'the token has expired: ask for a new one', { field: 'token' }));
  }
  return ok(undefined);
}
