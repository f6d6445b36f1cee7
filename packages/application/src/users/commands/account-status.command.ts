import { type DomainError, domainError } from '@aura/domain/platform';
import type { AlreadyDeactivated, NotDeactivated } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { type Actor, type Forbidden, requireRole } from '../../platform/actor.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { type SessionClient, SessionStore } from '../ports/session.store.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { SecurityAudit } from '../security-audit.js';
import { toUserView, type UserView } from '../user.view.js';
import { type UserNotFound, userNotFound } from './change-password.command.js';

export type CannotDeactivateSelf = DomainError<'users.cannot_deactivate_self'>;
export type DeactivateUserError = Forbidden | UserNotFound | AlreadyDeactivated | CannotDeactivateSelf;
export type ReactivateUserError = Forbidden | UserNotFound | NotDeactivated;

interface StatusInput {
  readonly actor: Actor;
  readonly userId: string;
  readonly client?: SessionClient;
}

/**
 * An admin deactivates an account. Every session ends at once: refresh tokens are revoked
 * and the access guard refuses the user's still-valid access tokens.
 */
@injectable()
export class DeactivateUser {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(SessionStore) private readonly sessions: SessionStore,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: StatusInput & { readonly reason?: string | undefined }): ResultAsync<UserView, DeactivateUserError> {
    return requireRole(input.actor, 'admin').asyncAndThen(() => this.uow.result(() => new ResultAsync(this.deactivate(input))));
  }

  private async deactivate(
    input: StatusInput & { readonly reason?: string | undefined },
  ): Promise<Result<UserView, DeactivateUserError>> {
    if (input.userId.toLowerCase() === input.actor.userId.toLowerCase()) {
      return err(domainError('users.cannot_deactivate_self', 'admins cannot deactivate their own account'));
    }
    const user = await this.users.findById(input.userId, { forUpdate: true });
    if (user === undefined) return err(userNotFound(input.userId));
    const now = this.clock.now();
    const done = user.deactivate(now, input.actor.userId, input.reason ?? null);
    if (done.isErr()) return err(done.error);
    await this.users.save(user);
    const revokedSessions = await this.sessions.revokeAllForUser(user.id, now, 'deactivated');
    await this.audit.record('user_deactivated', {
      userId: user.id,
      actorId: input.actor.userId,
      client: input.client,
      details: { reason: input.reason ?? null, revokedSessions },
    });
    return ok(toUserView(user.state));
  }
}

/** An admin reactivates a deactivated account (active again, or pending if its email was never verified). */
@injectable()
export class ReactivateUser {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: StatusInput): ResultAsync<UserView, ReactivateUserError> {
    return requireRole(input.actor, 'admin').asyncAndThen(() => this.uow.result(() => new ResultAsync(this.reactivate(input))));
  }

  private async reactivate(input: StatusInput): Promise<Result<UserView, ReactivateUserError>> {
    const user = await this.users.findById(input.userId, { forUpdate: true });
    if (user === undefined) return err(userNotFound(input.userId));
    const done = user.reactivate(this.clock.now(), input.actor.userId);
    if (done.isErr()) return err(done.error);
    await this.users.save(user);
    await this.audit.record('user_reactivated', {
      userId: user.id,
      actorId: input.actor.userId,
      client: input.client,
      details: { status: user.status },
    });
    return ok(toUserView(user.state));
  }
}
