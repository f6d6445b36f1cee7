import type { ResultAsync } from 'neverthrow';
import type { CancelError } from './commands/cancel-notification.command.js';
import type { SendError, SendOutcome, SendRequest } from './commands/send-notification.command.js';
import type { NotificationView } from './notification.view.js';

export type { CancelError, NotificationView, SendError, SendOutcome, SendRequest };

/**
 * The notifications module's contract for other modules (the seeds' `EmailService`,
 * `SMSService`, `PushNotificationService` in one): `container.get(NotificationsContract)`.
 * `send` joins the caller's transaction, so a change and the message it causes commit together.
 * Use a de-duplication key built from what caused the message (e.g. `<eventId>:<template>`) so
 * that a retried handler sends once, and `cancel` by that key to withdraw a scheduled send.
 */
export interface NotificationsContract {
  send(request: SendRequest): ResultAsync<SendOutcome, SendError>;
  cancel(deduplicationKey: string): ResultAsync<NotificationView, CancelError>;
}
export const NotificationsContract = Symbol.for('aura.notifications.NotificationsContract');
