import type { DomainError } from '@aura/domain/platform';
import type { Email } from '@aura/domain/users';
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

export interface AccountMessage {
  readonly userId: string;
  readonly to: Email;
  readonly displayName: string;
  readonly locale: string;
  /** The one-time token the person sends back. */
  readonly token: string;
  readonly expiresAt: Date;
}

/**
 * What the users module needs from outside to reach a person: account messages (verification
 * codes, password resets). Bound to the development mailbox by the users module; the
 * notifications module, when installed, rebinds it to real delivery. Called inside the
 * transaction that stores the code (so a code is never sent that does not work), from the
 * worker, at least once.
 */
export interface AccountMessenger {
  sendEmailVerification(message: AccountMessage): Promise<void>;
  sendPasswordReset(message: AccountMessage): Promise<void>;
}
export const AccountMessenger = Symbol.for('aura.users.AccountMessenger');
