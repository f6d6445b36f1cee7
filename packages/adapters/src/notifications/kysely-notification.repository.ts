import {
  ConcurrentNotificationModificationError,
  type DailyCounts,
  type DeduplicationKeyTaken,
  type NotificationListFilter,
  type NotificationRepository,
  type NotificationStatistics,
} from '@aura/application/notifications';
import { Outbox, type Page, pageOf } from '@aura/application/platform';
import {
  CHANNELS,
  type Channel,
  NOTIFICATION_STATUSES,
  Notification,
  type NotificationState,
  type NotificationStatus,
} from '@aura/domain/notifications';
import { domainError } from '@aura/domain/platform';
import { inject, injectable } from 'inversify';
import { type ExpressionBuilder, sql } from 'kysely';
import { err, ok, type Result } from 'neverthrow';
import { TransactionManager } from '../platform/db/transactions.js';
import type { NotificationRow, NotificationsDb } from './notifications.tables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function deduplicationKeyTaken(): DeduplicationKeyTaken {
  return domainError('notifications.deduplication_key_taken', 'a notification with this de-duplication key already exists', {
    field: 'deduplicationKey',
  });
}

function toState(row: NotificationRow): NotificationState {
  return {
    id: row.id,
    userId: row.user_id,
    channel: row.channel,
    recipient: row.recipient,
    subject: row.subject,
    message: row.message,
    html: row.html,
    category: row.category,
    priority: row.priority,
    status: row.status,
    metadata: row.metadata,
    templateKey: row.template_key,
    locale: row.locale,
    deduplicationKey: row.deduplication_key,
    sendAt: row.send_at,
    attempts: row.attempts,
    lastError: row.last_error,
    claimedUntil: row.claimed_until,
    heldUntil: row.held_until,
    providerMessageId: row.provider_message_id,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    failedAt: row.failed_at,
    cancelledAt: row.cancelled_at,
    version: row.version,
  };
}

/** The columns a save may change (everything but the id, the creation time and the version). */
function changeableColumns(state: NotificationState) {
  return {
    user_id: state.userId,
    channel: state.channel,
    recipient: state.recipient,
    subject: state.subject,
    message: state.message,
    html: state.html,
    category: state.category,
    priority: state.priority,
    status: state.status,
    metadata: JSON.stringify(state.metadata),
    template_key: state.templateKey,
    locale: state.locale,
    deduplication_key: state.deduplicationKey,
    send_at: state.sendAt,
    attempts: state.attempts,
    last_error: state.lastError,
    claimed_until: state.claimedUntil,
    held_until: state.heldUntil,
    provider_message_id: state.providerMessageId,
    sent_at: state.sentAt,
    delivered_at: state.deliveredAt,
    failed_at: state.failedAt,
    cancelled_at: state.cancelledAt,
  };
}

const zeroCounts = (): Record<NotificationStatus, number> =>
  Object.fromEntries(NOTIFICATION_STATUSES.map((status) => [status, 0])) as Record<NotificationStatus, number>;

type Table = ExpressionBuilder<NotificationsDb, 'notifications.notifications'>;

/**
 * Notifications in `notifications.notifications`, their events in the outbox in the same
 * transaction. A repeated de-duplication key is decided by the partial unique index through
 * `ON CONFLICT … DO NOTHING`: no statement fails, so a caller's transaction stays usable.
 * Optimistic concurrency on `version`: load, change, save once.
 */
@injectable()
export class KyselyNotificationRepository implements NotificationRepository {
  constructor(
    @inject(TransactionManager) private readonly transactions: TransactionManager,
    @inject(Outbox) private readonly outbox: Outbox,
  ) {}

  private get db() {
    return this.transactions.executor<NotificationsDb>();
  }

  async add(notification: Notification): Promise<Result<void, DeduplicationKeyTaken>> {
    const state = notification.state;
    const added = await this.transactions.join(async () => {
      const inserted = await this.db
        .insertInto('notifications.notifications')
        .values({ id: state.id, created_at: state.createdAt, version: state.version, ...changeableColumns(state) })
        // The arbiter is the partial index notifications_deduplication_key: its predicate is named too.
        .onConflict((oc) => oc.column('deduplication_key').where('deduplication_key', 'is not', null).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted === undefined) return false;
      await this.outbox.append('notifications', notification.pullEvents());
      return true;
    });
    return added ? ok(undefined) : err(deduplicationKeyTaken());
  }

  async findById(id: string, options: { readonly lock?: boolean } = {}): Promise<Notification | undefined> {
    // Not an id at all (a path parameter, a receipt's claim): none, rather than a cast error.
    if (!UUID.test(id)) return undefined;
    return this.#findOne('id', id, options.lock === true);
  }

