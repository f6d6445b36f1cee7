import type { UserRole, UserStatus } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { err, errAsync, ok, ResultAsync } from 'neverthrow';
import { type Actor, type Forbidden, requireRole } from '../../platform/actor.js';
import { MAX_PAGE_SIZE, type Page } from '../../platform/pagination.js';
import { type UserNotFound, userNotFound } from '../commands/change-password.command.js';
import { SecurityAuditLog, type SecurityEvent } from '../ports/security-audit-log.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { toUserView, type UserView } from '../user.view.js';

/** A user reads their own account; an admin reads anyone's. Others get a 404, not a hint that the id exists. */
@injectable()
export class GetUser {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  execute(input: { readonly actor: Actor; readonly userId: string }): ResultAsync<UserView, UserNotFound> {
    const allowed = input.actor.userId.toLowerCase() === input.userId.toLowerCase() || input.actor.roles.includes('admin');
    if (!allowed) return errAsync(userNotFound(input.userId));
    return ResultAsync.fromSafePromise(this.users.findById(input.userId)).andThen((user) =>
      user === undefined ? err(userNotFound(input.userId)) : ok(toUserView(user.state)),
    );
  }
}

export interface ListUsersInput {
  readonly actor: Actor;
  readonly role?: UserRole | undefined;
  readonly status?: UserStatus | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Admins list accounts, filtered by role and status, in creation order. */
@injectable()
export class ListUsers {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  execute(input: ListUsersInput): ResultAsync<Page<UserView>, Forbidden> {
    return requireRole(input.actor, 'admin').asyncAndThen(() =>
      ResultAsync.fromSafePromise(
        this.users.list({
          limit: Math.min(Math.max(1, input.limit), MAX_PAGE_SIZE),
          ...(input.role === undefined ? {} : { role: input.role }),
          ...(input.status === undefined ? {} : { status: input.status }),
          ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
        }),
      ).map((page) => ({ items: page.items.map(toUserView), nextCursor: page.nextCursor })),
    );
  }
}

/** Admins read an account's security events (logins, lockouts, token reuse, status changes), newest first. */
@injectable()
export class ListSecurityEvents {
  constructor(@inject(SecurityAuditLog) private readonly log: SecurityAuditLog) {}

  execute(input: {
    readonly actor: Actor;
    readonly userId?: string | undefined;
    readonly limit: number;
    readonly cursor?: string | undefined;
  }): ResultAsync<Page<SecurityEvent>, Forbidden> {
    return requireRole(input.actor, 'admin').asyncAndThen(() =>
      ResultAsync.fromSafePromise(
        this.log.list({
          limit: Math.min(Math.max(1, input.limit), MAX_PAGE_SIZE),
          ...(input.userId === undefined ? {} : { userId: input.userId }),
          ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
        }),
      ),
    );
  }
}
