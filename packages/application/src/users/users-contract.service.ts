import { domainError } from '@aura/domain/platform';
import type { User } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { err, ok, ResultAsync } from 'neverthrow';
import type { Role } from '../platform/actor.js';
import type { UserContact, UserProfile, UsersContract, UsersContractError } from './contract.js';
import { UserRepository } from './ports/user.repository.port.js';

const profileOf = (user: User): UserProfile => ({
  id: user.id,
  displayName: user.state.displayName,
  role: user.role,
  timeZone: user.state.timeZone,
  locale: user.state.locale,
});

@injectable()
export class UsersContractService implements UsersContract {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  async getProfile(userId: string): Promise<UserProfile | undefined> {
    const user = await this.users.findById(userId);
    return user === undefined ? undefined : profileOf(user);
  }

  async getContact(userId: string): Promise<UserContact | undefined> {
    const user = await this.users.findById(userId);
    if (user === undefined) return undefined;
    return { ...profileOf(user), email: user.email, emailVerified: user.emailVerified, status: user.status };
  }

  requireActive(userId: string, roles?: readonly Role[]): ResultAsync<UserProfile, UsersContractError> {
    return ResultAsync.fromSafePromise(this.users.findById(userId)).andThen((user) => {
      if (user === undefined) return err(domainError('users.user_not_found', `no user ${userId}`));
      if (!user.canLogin()) return err(domainError('users.user_inactive', `user ${userId} is not active`));
      if (roles !== undefined && !roles.includes(user.role)) {
        return err(domainError('users.role_mismatch', `user ${userId} is not a ${roles.join(' or ')}`));
      }
      return ok(profileOf(user));
    });
  }
}
