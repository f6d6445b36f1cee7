import { type DomainError, domainError } from '@aura/domain/platform';
import {
  type AccountDeactivated,
  checkOneTimeToken,
  type InvalidToken,
  type TokenExpired,
  type User,
  type WeakPassword,
} from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { Actor } from '../../platform/actor.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { PasswordPolicy } from '../password-policy.js';
import { LoginThrottleStore } from '../ports/login-throttle.store.port.js';
import { OneTimeTokenStore } from '../ports/one-time-token.store.port.js';
import { OpaqueTokens } from '../ports/opaque-tokens.port.js';
import { PasswordHasher } from '../ports/password-hasher.port.js';
import { type SessionClient, SessionStore } from '../ports/session.store.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { UsersSettings } from '../ports/users-settings.js';
import { personalWords } from '../profile-input.js';
import { SecurityAudit } from '../security-audit.js';
import { type AccountLocked, accountLocked } from './login.command.js';

export type IncorrectPassword = DomainError<'users.incorrect_password'>;
export type UserNotFound = DomainError<'users.user_not_found'>;

export const userNotFound = (id: string): UserNotFound => domainError('users.user_not_found', `no user ${id}`);

/** Sets a new password and ends every session of the user (refresh and access tokens). */
@injectable()
export class PasswordReplacement {
  constructor(
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(PasswordPolicy) private readonly policy: PasswordPolicy,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(SessionStore) private readonly sessions: SessionStore,
    @inject(OneTimeTokenStore) private readonly oneTimeTokens: OneTimeTokenStore,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  async replace(
    user: User,
    password: string,
    reason: 'changed' | 'reset',
    client: SessionClient | undefined,
  ): Promise<Result<void, WeakPassword>> {
    const acceptable = await this.check(user, password);
    if (acceptable.isErr()) return acceptable;
    await this.apply(user, password, reason, client);
    return ok(undefined);
  }

  /** The password rules, against the user's own address and name (`newPassword` is the field at fault). */
  async check(user: User, password: string): Promise<Result<void, WeakPassword>> {
    const acceptable = await this.policy.check(
      password,
      personalWords({ email: user.email, displayName: user.state.displayName }),
    );
    return acceptable.isErr()
      ? err({ ...acceptable.error, details: { ...acceptable.error.details, field: 'newPassword' } })
      : ok(undefined);
  }

  /** Sets a password already checked. */
  async apply(user: User, password: string, reason: 'changed' | 'reset', client: SessionClient | undefined): Promise<void> {
    const hash = await this.hasher.hash(password);
    const now = this.clock.now();
    user.changePassword(hash, reason, now);
    await this.users.save(user);
    const revokedSessions = await this.sessions.revokeAllForUser(user.id, now, 'password_changed');
    // A reset code still pending would let whoever holds it replace the new password.
    await this.oneTimeTokens.withdrawUnused(user.id, 'password_reset');
    await this.audit.record(reason === 'reset' ? 'password_reset' : 'password_changed', {
      userId: user.id,
      client,
      details: { revokedSessions },
    });
  }
}

export interface ChangePasswordInput {
  readonly actor: Actor;
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly client?: SessionClient;
}
export type ChangePasswordError = IncorrectPassword | AccountLocked | WeakPassword | UserNotFound;

/**
 * A signed-in user changes their password, proving the current one. Wrong current passwords
 * count towards the same lockout as logins: a stolen access token cannot be used to guess it.
 */
@injectable()
export class ChangePassword {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(LoginThrottleStore) private readonly throttle: LoginThrottleStore,
    @inject(PasswordReplacement) private readonly replacement: PasswordReplacement,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(UsersSettings) private readonly settings: UsersSettings,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: ChangePasswordInput): ResultAsync<void, ChangePasswordError> {
    return new ResultAsync(this.change(input));
  }

  private async change(input: ChangePasswordInput): Promise<Result<void, ChangePasswordError>> {
    const user = await this.users.findById(input.actor.userId);
    if (user === undefined) return err(userNotFound(input.actor.userId));
    const key = `email:${user.email}`;
    const now = this.clock.now();
    const claim = await this.throttle.claim(key, now, this.settings.lockout);
    if (!claim.allowed) {
      await this.audit.record('login_locked_out', { userId: user.id, client: input.client, details: { via: 'change_password' } });
      return err(accountLocked(claim.lockedUntil, now));
    }
    if (!(await this.hasher.verify(user.passwordHash, input.currentPassword))) {
      // Counted and recorded like a failed login: a stolen access token must not be a quiet way to guess.
      const failure = {
        userId: user.id,
        client: input.client,
        details: { via: 'change_password', failures: claim.state.failures },
      };
      await this.audit.record('login_failed', failure);
      if (claim.reachesThreshold) await this.audit.record('account_locked', failure);
      return err(domainError('users.incorrect_password', 'the current password is wrong', { field: 'currentPassword' }));
    }
    await this.throttle.clear(key);
    return this.uow.result(
      () =>
        new ResultAsync(
          (async (): Promise<Result<void, ChangePasswordError>> => {
            const locked = await this.users.findById(user.id, { forUpdate: true });
            if (locked === undefined) return err(userNotFound(user.id));
            return this.replacement.replace(locked, input.newPassword, 'changed', input.client);
          })(),
        ),
    );
  }
}

export type ConfirmPasswordResetError = InvalidToken | TokenExpired | WeakPassword | AccountDeactivated;

/** Spends a password-reset token to set a new password; every session of the account ends. */
@injectable()
export class ConfirmPasswordReset {
  constructor(
    @inject(OneTimeTokenStore) private readonly oneTimeTokens: OneTimeTokenStore,
    @inject(OpaqueTokens) private readonly tokens: OpaqueTokens,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordReplacement) private readonly replacement: PasswordReplacement,
    @inject(LoginThrottleStore) private readonly throttle: LoginThrottleStore,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(input: {
    readonly token: string;
    readonly newPassword: string;
    readonly client?: SessionClient;
  }): ResultAsync<void, ConfirmPasswordResetError> {
    return this.uow.result(() => new ResultAsync(this.confirm(input)));
  }

  private async confirm(input: {
    readonly token: string;
    readonly newPassword: string;
    readonly client?: SessionClient;
  }): Promise<Result<void, ConfirmPasswordResetError>> {
    const hash = this.tokens.hash(input.token);
    const now = this.clock.now();
    const stored = await this.oneTimeTokens.findForUse(hash);
    const usable = checkOneTimeToken(stored, 'password_reset', now);
    if (usable.isErr()) return err(usable.error);
    const user = stored && (await this.users.findById(stored.userId, { forUpdate: true }));
    if (!user) throw new Error('one-time token without its user');
    if (user.status === 'deactivated') return err(user.loginRefusal() as AccountDeactivated);
    // The code reached the address: that verifies it, and proves the owner (the lockout is lifted).
    if (!user.emailVerified) user.verifyEmail(now);
    const acceptable = await this.replacement.check(user, input.newPassword);
    if (acceptable.isErr()) return err(acceptable.error);
    // Spent before the new password is set, which withdraws the codes still unused.
    await this.oneTimeTokens.markUsed(hash, now);
    await this.replacement.apply(user, input.newPassword, 'reset', input.client);
    await this.throttle.clear(`email:${user.email}`);
    return ok(undefined);
  }
}
