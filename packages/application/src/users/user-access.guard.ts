import { domainError } from '@aura/domain/platform';
import { inject, injectable } from 'inversify';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { AccessGuard, InvalidAccessToken, VerifiedAccessToken } from '../platform/ports/access-token-verifier.port.js';
import { UserRepository } from './ports/user.repository.port.js';

/**
 * Refuses a well-signed access token whose user can no longer act: deactivated (at once, not
 * when the token expires), logged out everywhere or password changed since it was issued,
 * or holding a role the token does not claim.
 */
@injectable()
export class UserAccessGuard implements AccessGuard {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  admit(token: VerifiedAccessToken): ResultAsync<void, InvalidAccessToken> {
    return ResultAsync.fromSafePromise(this.users.findById(token.actor.userId)).andThen((user) => {
      if (user === undefined || !user.honoursTokenIssuedAt(token.issuedAt) || !token.actor.roles.includes(user.role)) {
        return errAsync(domainError('platform.invalid_access_token', 'the access token was revoked'));
      }
      return okAsync(undefined);
    });
  }
}
