import type { DomainError } from '@aura/domain/platform';
import type { Email, User, UserRole, UserState, UserStatus } from '@aura/domain/users';
import type { Result } from 'neverthrow';
import type { Page } from '../../platform/pagination.js';

export type EmailTaken = DomainError<'users.email_taken'>;

export interface UserListFilter {
  readonly role?: UserRole;
  readonly status?: UserStatus;
  readonly limit: number;
  /** The last id of the previous page. */
  readonly cursor?: string;
}

/**
 * Users, saved with the events they recorded in the same transaction (the outbox). Call it
 * inside a unit of work; `forUpdate` locks the row until that unit ends.
 */
export interface UserRepository {
  findById(id: string, options?: { readonly forUpdate?: boolean }): Promise<User | undefined>;
  findByEmail(email: Email, options?: { readonly forUpdate?: boolean }): Promise<User | undefined>;
  /** Inserts a new user; an address already taken (compared case-insensitively) is `users.email_taken`. */
  add(user: User): Promise<Result<void, EmailTaken>>;
  /** Saves a loaded user's changes; throws if someone else saved it since it was loaded (load it `forUpdate`). */
  save(user: User): Promise<void>;
  /** Users ordered by id (creation order), filtered, one page at a time. */
  list(filter: UserListFilter): Promise<Page<UserState>>;
}
export const UserRepository = Symbol.for('aura.users.UserRepository');

/** Thrown by `save` when the stored version moved: a lost update was prevented. */
export class ConcurrentUserModificationError extends Error {
  override readonly name = 'ConcurrentUserModificationError';
  constructor(readonly userId: string) {
    super(`user ${userId} was changed concurrently; load it for update and retry`);
  }
}
