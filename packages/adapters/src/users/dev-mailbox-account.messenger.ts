import { Logger } from '@aura/application/platform';
import type { AccountMessage, AccountMessenger } from '@aura/application/users';
import { inject, injectable } from 'inversify';
import { TransactionManager } from '../platform/db/transactions.js';
import { DevMailbox, type MailMessage } from '../platform/mail/dev-mailbox.js';
import { AccountMailSettings } from './users.settings.js';

/**
 * Account emails into the development mailbox (`.eml` files, listed at GET /dev/mailbox), so
 * a person trying the API can finish registration and password resets. The notifications
 * module replaces it with real delivery.
 */
@injectable()
export class DevMailboxAccountMessenger implements AccountMessenger {
  constructor(
    @inject(DevMailbox) private readonly mailbox: DevMailbox,
    @inject(AccountMailSettings) private readonly settings: AccountMailSettings,
    @inject(TransactionManager) private readonly transactions: TransactionManager,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /**
   * Inside a unit of work the message is written once it commits: the code it carries is
   * stored by then (a reader never sees a code that does not work yet), and a rolled-back
   * code is never mailed.
   */
  private async deliver(message: MailMessage): Promise<void> {
    if (!this.transactions.inTransaction) {
      await this.mailbox.deliver(message);
      return;
    }
    this.transactions.afterCommit(() => {
      this.mailbox.deliver(message).catch((error: unknown) => {
        this.logger.error('the development mailbox could not store an account email', { err: error, subject: message.subject });
      });
    });
  }

  async sendEmailVerification(message: AccountMessage): Promise<void> {
    await this.deliver({
      to: message.to,
      subject: 'Confirm your email address',
      text: this.body(message, {
        intro: 'Welcome to Aura. Please confirm that this is your email address.',
        path: '/api/auth/verify-email',
        body: { token: message.token },
        after: 'If you did not create an account, ignore this email.',
      }),
    });
  }

  async sendPasswordReset(message: AccountMessage): Promise<void> {
    await this.deliver({
      to: message.to,
      subject: 'Reset your password',
      text: this.body(message, {
        intro: 'Someone (hopefully you) asked to reset the password of your Aura account.',
        path: '/api/auth/password-reset/confirm',
        body: { token: message.token, newPassword: '<your new password>' },
        after: 'If you did not ask for this, ignore this email: your password stays as it is.',
      }),
    });
  }

  private body(
    message: AccountMessage,
    content: { intro: string; path: string; body: Record<string, string>; after: string },
  ): string {
    // Keeps a path prefix of the public address (`https://example.org/aura` + `/api/…`).
    const base = new URL(this.settings.publicBaseUrl);
    const url = new URL(`${base.pathname.replace(/\/+$/, '')}${content.path}`, base).toString();
    return [
      `Hello ${message.displayName},`,
      '',
      content.intro,
      '',
      `Your code: ${message.token}`,
      '',
      `Send it to POST ${url} with the JSON body:`,
      `  ${JSON.stringify(content.body)}`,
      '',
      `The code works once and expires at ${message.expiresAt.toISOString()}.`,
      content.after,
      '',
      '— Aura',
    ].join('\n');
  }
}
