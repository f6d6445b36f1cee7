import { type Category, CHANNELS, type Channel, type NotificationStatus, parseRecipient } from '@aura/domain/notifications';
import { inject, injectable } from 'inversify';
import { err, errAsync, ok, ResultAsync } from 'neverthrow';
import { type Actor, type Forbidden, requireRole } from '../../platform/actor.js';
import { MAX_PAGE_SIZE, type Page } from '../../platform/pagination.js';
import { type NotificationNotFound, notificationNotFound } from '../commands/cancel-notification.command.js';
import { type NotificationView, toNotificationView } from '../notification.view.js';
import { NotificationRepository, type NotificationStatistics } from '../ports/notification.repository.port.js';

const isAdmin = (actor: Actor) => actor.roles.includes('admin');

/** An address as it is stored: an email address lower-cased, a phone number in E.164, a token trimmed. */
function recipientFilter(value: string): string {
  for (const channel of CHANNELS) {
    const parsed = parseRecipient(channel, value);
    if (parsed.isOk()) return parsed.value;
  }
  return value.trim();
}

/** An admin reads any notification; a user only their own (anyone else’s is a 404). */
@injectable()
export class GetNotification {
  constructor(@inject(NotificationRepository) private readonly notifications: NotificationRepository) {}

  execute(actor: Actor, id: string): ResultAsync<NotificationView, NotificationNotFound> {
    return ResultAsync.fromSafePromise(this.notifications.findById(id)).andThen((notification) =>
      notification === undefined || !(isAdmin(actor) || notification.state.userId === actor.userId)
        ? err(notificationNotFound(id))
        : ok(toNotificationView(notification.state)),
    );
  }
}

export interface ListNotificationsInput {
  readonly actor: Actor;
  /** Admins only: whose (a user id) or which address. */
  readonly userId?: string | undefined;
  readonly recipient?: string | undefined;
  readonly status?: NotificationStatus | undefined;
  readonly channel?: Channel | undefined;
  readonly category?: Category | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Newest first. A user sees their own; an admin filters by recipient, status, channel, category and date. */
@injectable()
export class ListNotifications {
  constructor(@inject(NotificationRepository) private readonly notifications: NotificationRepository) {}

  execute(input: ListNotificationsInput): ResultAsync<Page<NotificationView>, Forbidden> {
    const admin = isAdmin(input.actor);
    const someoneElse = input.userId !== undefined && input.userId !== input.actor.userId;
    if (!admin && (someoneElse || input.recipient !== undefined)) {
      return errAsync({ type: 'platform.forbidden', message: 'only admins list other people’s notifications' });
    }
    const filter = {
      userId: admin ? input.userId : input.actor.userId,
      recipient: admin && input.recipient !== undefined ? recipientFilter(input.recipient) : undefined,
      status: input.status,
      channel: input.channel,
      category: input.category,
      from: input.from,
      to: input.to,
    };
    return ResultAsync.fromSafePromise(
      this.notifications.list(filter, { limit: Math.min(input.limit, MAX_PAGE_SIZE), cursor: input.cursor }),
    ).map((page) => ({ items: page.items.map((n) => toNotificationView(n.state)), nextCursor: page.nextCursor }));
  }
}

export interface NotificationStatisticsView extends NotificationStatistics {
  readonly from: Date;
  readonly to: Date;
  /** (sent + delivered) / (sent + delivered + failed): how much of what was finished got out. Null when nothing finished. */
  readonly deliveryRate: number | null;
  /** delivered / (sent + delivered + failed): confirmed by a receipt. Null when nothing finished. */
  readonly confirmedRate: number | null;
}

/** Admins: counts by status and channel per day, delivery rates, time from creation to sent. */
@injectable()
export class GetNotificationStatistics {
  constructor(@inject(NotificationRepository) private readonly notifications: NotificationRepository) {}

  execute(input: {
    readonly actor: Actor;
    readonly from: Date;
    readonly to: Date;
    readonly channel?: Channel | undefined;
  }): ResultAsync<NotificationStatisticsView, Forbidden> {
    return requireRole(input.actor, 'admin').asyncAndThen(() =>
      ResultAsync.fromSafePromise(this.notifications.statistics({ from: input.from, to: input.to, channel: input.channel })).map(
        (statistics) => {
          const { sent, delivered, failed } = statistics.totals;
          const finished = sent + delivered + failed;
          return {
            ...statistics,
            from: input.from,
            to: input.to,
            deliveryRate: finished === 0 ? null : (sent + delivered) / finished,
            confirmedRate: finished === 0 ? null : delivered / finished,
          };
        },
      ),
    );
  }
}
