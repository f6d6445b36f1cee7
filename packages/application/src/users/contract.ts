import type { DomainError } from '@aura/domain/platform';
import type { ResultAsync } from 'neverthrow';
import type { Role } from '../platform/actor.js';

/** What other modules may know about a user. */
export interface UserProfile {
  readonly id: string;
  readonly displayName: string;
  readonly role: Role;
  readonly timeZone: string;
  readonly locale: string;
}

/** Profile plus how to reach the person (for notifications). */
export interface UserContact extends UserProfile {
  readonly email: string;
  readonly emailVerified: boolean;
  readonly status: 'pending_verification' | 'active' | 'deactivated';
}

export type UsersContractError =
  | DomainError<'users.user_not_found'>
  | DomainError<'users.user_inactive'>
  | DomainError<'users.role_mismatch'>;

/**
 * The users module's contract for other modules (the seeds' `UserService` from the service
 * registry): `container.get(UsersContract)`. Reads only; changes go through the module's use cases.
 */
export interface UsersContract {
  getProfile(userId: string): Promise<UserProfile | undefined>;
  getContact(userId: string): Promise<UserContact | undefined>;
  /** The user exists, is active with a verified email, and (when given) has one of these roles. */
  requireActive(userId: string, roles?: readonly Role[]): ResultAsync<UserProfile, UsersContractError>;
}
export const UsersContract = Symbol.for('aura.users.UsersContract');
