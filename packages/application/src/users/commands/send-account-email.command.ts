import { type Email, ONE_TIME_TOKEN_TTL_MS, type OneTimeTokenPurpose, parseEmail, type User } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { Clock } from '../../platform/ports/clock.port.js';
import { ExecutionContext } from '../../platform/ports/execution-context.port.js';
import { JobQueue } from '../../platform/ports/job-queue.port.js';
import { Logger } from '../../platform/ports/logger.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { AccountMessenger } from '../ports/account-messenger.port.js';
import { OneTimeTokenStore } from '../ports/one-time-token.store.port.js';
import { OpaqueTokens } from '../ports/opaque-tokens.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { UsersSettings } from '../ports/users-settings.js';
import { SecurityAudit } from '../security-audit.js';

/** The queue of account emails (verification, password reset), processed by the worker. */
export const ACCOUNT_EMAILS_QUEUE = 'users.account-emails';

export type AccountEmailKind = 'verification' | 'password_reset';

export interface AccountEmailJob {
  readonly kind: AccountEmailKind;
  /** Which account: by id (after registration) or by the address someone typed. */
  readonly userId?: string;
  readonly email?: string;
  readonly correlationId: string;
}

const PURPOSE: Readonly<Record<AccountEmailKind, OneTimeTokenPurpose>> = {
  verification: 'email_verification',
  password_reset: 'password_reset',
};

export type AccountEmailOutcome = 'sent' | 'no_account' | 'not_applicable' | 'too_soon';

/**
 * Issues a one-time token and sends it. Runs in the worker, so an HTTP request never waits
 * for it and its duration cannot tell whether an address has an account. The token is
 * stored in the same transaction the message is handed over in; a failed send rolls the
 * token back and the job is retried.
 */
@injectable()
export class SendAccountEmail {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(OneTimeTokenStore) private readonly oneTimeTokens: OneTimeTokenStore,
    @inject(OpaqueTokens) private readonly tokens: OpaqueTokens,
    @inject(AccountMessenger) private readonly messenger: AccountMessenger,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(UsersSettings) private readonly settings: UsersSettings,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(job: Omit<AccountEmailJob, 'correlationId'>): Promise<AccountEmailOutcome> {
    return this.uow.transaction(async () => {
      const user = await this.find(job);
      if (user === undefined) return 'no_account';
      if (!this.applies(job.kind, user)) return 'not_applicable';
      const purpose = PURPOSE[job.kind];
      const now = this.clock.now();
      const last = await this.oneTimeTokens.lastIssuedAt(user.id, purpose);
      if (last !== undefined && now.getTime() - last.getTime() < this.settings.accountEmailIntervalMs) return 'too_soon';
      const { token, hash } = this.tokens.generate();
      const expiresAt = new Date(now.getTime() + ONE_TIME_TOKEN_TTL_MS[purpose]);
      await this.oneTimeTokens.issue({ tokenHash: hash, userId: user.id, purpose, createdAt: now, expiresAt });
      const message = {
        userId: user.id,
        to: user.email,
        displayName: user.state.displayName,
        locale: user.state.locale,
        token,
        expiresAt,
      };
      if (job.kind === 'verification') await this.messenger.sendEmailVerification(message);
      else {
        await this.messenger.sendPasswordReset(message);
        await this.audit.record('password_reset_requested', { userId: user.id });
      }
      return 'sent';
    });
  }

  private async find(job: Omit<AccountEmailJob, 'correlationId'>): Promise<User | undefined> {
    if (job.userId !== undefined) return this.users.findById(job.userId);
    const email = parseEmail(job.email ?? '');
    return email.isOk() ? this.users.findByEmail(email.value as Email) : undefined;
  }

  /** Verification only for an account still waiting for it; a reset for any account not deactivated. */
  private applies(kind: AccountEmailKind, user: User): boolean {
    if (user.status === 'deactivated') return false;
    return kind === 'password_reset' || !user.emailVerified;
  }
}

/**
 * Puts an account email on the worker's queue. Used by the public "resend verification" and
 * "reset my password" requests: they answer 202 at once, whether or not the address has an account.
 */
@injectable()
export class RequestAccountEmail {
  constructor(
    @inject(JobQueue) private readonly queue: JobQueue,
    @inject(ExecutionContext) private readonly context: ExecutionContext,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async execute(kind: AccountEmailKind, email: string): Promise<void> {
    const correlationId = this.context.current()?.correlationId ?? 'none';
    const data: AccountEmailJob = { kind, email: email.trim().toLowerCase(), correlationId };
    await this.queue.enqueue({ queue: ACCOUNT_EMAILS_QUEUE, name: kind, data });
    this.logger.debug('account email requested', { kind });
  }
}
