import {
  CHANNELS,
  type Channel,
  NOTIFICATION_STATUSES,
  Notification,
  type NotificationState,
  type NotificationStatus,
} from '@aura/domain/notifications';
import { type DomainEvent, domainError } from '@aura/domain/platform';
import { err, ok, type Result } from 'neverthrow';
import { type Page, pageOf } from '../../platform/pagination.js';
import {
  ConcurrentNotificationModificationError,
  type DailyCounts,
  type DeduplicationKeyTaken,
  type NotificationListFilter,
  type NotificationRepository,
  type NotificationStatistics,
} from '../ports/notification.repository.port.js';

/** Where the repository hands the events notifications record (the outbox port's shape). */
export interface NotificationEventSink {
  append(module: string, events: readonly DomainEvent[]): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const date = (at: Date | null): Date | null => (at === null ? null : new Date(at));

/** A copy that shares nothing mutable (Dates and metadata included) with the original. */
const copy = (state: NotificationState): NotificationState => ({
  ...state,
  metadata: { ...state.metadata },
  sendAt: new Date(state.sendAt),
  claimedUntil: date(state.claimedUntil),
  heldUntil: date(state.heldUntil),
  createdAt: new Date(state.createdAt),
  sentAt: date(state.sentAt),
  deliveredAt: date(state.deliveredAt),
  failedAt: date(state.failedAt),
  cancelledAt: date(state.cancelledAt),
});

const byId = (a: NotificationState, b: NotificationState) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const zeroCounts = (): Record<NotificationStatus, number> =>
  Object.fromEntries(NOTIFICATION_STATUSES.map((status) => [status, 0])) as Record<NotificationStatus, number>;

/**
 * PostgreSQL's `percentile_cont(fraction)` over ascending `sorted`: linear interpolation between
 * the two rows around `fraction × (n − 1)`, computed in the same order (so the same doubles).
 */
export function percentileCont(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const first = sorted[lower] as number;
  const second = sorted[Math.ceil(position)] as number;
  return first + (position - lower) * (second - first);
}

/**
 * A NotificationRepository in a Map, with the SQL adapter's rules: one notification per
 * de-duplication key, optimistic concurrency on `version` (a save of a stale copy throws),
 * lists newest first by id, the sweep's (sendAt, id) order, statistics by UTC day. Every event
 * an added or saved notification recorded is appended to `published` and, when given, to
 * `outbox`. `lock` has nothing to lock here.
 */
export class InMemoryNotificationRepository implements NotificationRepository {
  readonly #notifications = new Map<string, NotificationState>();
  /** Every event added and saved notifications recorded, in order. */
  readonly published: DomainEvent[] = [];

  constructor(private readonly outbox?: NotificationEventSink) {}

