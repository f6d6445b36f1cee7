import { inject, injectable } from 'inversify';
import type { IntegrationEvent, IntegrationEventHandler } from '../platform/events/index.js';
import type { JobProcessor } from '../platform/modules/module-definition.js';
import type { JobContext } from '../platform/ports/job-queue.port.js';
import { Logger } from '../platform/ports/logger.port.js';
import { type AccountEmailJob, SendAccountEmail } from './commands/send-account-email.command.js';

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
