import { type DomainError, domainError } from '@aura/domain/platform';
import { type AccountDeactivated, type EmailNotVerified, type PasswordHash, parseEmail, type User } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { Clock } from '../../platform/ports/clock.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { LoginThrottleStore } from '../ports/login-throttle.store.port.js';
import { PasswordHasher } from '../ports/password-hasher.port.js';
import type { SessionClient } from '../ports/session.store.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { UsersSettings } from '../ports/users-settings.js';
import { SecurityAudit } from '../security-audit.js';
import { SessionIssuer, type TokenPair } from '../session-issuer.js';

export type InvalidCredentials = DomainError<'users.invalid_credentials'>;
export type AccountLocked = DomainError<'users.account_locked'>;
export type LoginError = InvalidCredentials | AccountLocked | EmailNotVerified | AccountDeactivated;

export interface LoginInput {
  readonly email: string;
  readonly password: string;
  readonly client?: SessionClient;
}

export const invalidCredentials = (): InvalidCredentials =>
  domainError('users.invalid_credentials', 'the email address or the password is wrong');

export const accountLocked = (until: Date, now: Date): AccountLocked => {
  const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return domainError('users.account_locked', `too many failed logins: try again in ${retryAfterSeconds} seconds`, {
    retryAfterSeconds,
    lockedUntil: until.toISOString(),
  });
};

/**
 * Password login. An unknown address and a wrong password get the same answer after the
 * same work (a verification against a dummy hash), and lock out the same way, so neither the
 * answer nor its timing tells whether an account exists. Every attempt is claimed before the
 * password is checked, so concurrent guesses cannot exceed the lockout threshold.
 */
@injectable()
export class Login {
  #dummyHash: Promise<PasswordHash> | undefined;

  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(LoginThrottleStore) private readonly throttle: LoginThrottleStore,
    @inject(SessionIssuer) private readonly sessions: SessionIssuer,
    @inject(Clock) private readonly clock: Clock,
    @inject(UsersSettings) private readonly settings: UsersSettings,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
  ) {}

  execute(input: LoginInput): ResultAsync<TokenPair, LoginError> {
    return new ResultAsync(this.login(input));
  }

  private async login(input: LoginInput): Promise<Result<TokenPair, LoginError>> {
    const parsed = parseEmail(input.email);
    const email = parsed.isOk() ? parsed.value : input.email.trim().toLowerCase();
    const key = `email:${email}`;
    const now = this.clock.now();
    const claim = await this.throttle.claim(key, now, this.settings.lockout);
    const user = parsed.isOk() ? await this.users.findByEmail(parsed.value) : undefined;
    if (!claim.allowed) {
      await this.audit.record('login_locked_out', { userId: user?.id ?? null, client: input.client });
      return err(accountLocked(claim.lockedUntil, now));
    }
    const matches = await this.check(user, input.password);
    if (user === undefined || !matches) {
      await this.audit.record('login_failed', {
        userId: user?.id ?? null,
        client: input.client,
        details: { reason: user === undefined ? 'unknown_email' : 'wrong_password', failures: claim.state.failures },
      });
      if (claim.reachesThreshold) {
        await this.audit.record('account_locked', {
          userId: user?.id ?? null,
          client: input.client,
          details: { failures: claim.state.failures },
        });
      }
      return err(invalidCredentials());
    }
    await this.throttle.clear(key);
    // The session starts under the user's row lock, from the user as it is now: a password
    // change, deactivation or logout-everywhere that committed while the password was being
    // checked is seen (the old password no longer opens a session), and one that commits
    // after it finds the session and ends it.
    const started = await this.uow.transaction(async (): Promise<Result<TokenPair, LoginError>> => {
      const current = await this.users.findById(user.id, { forUpdate: true });
      if (current === undefined || current.passwordHash !== user.passwordHash) return err(invalidCredentials());
      const refusal = current.loginRefusal();
      if (refusal !== undefined) return err(refusal);
      return ok(await this.sessions.start(current, input.client ?? {}));
    });
    if (started.isErr()) {
      await this.audit.record('login_refused', {
        userId: user.id,
        client: input.client,
        details: { reason: started.error.type },
      });
      return started;
    }
    await this.audit.record('login_succeeded', { userId: user.id, client: input.client });
    return started;
  }

  /** The same slow verification whether or not the account exists. */
  private async check(user: User | undefined, password: string): Promise<boolean> {
    if (user !== undefined) return this.hasher.verify(user.passwordHash, password);
    this.#dummyHash ??= this.hasher.hash('dummy password: nobody logs in with this');
    await this.hasher.verify(await this.#dummyHash, password);
    return false;
  }
}