  async add(notification: Notification): Promise<Result<void, DeduplicationKeyTaken>> {
    const state = notification.state;
    if (state.deduplicationKey !== null && this.#byDeduplicationKey(state.deduplicationKey) !== undefined) {
      return err(
        domainError('notifications.deduplication_key_taken', 'a notification with this de-duplication key already exists', {
          field: 'deduplicationKey',
        }),
      );
    }
    if (this.#notifications.has(state.id)) throw new Error(`notification ${state.id} already exists`);
    this.#notifications.set(state.id, copy(state));
    await this.#publish(notification.pullEvents());
    return ok(undefined);
  }

  async findById(id: string): Promise<Notification | undefined> {
    const state = this.#notifications.get(id.toLowerCase());
    return state === undefined ? undefined : Notification.restore(copy(state));
  }

  async findByDeduplicationKey(key: string): Promise<Notification | undefined> {
    const state = this.#byDeduplicationKey(key);
    return state === undefined ? undefined : Notification.restore(copy(state));
  }

  async save(notification: Notification): Promise<void> {
    const state = notification.state;
    const stored = this.#notifications.get(state.id);
    if (stored === undefined || stored.version !== state.version) throw new ConcurrentNotificationModificationError(state.id);
    this.#notifications.set(state.id, copy({ ...state, createdAt: stored.createdAt, version: stored.version + 1 }));
    await this.#publish(notification.pullEvents());
  }

  async list(
    filter: NotificationListFilter,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<Notification>> {
    // A malformed cursor matches nothing, as in SQL (where it is not a uuid).
    if (page.cursor !== undefined && !UUID.test(page.cursor)) return { items: [], nextCursor: null };
    const cursor = page.cursor?.toLowerCase();
    const userId = filter.userId?.toLowerCase();
    const matching = [...this.#notifications.values()]
      .filter(
        (n) =>
          (userId === undefined || n.userId === userId) &&
          (filter.recipient === undefined || n.recipient === filter.recipient) &&
          (filter.status === undefined || n.status === filter.status) &&
          (filter.channel === undefined || n.channel === filter.channel) &&
          (filter.category === undefined || n.category === filter.category) &&
          (filter.from === undefined || n.createdAt >= filter.from) &&
          (filter.to === undefined || n.createdAt < filter.to) &&
          (cursor === undefined || n.id < cursor),
      )
      .sort((a, b) => byId(b, a));
    return pageOf(matching, page.limit, (state) => Notification.restore(copy(state)));
  }

  async findDue(
    dueBy: Date,
    now: Date,
    limit: number,
    after?: { readonly sendAt: Date; readonly id: string },
  ): Promise<Array<{ readonly id: string; readonly sendAt: Date }>> {
    const key = (n: { sendAt: Date; id: string }) => [n.sendAt.getTime(), n.id] as const;
    const compare = (a: { sendAt: Date; id: string }, b: { sendAt: Date; id: string }) => {
      const [aAt, aId] = key(a);
      const [bAt, bId] = key(b);
      return aAt === bAt ? (aId < bId ? -1 : aId > bId ? 1 : 0) : aAt - bAt;
    };
    return [...this.#notifications.values()]
      .filter(
        (n) =>
          n.status === 'pending' &&
          n.sendAt <= dueBy &&
          (n.claimedUntil === null || n.claimedUntil <= now) &&
          (after === undefined || compare(n, { sendAt: after.sendAt, id: after.id.toLowerCase() }) > 0),
      )
      .sort(compare)
      .slice(0, limit)
      .map((n) => ({ id: n.id, sendAt: new Date(n.sendAt) }));
  }

  async findPendingIdsOfUser(userId: string): Promise<string[]> {
    const wanted = userId.toLowerCase();
    return [...this.#notifications.values()]
      .filter((n) => n.userId === wanted && n.status === 'pending')
      .sort(byId)
      .map((n) => n.id);
  }

  async statistics(filter: {
    readonly from: Date;
    readonly to: Date;
    readonly channel?: Channel | undefined;
  }): Promise<NotificationStatistics> {
    const inPeriod = [...this.#notifications.values()].filter(
      (n) =>
        n.createdAt >= filter.from && n.createdAt < filter.to && (filter.channel === undefined || n.channel === filter.channel),
    );
    const totals = zeroCounts();
    const byDay = new Map<string, DailyCounts & { counts: Record<NotificationStatus, number> }>();
    for (const n of inPeriod) {
      const day = n.createdAt.toISOString().slice(0, 10);
      const key = `${day} ${n.channel}`;
      let entry = byDay.get(key);
      if (entry === undefined) {
        entry = { day, channel: n.channel, counts: zeroCounts() };
        byDay.set(key, entry);
      }
      entry.counts[n.status] += 1;
      totals[n.status] += 1;
    }
    const days = [...byDay.values()].sort((a, b) =>
      a.day === b.day ? CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel) : a.day < b.day ? -1 : 1,
    );
    const timesToSent = inPeriod
      .flatMap((n) => (n.sentAt === null ? [] : [n.sentAt.getTime() - n.createdAt.getTime()]))
      .sort((a, b) => a - b);
    return {
      days,
      totals,
      timeToSentMs: { median: percentileCont(timesToSent, 0.5), p95: percentileCont(timesToSent, 0.95) },
    };
  }

  #byDeduplicationKey(key: string): NotificationState | undefined {
    for (const state of this.#notifications.values()) if (state.deduplicationKey === key) return state;
    return undefined;
  }

  async #publish(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.published.push(...events);
    await this.outbox?.append('notifications', events);
  }
}
