import { inject, injectable } from 'inversify';
import type { AccountMessage, AccountMessenger } from '../users/contract.js';
import { SendNotification } from './commands/send-notification.command.js';
import { withSlash } from './notifications.jobs.js';
import { NotificationsSettings } from './ports/notifications-settings.js';

/**
 * The users module's account emails (verification codes, password resets) as `security`
 * notifications: they go through the same pipeline, retries and circuit breaker as every
 * other message, in the person's language, and nobody can opt out of them. The notification
 * is stored in the transaction that stores the code, so a code that does not work is never sent.
 */
@injectable()
export class NotificationsAccountMessenger implements AccountMessenger {
  constructor(
    @inject(SendNotification) private readonly send: SendNotification,
    @inject(NotificationsSettings) private readonly settings: NotificationsSettings,
  ) {}

  sendEmailVerification(message: AccountMessage): Promise<void> {
    return this.deliver('account.email-verification', 'api/auth/verify-email', message);
  }

  sendPasswordReset(message: AccountMessage): Promise<void> {
    return this.deliver('account.password-reset', 'api/auth/password-reset/confirm', message);
  }

  private async deliver(template: string, path: string, message: AccountMessage): Promise<void> {
    const sent = await this.send.execute({
      to: { userId: message.userId },
      channel: 'email',
      content: {
        template,
        variables: {
          displayName: message.displayName,
          code: message.token,
          url: new URL(path, withSlash(this.settings.publicBaseUrl)).toString(),
          expiresAt: message.expiresAt.toISOString(),
        },
      },
    });
    // Throwing rolls the code back with it; the job that asked for the email retries.
    if (sent.isErr()) throw new Error(`the ${template} email could not be queued: ${sent.error.message}`);
  }
}
