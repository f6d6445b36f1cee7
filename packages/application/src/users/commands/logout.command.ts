import { inject, injectable } from 'inversify';
import { ok, type Result, ResultAsync } from 'neverthrow';
import type { Actor } from '../../platform/actor.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { OpaqueTokens } from '../ports/opaque-tokens.port.js';
import { type SessionClient, SessionStore } from '../ports/session.store.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { SecurityAudit } from '../security-audit.js';

/** Ends the session a refresh token belongs to (its whole family). Unknown or ended tokens are fine: logging out is idempotent. */
@injectable()
export class Logout {
  constructor(
    @inject(SessionStore) private readonly sessions: SessionStore,
    @inject(OpaqueTokens) private readonly tokens: OpaqueTokens,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: { readonly refreshToken: string; readonly client?: SessionClient }): ResultAsync<void, never> {
    return ResultAsync.fromSafePromise(
      this.uow.transaction(async () => {
        const stored = await this.sessions.findForRotation(this.tokens.hash(input.refreshToken));
        if (stored === undefined) return;
        if (await this.sessions.revokeFamily(stored.familyId, this.clock.now(), 'logout')) {
          await this.audit.record('logout', {
            userId: stored.userId,
            client: input.client,
            details: { familyId: stored.familyId },
          });
        }
      }),
    );
  }
}

/** Ends every session of the caller: refresh tokens are revoked and access tokens issued before now are refused. */
@injectable()
export class LogoutEverywhere {
  constructor(
    @inject(SessionStore) private readonly sessions: SessionStore,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: { readonly actor: Actor; readonly client?: SessionClient }): ResultAsync<{ revokedSessions: number }, never> {
    return new ResultAsync(this.uow.transaction(() => this.logoutAll(input)));
  }

  private async logoutAll(input: {
    readonly actor: Actor;
    readonly client?: SessionClient;
  }): Promise<Result<{ revokedSessions: number }, never>> {
    const now = this.clock.now();
    const user = await this.users.findById(input.actor.userId, { forUpdate: true });
    if (user !== undefined) {
      user.revokeSessions(now);
      await this.users.save(user);
    }
    const revokedSessions = await this.sessions.revokeAllForUser(input.actor.userId, now, 'logout_all');
    await this.audit.record('logout_all', { userId: input.actor.userId, client: input.client, details: { revokedSessions } });
    return ok({ revokedSessions });
  }
}
