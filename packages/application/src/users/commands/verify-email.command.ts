import {
  type AccountDeactivated,
  checkOneTimeToken,
  type EmailAlreadyVerified,
  type InvalidToken,
  type TokenExpired,
} from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { Clock } from '../../platform/ports/clock.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { OneTimeTokenStore } from '../ports/one-time-token.store.port.js';
import { OpaqueTokens } from '../ports/opaque-tokens.port.js';
import type { SessionClient } from '../ports/session.store.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { SecurityAudit } from '../security-audit.js';
import { toUserView, type UserView } from '../user.view.js';

export type VerifyEmailError = InvalidToken | TokenExpired | EmailAlreadyVerified | AccountDeactivated;

/** Spends an email-verification token: the account becomes active. */
@injectable()
export class VerifyEmail {
  constructor(
    @inject(OneTimeTokenStore) private readonly oneTimeTokens: OneTimeTokenStore,
    @inject(OpaqueTokens) private readonly tokens: OpaqueTokens,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: { readonly token: string; readonly client?: SessionClient }): ResultAsync<UserView, VerifyEmailError> {
    return this.uow.result(() => new ResultAsync(this.verify(input)));
  }

  private async verify(input: {
    readonly token: string;
    readonly client?: SessionClient;
  }): Promise<Result<UserView, VerifyEmailError>> {
    const hash = this.tokens.hash(input.token);
    const now = this.clock.now();
    const stored = await this.oneTimeTokens.findForUse(hash);
    const usable = checkOneTimeToken(stored, 'email_verification', now);
    if (usable.isErr()) return err(usable.error);
    const user = stored && (await this.users.findById(stored.userId, { forUpdate: true }));
    // A token goes with its user (foreign key, cascade): a found token has one.
    if (!user) throw new Error(`one-time token without its user`);
    const verified = user.verifyEmail(now);
    if (verified.isErr()) return err(verified.error);
    await this.users.save(user);
    await this.oneTimeTokens.markUsed(hash, now);
    await this.audit.record('email_verified', { userId: user.id, client: input.client });
    return ok(toUserView(user.state));
  }
}
