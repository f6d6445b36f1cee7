import type { DomainError } from '@aura/domain';
import type { ResultAsync } from 'neverthrow';
import type { Actor } from '../actor.js';

export type InvalidAccessToken = DomainError<'platform.invalid_access_token'>;

/** A bearer token whose signature and claims check out. */
export interface VerifiedAccessToken {
  readonly actor: Actor;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** `jti`, when the token carries one. */
  readonly tokenId: string | undefined;
}

/** Turns a bearer access token into the Actor it was issued to, or says why it cannot. */
export interface AccessTokenVerifier {
  verify(token: string): ResultAsync<VerifiedAccessToken, InvalidAccessToken>;
}
export const AccessTokenVerifier = Symbol.for('aura.platform.AccessTokenVerifier');

/**
 * A second opinion on a token whose signature is good: is its subject still allowed in (not
 * deactivated, not logged out everywhere since the token was issued)? Modules bind any number
 * (the users module binds one); every guard must admit the token.
 */
export interface AccessGuard {
  admit(token: VerifiedAccessToken): ResultAsync<void, InvalidAccessToken>;
}
export const AccessGuard = Symbol.for('aura.platform.AccessGuard');