  findByDeduplicationKey(key: string, options: { readonly lock?: boolean } = {}): Promise<Notification | undefined> {
    return this.#findOne('deduplication_key', key, options.lock === true);
  }

  async #findOne(column: 'id' | 'deduplication_key', value: string, lock: boolean): Promise<Notification | undefined> {
    let query = this.db.selectFrom('notifications.notifications').selectAll().where(column, '=', value);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : Notification.restore(toState(row));
  }

  async save(notification: Notification): Promise<void> {
    const state = notification.state;
    await this.transactions.join(async () => {
      const result = await this.db
        .updateTable('notifications.notifications')
        .set({ ...changeableColumns(state), version: sql<number>`version + 1` })
        .where('id', '=', state.id)
        .where('version', '=', state.version)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new ConcurrentNotificationModificationError(state.id);
      await this.outbox.append('notifications', notification.pullEvents());
    });
  }

  async list(
    filter: NotificationListFilter,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<Notification>> {
    // A malformed user id or cursor matches nothing (rather than a cast error).
    if ((filter.userId !== undefined && !UUID.test(filter.userId)) || (page.cursor !== undefined && !UUID.test(page.cursor))) {
      return { items: [], nextCursor: null };
    }
    let query = this.db
      .selectFrom('notifications.notifications')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(page.limit + 1);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.recipient !== undefined) {
      // md5: what notifications_recipient_idx holds (a push token is too long for a btree entry).
      query = query
        .where(sql<string>`md5(recipient)`, '=', sql<string>`md5(${filter.recipient})`)
        .where('recipient', '=', filter.recipient);
    }
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
    if (filter.category !== undefined) query = query.where('category', '=', filter.category);
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
    if (page.cursor !== undefined) query = query.where('id', '<', page.cursor);
    const rows = await query.execute();
    return pageOf(rows, page.limit, (row) => Notification.restore(toState(row)));
  }

  async findDue(
    dueBy: Date,
    now: Date,
    limit: number,
    after?: { readonly sendAt: Date; readonly id: string },
  ): Promise<Array<{ readonly id: string; readonly sendAt: Date }>> {
    let query = this.db
      .selectFrom('notifications.notifications')
      .select(['id', 'send_at'])
      .where('status', '=', 'pending')
      .where('send_at', '<=', dueBy)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
      .orderBy('send_at')
      .orderBy('id')
      .limit(limit);
    if (after !== undefined) {
      query = query.where((eb) => eb(eb.refTuple('send_at', 'id'), '>', eb.tuple(after.sendAt, after.id)));
    }
    const rows = await query.execute();
    return rows.map((row) => ({ id: row.id, sendAt: row.send_at }));
  }

  async findPendingIdsOfUser(userId: string): Promise<string[]> {
    if (!UUID.test(userId)) return [];
    const rows = await this.db
      .selectFrom('notifications.notifications')
      .select('id')
      .where('user_id', '=', userId)
      .where('status', '=', 'pending')
      .orderBy('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async statistics(filter: {
    readonly from: Date;
    readonly to: Date;
    readonly channel?: Channel | undefined;
  }): Promise<NotificationStatistics> {
    const period = (eb: Table) =>
      eb.and([
        eb('created_at', '>=', filter.from),
        eb('created_at', '<', filter.to),
        ...(filter.channel === undefined ? [] : [eb('channel', '=', filter.channel)]),
      ]);
    const day = sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    const groups = await this.db
      .selectFrom('notifications.notifications')
      .select([day.as('day'), 'channel', 'status', sql<number>`count(*)::int`.as('count')])
      .where(period)
      .groupBy([day, 'channel', 'status'])
      .execute();
    const timeToSent = sql`extract(epoch from sent_at - created_at) * 1000`;
    const percentiles = await this.db
      .selectFrom('notifications.notifications')
      .select([
        sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${timeToSent})`.as('median'),
        sql<number | null>`percentile_cont(0.95) WITHIN GROUP (ORDER BY ${timeToSent})`.as('p95'),
      ])
      .where(period)
      .where('sent_at', 'is not', null)
      .executeTakeFirstOrThrow();

    const totals = zeroCounts();
    const byDay = new Map<string, DailyCounts & { counts: Record<NotificationStatus, number> }>();
    for (const group of groups) {
      const key = `${group.day} ${group.channel}`;
      let entry = byDay.get(key);
      if (entry === undefined) {
        entry = { day: group.day, channel: group.channel, counts: zeroCounts() };
        byDay.set(key, entry);
      }
      entry.counts[group.status] += group.count;
      totals[group.status] += group.count;
    }
    const days = [...byDay.values()].sort((a, b) =>
      a.day === b.day ? CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel) : a.day < b.day ? -1 : 1,
    );
    return { days, totals, timeToSentMs: { median: percentiles.median, p95: percentiles.p95 } };
  }
}
