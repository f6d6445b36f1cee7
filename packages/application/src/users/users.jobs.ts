import { inject, injectable } from 'inversify';
import type { IntegrationEvent, IntegrationEventHandler } from '../platform/events/index.js';
import type { JobProcessor } from '../platform/modules/module-definition.js';
import { Clock } from '../platform/ports/clock.port.js';
import type { JobContext } from '../platform/ports/job-queue.port.js';
import { Logger } from '../platform/ports/logger.port.js';
import { type AccountEmailJob, SendAccountEmail } from './commands/send-account-email.command.js';
import { LoginThrottleStore } from './ports/login-throttle.store.port.js';
import { OneTimeTokenStore } from './ports/one-time-token.store.port.js';
import { SessionStore } from './ports/session.store.port.js';
import { UsersSettings } from './ports/users-settings.js';

/** Worker side of `users.account-emails`: resend-verification and password-reset requests. */
@injectable()
export class AccountEmailsProcessor implements JobProcessor<AccountEmailJob> {
  constructor(
    @inject(SendAccountEmail) private readonly send: SendAccountEmail,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async process(job: JobContext<AccountEmailJob>): Promise<void> {
    const { kind, userId, email } = job.data;
    const outcome = await this.send.execute({
      kind,
      ...(userId === undefined ? {} : { userId }),
      ...(email === undefined ? {} : { email }),
    });
    this.logger.info('account email processed', { kind, outcome });
  }
}

/** `user.registered` → the verification email (subscribed within the module, so it rides the outbox: never lost). */
@injectable()
export class SendVerificationOnRegistration implements IntegrationEventHandler<{ userId: string; status: string }> {
  constructor(@inject(SendAccountEmail) private readonly send: SendAccountEmail) {}

  async handle(event: IntegrationEvent<{ userId: string; status: string }>): Promise<void> {
    if (event.data.status !== 'pending_verification') return;
    await this.send.execute({ kind: 'verification', userId: event.data.userId });
  }
}

/** The queue of the hourly purge of expired credentials. */
export const PURGE_EXPIRED_CREDENTIALS_QUEUE = 'users.purge-expired-credentials';

/**
 * Keeps the credential tables from growing without end: expired refresh tokens (and the
 * families they leave empty), expired verification and reset codes, and login-failure counters
 * that can no longer lock anything (including those of addresses nobody owns). The security
 * audit trail is kept.
 */
@injectable()
export class PurgeExpiredCredentials implements JobProcessor {
  constructor(
    @inject(SessionStore) private readonly sessions: SessionStore,
    @inject(OneTimeTokenStore) private readonly oneTimeTokens: OneTimeTokenStore,
    @inject(LoginThrottleStore) private readonly throttle: LoginThrottleStore,
    @inject(Clock) private readonly clock: Clock,
    @inject(UsersSettings) private readonly settings: UsersSettings,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async process(): Promise<void> {
    const now = this.clock.now();
    const idle = Math.max(this.settings.lockout.windowMs, this.settings.lockout.lockoutMs);
    const purged = {
      refreshTokens: await this.sessions.purgeExpired(now),
      oneTimeTokens: await this.oneTimeTokens.purgeExpired(now),
      loginCounters: await this.throttle.purgeIdleSince(new Date(now.getTime() - idle)),
    };
    this.logger.info('expired credentials purged', purged);
  }
}
