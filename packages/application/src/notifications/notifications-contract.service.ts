import { inject, injectable } from 'inversify';
import type { ResultAsync } from 'neverthrow';
import { type CancelError, CancelNotification } from './commands/cancel-notification.command.js';
import { type SendError, SendNotification, type SendOutcome, type SendRequest } from './commands/send-notification.command.js';
import type { NotificationsContract } from './contract.js';
import type { NotificationView } from './notification.view.js';

@injectable()
export class NotificationsContractService implements NotificationsContract {
  constructor(
    @inject(SendNotification) private readonly sender: SendNotification,
    @inject(CancelNotification) private readonly canceller: CancelNotification,
  ) {}

  send(request: SendRequest): ResultAsync<SendOutcome, SendError> {
    return this.sender.execute(request);
  }

  cancel(deduplicationKey: string): ResultAsync<NotificationView, CancelError> {
    return this.canceller.execute({ deduplicationKey });
  }
}
