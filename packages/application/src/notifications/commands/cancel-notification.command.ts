import { checkDeduplicationKey, type InvalidTransition, type Notification } from '@aura/domain/notifications';
import type { DomainError } from '@aura/domain/platform';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { Clock } from '../../platform/ports/clock.port.js';
import { Logger } from '../../platform/ports/logger.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { type NotificationView, toNotificationView } from '../notification.view.js';
import { NotificationRepository } from '../ports/notification.repository.port.js';

export type NotificationNotFound = DomainError<'notifications.notification_not_found'>;
export type NotificationInFlight = DomainError<'notifications.in_flight'>;
export type CancelError = NotificationNotFound | NotificationInFlight | InvalidTransition;

export const notificationNotFound = (what: string): NotificationNotFound => ({
  type: 'notifications.notification_not_found',
  message: `there is no notification ${what}`,
});

/**
 * Withdraws a pending notification (typically a scheduled one) by id or by its de-duplication
 * key. One already handed to its provider, or being handed over right now, cannot be withdrawn.
 */
@injectable()
export class CancelNotification {
  constructor(
    @inject(NotificationRepository) private readonly notifications: NotificationRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(
    which: { readonly id: string } | { readonly deduplicationKey: string },
    reason = 'cancelled by the sender',
  ): ResultAsync<NotificationView, CancelError> {
    return this.uow.result(() => new ResultAsync(this.cancel(which, reason)));
  }

  private async cancel(
    which: { readonly id: string } | { readonly deduplicationKey: string },
    reason: string,
  ): Promise<Result<NotificationView, CancelError>> {
    if ('deduplicationKey' in which && checkDeduplicationKey(which.deduplicationKey).isErr())
      return err(notificationNotFound(`with the de-duplication key ${JSON.stringify(which.deduplicationKey)}`));
    const notification =
      'id' in which
        ? await this.notifications.findById(which.id, { lock: true })
        : await this.notifications.findByDeduplicationKey(which.deduplicationKey, { lock: true });
    if (notification === undefined) {
      return err(notificationNotFound('id' in which ? which.id : `with the de-duplication key ${which.deduplicationKey}`));
    }
    const now = this.clock.now();
    if (notification.isPending && notification.claimedFor(now) > 0) {
      return err({
        type: 'notifications.in_flight',
        message: 'the notification is being handed to its provider right now and can no longer be withdrawn',
        details: { retryAfterSeconds: Math.ceil(notification.claimedFor(now) / 1000) },
      });
    }
    const cancelled = notification.cancel(reason, now);
    if (cancelled.isErr()) return err(cancelled.error);
    await this.notifications.save(notification);
    return ok(toNotificationView(notification.state));
  }
}

/** `user.deactivated`: a deactivated account's pending and scheduled notifications are withdrawn. */
@injectable()
export class CancelUserNotifications {
  constructor(
    @inject(NotificationRepository) private readonly notifications: NotificationRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async execute(userId: string): Promise<number> {
    return this.uow.transaction(async () => {
      let cancelled = 0;
      for (const id of await this.notifications.findPendingIdsOfUser(userId)) {
        const notification: Notification | undefined = await this.notifications.findById(id, { lock: true });
        const now = this.clock.now();
        // One being handed over right now goes out; everything else is withdrawn.
        if (notification === undefined || notification.claimedFor(now) > 0) continue;
        if (notification.cancel('the recipient’s account was deactivated', now).isOk()) {
          await this.notifications.save(notification);
          cancelled += 1;
        }
      }
      this.logger.info('notifications of a deactivated account cancelled', { userId, cancelled });
      return cancelled;
    });
  }
}
