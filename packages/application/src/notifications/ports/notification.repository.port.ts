import type { Category, Channel, Notification, NotificationStatus } from '@aura/domain/notifications';
import type { DomainError } from '@aura/domain/platform';
import type { Result } from 'neverthrow';
import type { Page } from '../../platform/pagination.js';

export type DeduplicationKeyTaken = DomainError<'notifications.deduplication_key_taken'>;

export interface NotificationListFilter {
  readonly userId?: string | undefined;
  /** Exact address (email lower-cased, E.164, device token). */
  readonly recipient?: string | undefined;
  readonly status?: NotificationStatus | undefined;
  readonly channel?: Channel | undefined;
  readonly category?: Category | undefined;
  /** Created at or after. */
  readonly from?: Date | undefined;
  /** Created before. */
  readonly to?: Date | undefined;
}

export interface DailyCounts {
  /** UTC day of creation, `YYYY-MM-DD`. */
  readonly day: string;
  readonly channel: Channel;
  readonly counts: Readonly<Record<NotificationStatus, number>>;
}

export interface NotificationStatistics {
  readonly days: readonly DailyCounts[];
  readonly totals: Readonly<Record<NotificationStatus, number>>;
  /** Median and 95th percentile of sentAt − createdAt over the notifications sent (null when none). */
  readonly timeToSentMs: { readonly median: number | null; readonly p95: number | null };
}

/**
 * Notifications in `notifications.notifications`, their events in the outbox in the same
 * transaction. A unique index on the de-duplication key is what makes a repeated request one
 * notification; optimistic concurrency on `version` (load, change, save once).
 */
export interface NotificationRepository {
  /** Inserts a new notification (and its events); a taken de-duplication key is an `err`, nothing written. */
  add(notification: Notification): Promise<Result<void, DeduplicationKeyTaken>>;
  /** `lock`: inside a unit of work, holds the row (FOR UPDATE) until it ends. */
  findById(id: string, options?: { readonly lock?: boolean }): Promise<Notification | undefined>;
  findByDeduplicationKey(key: string, options?: { readonly lock?: boolean }): Promise<Notification | undefined>;
  /** Writes the changes and events; throws ConcurrentNotificationModificationError if the row changed since it was loaded. */
  save(notification: Notification): Promise<void>;
  /** Newest first (ids are UUIDv7); `cursor` is the last id of the previous page. */
  list(
    filter: NotificationListFilter,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<Notification>>;
  /**
   * Pending notifications due by `dueBy` whose claim (if any) has lapsed at `now`, soonest first:
   * what the periodic sweep hands to the delivery queue. Ordered by (sendAt, id); `after` continues
   * from the last one of the previous batch.
   */
  findDue(
    dueBy: Date,
    now: Date,
    limit: number,
    after?: { readonly sendAt: Date; readonly id: string },
  ): Promise<Array<{ readonly id: string; readonly sendAt: Date }>>;
  /** Ids of a user's pending notifications (to cancel them when the account is deactivated). */
  findPendingIdsOfUser(userId: string): Promise<string[]>;
  /** Counts per UTC day (of creation) and channel, and time-to-sent percentiles, over [from, to). */
  statistics(filter: {
    readonly from: Date;
    readonly to: Date;
    readonly channel?: Channel | undefined;
  }): Promise<NotificationStatistics>;
}
export const NotificationRepository = Symbol.for('aura.notifications.NotificationRepository');

export class ConcurrentNotificationModificationError extends Error {
  override readonly name = 'ConcurrentNotificationModificationError';
  constructor(readonly notificationId: string) {
    super(`notification ${notificationId} was changed by someone else since it was loaded`);
  }
}
