import { decideRefresh, type InvalidRefreshToken, type RefreshTokenReused, refreshErrors } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { Clock } from '../../platform/ports/clock.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { OpaqueTokens } from '../ports/opaque-tokens.port.js';
import { type SessionClient, SessionStore } from '../ports/session.store.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { SecurityAudit } from '../security-audit.js';
import { SessionIssuer, type TokenPair } from '../session-issuer.js';

export type RefreshSessionError = InvalidRefreshToken | RefreshTokenReused;

/**
 * Exchanges a refresh token for a new pair. The token row is locked, so two concurrent
 * uses of one token are serialised: the first rotates it, the second is a reuse and revokes
 * the family (a stolen copy and its rightful owner cannot both go on).
 */
@injectable()
export class RefreshSession {
  constructor(
    @inject(SessionStore) private readonly sessions: SessionStore,
    @inject(SessionIssuer) private readonly issuer: SessionIssuer,
    @inject(OpaqueTokens) private readonly tokens: OpaqueTokens,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: {
    readonly refreshToken: string;
    readonly client?: SessionClient;
  }): ResultAsync<TokenPair, RefreshSessionError> {
    // `transaction`, not `result`: a detected reuse must commit its revocation while answering an error.
    return new ResultAsync(this.uow.transaction(() => this.refresh(input)));
  }

  private async refresh(input: {
    readonly refreshToken: string;
    readonly client?: SessionClient;
  }): Promise<Result<TokenPair, RefreshSessionError>> {
    const hash = this.tokens.hash(input.refreshToken);
    const found = await this.sessions.findForRotation(hash);
    if (found === undefined) return err(refreshErrors.invalid());
    // Lock the user, then read the token again: a password change, deactivation or
    // logout-everywhere (which lock the user too) either committed before, and its revocation
    // is seen here, or waits for this rotation and revokes its result.
    const user = await this.users.findById(found.userId, { forUpdate: true });
    const stored = (await this.sessions.findForRotation(hash)) ?? found;
    const now = this.clock.now();
    const decision = decideRefresh(stored, now);
    if (decision === 'revoke_family') {
      await this.sessions.revokeFamily(stored.familyId, now, 'reuse');
      await this.audit.record('refresh_token_reused', {
        userId: stored.userId,
        client: input.client,
        details: { familyId: stored.familyId },
      });
      return err(refreshErrors.reused());
    }
    if (decision === 'refuse') return err(refreshErrors.invalid());
    if (user === undefined || !user.canLogin()) return err(refreshErrors.invalid());
    return ok(await this.issuer.rotate(user, hash, stored.familyId));
  }
}
