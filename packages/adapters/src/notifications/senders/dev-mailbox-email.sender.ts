import {
  type ChannelSender,
  type OutgoingMessage,
  ProviderRejectedError,
  type SendReceipt,
} from '@aura/application/notifications';
import { DEFAULT_MAIL_FROM, type DevMailbox, type StoredMail } from '../../platform/mail/dev-mailbox.js';
import { messageIdOf, NOTIFICATION_ID_HEADER } from './smtp-email.sender.js';

/**
 * Email "sent" into the development mailbox (the default when no SMTP_URL is configured), so
 * a person running `npm start` reads it at GET /dev/mailbox. The message carries the same
 * Message-ID and headers SMTP delivery would give it.
 */
export class DevMailboxEmailSender implements ChannelSender {
  readonly provider = 'dev-mailbox';

  constructor(
    private readonly mailbox: DevMailbox,
    private readonly from: string = DEFAULT_MAIL_FROM,
  ) {}

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    let stored: StoredMail;
    try {
      stored = await this.mailbox.deliver({
        to: message.to,
        from: this.from,
        subject: message.subject ?? '',
        text: message.text,
        ...(message.html === null ? {} : { html: message.html }),
        headers: { 'Message-ID': messageIdOf(message.notificationId), [NOTIFICATION_ID_HEADER]: message.notificationId },
      });
    } catch (error) {
      // The mailbox refuses a message without a usable address with a TypeError: sending it again cannot help.
      if (error instanceof TypeError) throw new ProviderRejectedError(error.message, { cause: error });
      throw error;
    }
    return { providerMessageId: stored.id };
  }

  unavailableFor(): number {
    return 0;
  }
}
