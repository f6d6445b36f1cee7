import type { DomainError } from '@aura/domain';
import type { ResultAsync } from 'neverthrow';
import type { Actor } from '../actor.js';

export type InvalidAccessToken = DomainError<'platform.invalid_access_token'>;

/** Turns a bearer access token into the Actor it was issued to, or says why it cannot. */
export interface AccessTokenVerifier {
  verify(token: string): ResultAsync<Actor, InvalidAccessToken>;
}
export const AccessTokenVerifier = Symbol.for('aura.platform.AccessTokenVerifier');
