/**
 * The behaviour every NotificationRepository must have, run against the in-memory repository,
 * PGlite and PostgreSQL (not optional: without it the suite fails).
 */
import {
  ConcurrentNotificationModificationError,
  InMemoryNotificationRepository,
  type NotificationListFilter,
  type NotificationRepository,
} from '@aura/application/notifications';
import {
  type Category,
  type Channel,
  Notification,
  type NotificationState,
  type NotificationStatus,
} from '@aura/domain/notifications';
import { type NotificationCommand, newNotificationArbitrary, notificationCommandsArbitrary } from '@aura/domain/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { KyselyNotificationRepository } from '../../src/notifications/kysely-notification.repository.js';
import * as notificationsInitial from '../../src/notifications/migrations/2026_11_23_000000_notifications_initial.js';
import * as notificationsHeldUntil from '../../src/notifications/migrations/2026_12_04_000000_notifications_held_until.js';
import {
  at,
  contractTargets,
  ids,
  notificationState,
  requested,
  sleep,
  useContractTarget,
} from './notifications-test-support.js';

interface Harness {
  readonly repo: NotificationRepository;
  /** Events handed to the outbox so far, in order, with the module that published them. */
  events(): Promise<Array<{ type: string; aggregateId: string; module: string }>>;
  /** Runs `work` in a unit of work of its own (SQL), or just runs it (in memory). */
  unitOfWork<T>(work: () => Promise<T>): Promise<T>;
}

const targets = contractTargets<Harness>({
  inMemory: () => {
    const appended: Array<{ type: string; aggregateId: string; module: string }> = [];
    const repo = new InMemoryNotificationRepository({
      append: async (module, events) =>
        void appended.push(...events.map((e) => ({ type: e.type, aggregateId: e.aggregateId, module }))),
    });
    return {
      repo,
      events: async () => {
        // What the outbox received is what the repository kept.
        expect(repo.published.map((e) => ({ type: e.type, aggregateId: e.aggregateId }))).toEqual(
          appended.map(({ type, aggregateId }) => ({ type, aggregateId })),
        );
        return [...appended];
      },
      unitOfWork: (work) => work(),
    };
  },
  sql: (database) => ({
    repo: new KyselyNotificationRepository(database.transactions, database.outbox),
    events: async () =>
      (await database.outboxEvents()).map(({ type, aggregateId, sourceModule }) => ({ type, aggregateId, module: sourceModule })),
    unitOfWork: (work) => database.transactions.transaction(work),
  }),
});

const queued = (id: string) => ({ type: 'notification.queued', aggregateId: id, module: 'notifications' });

/** PostgreSQL cannot store U+0000 in text: the domain lets it through (see the report). */
const storable = (text: string | null) => text === null || !text.includes('\u0000');

/** A push device token of `length` printable characters that does not compress (a linear congruential sequence). */
function deviceToken(length: number, seed: number): string {
  let x = seed;
  return Array.from({ length }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return String.fromCharCode(0x21 + (x % 94));
  }).join('');
}

/** Applies `commands` as the delivery pipeline would, ignoring refused transitions. */
function apply(notification: Notification, commands: readonly NotificationCommand[], start: Date): void {
  let now = start.getTime();
  for (const command of commands) {
    now += command.afterMs;
    const when = new Date(now);
    switch (command.kind) {
      case 'startAttempt':
        notification.startAttempt(when, new Date(now + command.leaseMs));
        break;
      case 'attemptFailed':
        notification.attemptFailed(command.error);
        break;
      case 'holdUntil':
        notification.holdUntil(new Date(now + command.forMs));
        break;
      case 'markSent':
        notification.markSent(when, command.providerMessageId);
        break;
      case 'markDelivered':
        notification.markDelivered(when);
        break;
      case 'markFailed':
        notification.markFailed(command.error, when);
        break;
      case 'cancel':
        notification.cancel(command.reason, when);
        break;
    }
  }
}

describe.each(targets)('NotificationRepository contract: $name', (target) => {
  let repo: NotificationRepository;
  let events: Harness['events'];
  let unitOfWork: Harness['unitOfWork'];
  const backEnd = useContractTarget(target, (fresh) => {
    ({ repo, events, unitOfWork } = fresh);
  });

  const add = async (notification: Notification) => (await repo.add(notification))._unsafeUnwrap();
  const load = async (id: string, options?: { lock?: boolean }) => {
    const found = await repo.findById(id, options);
    if (found === undefined) throw new Error(`notification ${id} not found`);
    return found;
  };

  describe('round trip', () => {
    it('returns every field of an added notification as it was (values, dates, json, unicode)', async () => {
      const full = notificationState({
        userId: ids.next(),
        channel: 'email',
        recipient: 'zoë.lópez@exämple.com',
        subject: "Grüße — 📅 李 “quoted” 'single' \\ %s $1",
        message: 'Olá! 𝔸 naïve text\nwith a new line\tand a tab; \u00a0non-breaking; emoji 👩‍⚕️',
        html: '<p>Olá &amp; <b>📅</b></p>',
        category: 'transactional',
        priority: 'critical',
        status: 'failed',
        metadata: {
          appointmentId: ids.next(),
          attempt: 3,
          big: 1_234_567_890_123,
          ratio: 0.1,
          negative: -7,
          urgent: true,
          off: false,
          note: null,
          text: 'ünï 📅 "q"',
        },
        templateKey: 'therapy.reminder',
        locale: 'pt-BR',
        deduplicationKey: 'therapy:reminder:42:ü',
        sendAt: at('2026-11-23T10:11:12.345Z'),
        attempts: 4,
        lastError: 'smtp 451 try later — ü',
        claimedUntil: at('2026-11-23T10:12:12.001Z'),
        heldUntil: at('2026-11-23T10:11:12.345Z'),
        providerMessageId: 'provider-message-123',
        createdAt: at('2026-11-23T09:00:00.999Z'),
        sentAt: at('2026-11-23T10:11:13.002Z'),
        deliveredAt: at('2026-11-23T10:11:14.003Z'),
        failedAt: at('2026-11-23T10:11:15.004Z'),
        cancelledAt: at('2026-11-23T10:11:16.005Z'),
        version: 7,
      });
      const bare = notificationState({ userId: null, channel: 'sms', recipient: '+4915112345678', subject: null });
      await add(Notification.restore(full));
      await add(Notification.restore(bare));

      const found = await load(full.id);
      expect(found).toBeInstanceOf(Notification);
      expect(found.state).toEqual(full);
      expect(found.state.sendAt.getTime()).toBe(full.sendAt.getTime());
      expect(found.state.claimedUntil?.getTime()).toBe(full.claimedUntil?.getTime());
      expect(found.state.metadata).toStrictEqual(full.metadata);
      expect((await load(bare.id)).state).toEqual(bare);
      expect((await repo.findByDeduplicationKey('therapy:reminder:42:ü'))?.state).toEqual(full);
      // A loaded notification has recorded nothing.
      expect(found.pullEvents()).toEqual([]);
      // Restored notifications recorded nothing to publish.
      expect(await events()).toEqual([]);
    });

    it('returns a requested notification as it was, for any valid request', async () => {
      await fc.assert(
        fc.asyncProperty(newNotificationArbitrary(), async (input) => {
          fc.pre([input.subject, input.message].every(storable));
          const id = ids.next();
          // Unique per run: runs share the database.
          const deduplicationKey = input.deduplicationKey == null ? null : `${input.deduplicationKey}#${id}`;
          const notification = requested({ ...input, id, deduplicationKey }, at('2026-11-23T09:00:00.123Z'));
          const state = notification.state;
          await add(notification);
          expect((await load(id)).state).toEqual(state);
          if (deduplicationKey !== null) expect((await repo.findByDeduplicationKey(deduplicationKey))?.id).toBe(id);
        }),
        { numRuns: 40 },
      );
    });

    it('keeps every change a notification went through, for any sequence of steps', async () => {
      await fc.assert(
        fc.asyncProperty(notificationCommandsArbitrary, async (commands) => {
          const notification = requested({ category: 'security' });
          await add(notification);
          const loaded = await load(notification.id, { lock: true });
          apply(loaded, commands, at('2026-11-23T09:00:01Z'));
          const changed = loaded.state;
          const recorded = loaded.pullEvents();
          // Pulling the events emptied that copy: the same steps on a fresh one, to save with its events.
          const again = await load(notification.id);
          apply(again, commands, at('2026-11-23T09:00:01Z'));
          expect(again.state).toEqual(changed);
          await repo.save(again);
          expect((await load(notification.id)).state).toEqual({ ...changed, version: 1 });
          const published = (await events()).filter((e) => e.aggregateId === notification.id).map((e) => e.type);
          expect(published).toEqual(['notification.queued', ...recorded.map((e) => e.type)]);
        }),
        { numRuns: 30 },
      );
    });

    it('stores and finds by the longest push token (4096 characters: more than a btree entry holds)', async () => {
      const token = deviceToken(4096, 1);
      const notification = requested({ channel: 'push', recipient: token, subject: null, message: 'Open the app for details' });
      const another = requested({ channel: 'push', recipient: deviceToken(4096, 2), subject: null, message: 'Open the app' });
      await add(notification);
      await add(another);
      expect((await load(notification.id)).state.recipient).toBe(token);
      expect((await repo.list({ recipient: token }, { limit: 10 })).items.map((n) => n.id)).toEqual([notification.id]);
    });

    it('finds nothing for an unknown or malformed id, or an unknown de-duplication key', async () => {
      await add(requested({ deduplicationKey: 'known' }));
      expect(await repo.findById(ids.next())).toBeUndefined();
      expect(await repo.findById('not-a-uuid')).toBeUndefined();
      expect(await repo.findById('not-a-uuid', { lock: true })).toBeUndefined();
      expect(await repo.findByDeduplicationKey('unknown')).toBeUndefined();
      expect(await repo.findByDeduplicationKey('KNOWN')).toBeUndefined();
    });

    it('finds a notification by its id in capitals too (a uuid is case-insensitive)', async () => {
      const notification = requested();
      await add(notification);
      expect((await repo.findById(notification.id.toUpperCase()))?.id).toBe(notification.id);
    });
  });

  describe('add', () => {
    it('appends the events of an added notification under the notifications module', async () => {
      const notification = requested({ deduplicationKey: 'first' });
      await add(notification);
      expect(await events()).toEqual([queued(notification.id)]);
      // They were pulled: the aggregate holds nothing more to publish.
      expect(notification.pullEvents()).toEqual([]);
    });

    it('refuses a taken de-duplication key as notifications.deduplication_key_taken, writing nothing', async () => {
      const first = requested({ deduplicationKey: 'welcome:user-1' });
      await add(first);
      const second = requested({ deduplicationKey: 'welcome:user-1', message: 'Another text' });
      const result = await repo.add(second);
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'notifications.deduplication_key_taken',
        message: 'a notification with this de-duplication key already exists',
        details: { field: 'deduplicationKey' },
      });
      expect(await repo.findById(second.id)).toBeUndefined();
      expect((await repo.findByDeduplicationKey('welcome:user-1'))?.id).toBe(first.id);
      expect(await events()).toEqual([queued(first.id)]);
      // The refused notification still holds its events (nothing was published).
      expect(second.pullEvents().map((e) => e.type)).toEqual(['notification.queued']);
    });

    it('lets any number of notifications without a de-duplication key through', async () => {
      const many = [requested(), requested(), requested()];
      for (const notification of many) await add(notification);
      expect((await repo.list({}, { limit: 10 })).items).toHaveLength(3);
    });

    it('lets exactly one of 20 concurrent adds of one de-duplication key through, each in its own unit of work', async () => {
      const contenders = Array.from({ length: 20 }, () => requested({ deduplicationKey: 'crowd' }));
      const results = await Promise.all(contenders.map((n) => unitOfWork(() => repo.add(n))));
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      const refused = results.filter((r) => r.isErr()).map((r) => r._unsafeUnwrapErr());
      expect(refused).toHaveLength(19);
      for (const error of refused) expect(error).toMatchObject({ type: 'notifications.deduplication_key_taken' });
      const winner = contenders[results.findIndex((r) => r.isOk())] as Notification;
      expect((await repo.findByDeduplicationKey('crowd'))?.id).toBe(winner.id);
      expect((await repo.list({}, { limit: 100 })).items.map((n) => n.id)).toEqual([winner.id]);
      expect(await events()).toEqual([queued(winner.id)]);
    });

    it('throws (a bug, not an outcome) when the id is taken', async () => {
      const notification = requested();
      await add(notification);
      await expect(repo.add(Notification.restore(notificationState({ id: notification.id })))).rejects.toThrow();
      expect((await load(notification.id)).state).toEqual(notification.state);
    });
  });

  describe('save', () => {
    it('saves the changes, bumps the version and appends the events; a stale copy throws', async () => {
      const notification = requested();
      await add(notification);
      const mine = await load(notification.id, { lock: true });
      const theirs = await load(notification.id);
      expect(mine.state.version).toBe(0);

      mine.startAttempt(at('2026-11-23T09:01:00Z'), at('2026-11-23T09:02:00Z'))._unsafeUnwrap();
      mine.markSent(at('2026-11-23T09:01:01.5Z'), 'provider-1')._unsafeUnwrap();
      await repo.save(mine);
      expect((await load(notification.id)).state).toEqual({ ...mine.state, version: 1 });
      // The aggregate keeps the version it was loaded with: load, change, save once.
      expect(mine.state.version).toBe(0);
      expect(await events()).toEqual([
        queued(notification.id),
        { type: 'notification.sent', aggregateId: notification.id, module: 'notifications' },
      ]);

      theirs.cancel('withdrawn', at('2026-11-23T09:01:02Z'))._unsafeUnwrap();
      const stale = repo.save(theirs);
      await expect(stale).rejects.toBeInstanceOf(ConcurrentNotificationModificationError);
      await expect(stale).rejects.toMatchObject({ notificationId: notification.id });
      expect((await load(notification.id)).state).toMatchObject({ status: 'sent', version: 1 });
      // The refused save appended nothing.
      expect(await events()).toHaveLength(2);

      const reloaded = await load(notification.id);
      reloaded.markDelivered(at('2026-11-23T09:05:00Z'))._unsafeUnwrap();
      await repo.save(reloaded);
      expect((await load(notification.id)).state).toMatchObject({
        status: 'delivered',
        deliveredAt: at('2026-11-23T09:05:00Z'),
        version: 2,
      });
    });

    it('appends nothing for a save with nothing recorded', async () => {
      const notification = requested();
      await add(notification);
      const loaded = await load(notification.id);
      loaded.startAttempt(at('2026-11-23T09:01:00Z'), at('2026-11-23T09:02:00Z'))._unsafeUnwrap();
      await repo.save(loaded);
      expect(await events()).toEqual([queued(notification.id)]);
      expect((await load(notification.id)).state).toMatchObject({
        attempts: 1,
        claimedUntil: at('2026-11-23T09:02:00Z'),
        version: 1,
      });
    });

    it('refuses to save a notification that was never added', async () => {
      await expect(repo.save(Notification.restore(notificationState()))).rejects.toBeInstanceOf(
        ConcurrentNotificationModificationError,
      );
    });
  });

  describe('list', () => {
    const U1 = '01900000-0000-7000-8000-000000000001';
    const U2 = '01900000-0000-7000-8000-000000000002';
    type Row = [string | null, string, NotificationStatus, Channel, Category, string];
    const population: Row[] = [
      [U1, 'a@example.com', 'pending', 'email', 'reminder', '2026-11-20T10:00:00.000Z'],
      [U2, 'b@example.com', 'sent', 'email', 'transactional', '2026-11-20T11:00:00.000Z'],
      [U1, '+4915112345678', 'delivered', 'sms', 'reminder', '2026-11-21T00:00:00.000Z'],
      [null, 'c@example.com', 'failed', 'email', 'announcement', '2026-11-21T09:00:00.000Z'],
      [U1, 'a@example.com', 'cancelled', 'email', 'security', '2026-11-21T12:00:00.000Z'],
      [U2, '+4915112345678', 'pending', 'sms', 'reminder', '2026-11-22T00:00:00.000Z'],
      [U1, 'device-token-0123456789', 'sent', 'push', 'reminder', '2026-11-22T08:00:00.000Z'],
      [U1, 'a@example.com', 'pending', 'email', 'transactional', '2026-11-22T09:00:00.000Z'],
      [null, 'b@example.com', 'pending', 'email', 'security', '2026-11-23T00:00:00.000Z'],
      [U2, 'b@example.com', 'delivered', 'email', 'reminder', '2026-11-23T10:00:00.000Z'],
    ];
    let all: NotificationState[];

    beforeEach(async () => {
      all = population.map(([userId, recipient, status, channel, category, createdAt]) =>
        notificationState({ userId, recipient, status, channel, category, createdAt: at(createdAt) }),
      );
      // Added out of order: the list is ordered by id, not by insertion.
      for (const state of [all[3], all[0], all[9], all[5], all[1], all[8], all[2], all[7], all[4], all[6]]) {
        await add(Notification.restore(state as NotificationState));
      }
    });

    const newestFirst = (states: NotificationState[]) => [...states].sort((a, b) => (a.id < b.id ? 1 : -1));

    async function pages(filter: NotificationListFilter, limit: number) {
      const seen: NotificationState[][] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page += 1) {
        const result = await repo.list(filter, { limit, cursor });
        seen.push(result.items.map((n) => n.state));
        if (result.nextCursor === null) return seen;
        expect(result.nextCursor).toBe(result.items.at(-1)?.id);
        cursor = result.nextCursor;
      }
      throw new Error('paging did not end');
    }

    it('returns every notification newest first, one page at a time, without duplicates or gaps', async () => {
      const seen = await pages({}, 3);
      expect(seen.map((p) => p.length)).toEqual([3, 3, 3, 1]);
      expect(seen.flat()).toEqual(newestFirst(all));
      expect(new Set(seen.flat().map((n) => n.id)).size).toBe(10);
    });

    it('ends with a null cursor when the last page is exactly full', async () => {
      const seen = await pages({}, 5);
      expect(seen.map((p) => p.length)).toEqual([5, 5]);
      expect(seen.flat().map((n) => n.id)).toEqual(newestFirst(all).map((n) => n.id));
    });

    it('filters by user, recipient, status, channel, category and creation period, alone and together', async () => {
      const filters: NotificationListFilter[] = [
        { userId: U1 },
        { userId: U2.toUpperCase() },
        { recipient: 'a@example.com' },
        { recipient: '+4915112345678' },
        { status: 'pending' },
        { channel: 'sms' },
        { category: 'security' },
        { from: at('2026-11-21T00:00:00.000Z') },
        { to: at('2026-11-22T00:00:00.000Z') },
        { from: at('2026-11-21T00:00:00.000Z'), to: at('2026-11-22T00:00:00.000Z') },
        { userId: U1, status: 'pending', channel: 'email' },
        { userId: U1, category: 'reminder', from: at('2026-11-20T10:00:00.001Z') },
        { recipient: 'b@example.com', status: 'delivered', category: 'reminder', to: at('2026-11-24T00:00:00.000Z') },
      ];
      for (const filter of filters) {
        const expected = all.filter(
          (n) =>
            (filter.userId === undefined || n.userId === filter.userId.toLowerCase()) &&
            (filter.recipient === undefined || n.recipient === filter.recipient) &&
            (filter.status === undefined || n.status === filter.status) &&
            (filter.channel === undefined || n.channel === filter.channel) &&
            (filter.category === undefined || n.category === filter.category) &&
            (filter.from === undefined || n.createdAt >= filter.from) &&
            (filter.to === undefined || n.createdAt < filter.to),
        );
        expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(0);
        expect((await pages(filter, 2)).flat(), JSON.stringify(filter)).toEqual(newestFirst(expected));
      }
      // From is inclusive, to exclusive.
      expect((await pages({ from: at('2026-11-22T00:00:00.000Z'), to: at('2026-11-22T08:00:00.000Z') }, 5)).flat()).toEqual([
        all[5],
      ]);
    });

    it('returns an empty last page when nothing matches, or the cursor or user id is not an id', async () => {
      const empty = { items: [], nextCursor: null };
      expect(await repo.list({ userId: U1, channel: 'push', status: 'pending' }, { limit: 10 })).toEqual(empty);
      expect(await repo.list({ userId: ids.next() }, { limit: 10 })).toEqual(empty);
      expect(await repo.list({ userId: 'nobody' }, { limit: 10 })).toEqual(empty);
      expect(await repo.list({}, { limit: 10, cursor: 'not-a-cursor' })).toEqual(empty);
      // The oldest id as a cursor: nothing older.
      const oldest = newestFirst(all).at(-1) as NotificationState;
      expect(await repo.list({}, { limit: 10, cursor: oldest.id })).toEqual(empty);
      // A cursor in capitals is the same cursor.
      const newest = newestFirst(all)[0] as NotificationState;
      expect((await repo.list({}, { limit: 1, cursor: newest.id.toUpperCase() })).items.map((n) => n.id)).toEqual([
        newestFirst(all)[1]?.id,
      ]);
    });
  });

  describe('findDue', () => {
    const now = at('2026-11-23T12:00:00.000Z');
    const dueBy = at('2026-11-23T12:01:00.000Z');
    const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
    let due: Record<string, NotificationState>;

    beforeEach(async () => {
      const tie = minutes(-1);
      const [tieFirst, tieSecond] = [ids.next(), ids.next()];
      due = {
        lapsedLongAgo: notificationState({ sendAt: minutes(-20), claimedUntil: new Date(now.getTime() - 1_000), attempts: 1 }),
        unclaimed: notificationState({ sendAt: minutes(-10) }),
        lapsedNow: notificationState({ sendAt: minutes(-5), claimedUntil: now, attempts: 1 }),
        tieFirst: notificationState({ id: tieFirst, sendAt: tie }),
        tieSecond: notificationState({ id: tieSecond, sendAt: tie }),
        atDueBy: notificationState({ sendAt: dueBy }),
      };
      const notDue = [
        notificationState({ sendAt: new Date(dueBy.getTime() + 1) }),
        notificationState({ sendAt: minutes(-5), claimedUntil: new Date(now.getTime() + 30_000), attempts: 1 }),
        notificationState({ sendAt: minutes(-30), status: 'sent', sentAt: minutes(-29) }),
        notificationState({ sendAt: minutes(-30), status: 'cancelled', cancelledAt: minutes(-29) }),
        notificationState({ sendAt: minutes(-30), status: 'failed', failedAt: minutes(-29) }),
        notificationState({ sendAt: minutes(-30), status: 'delivered', sentAt: minutes(-29), deliveredAt: minutes(-28) }),
      ];
      // Inserted in reverse id order, the tie's second first: the order comes from the query.
      for (const state of [...notDue, ...Object.values(due)].reverse()) await add(Notification.restore(state));
    });

    const entry = (state: NotificationState) => ({ id: state.id, sendAt: state.sendAt });

    it('returns the pending ones due by then whose claim has lapsed, by send time then id', async () => {
      expect(await repo.findDue(dueBy, now, 100)).toEqual(
        [due.lapsedLongAgo, due.unclaimed, due.lapsedNow, due.tieFirst, due.tieSecond, due.atDueBy].map((s) =>
          entry(s as NotificationState),
        ),
      );
    });

    it('continues after the last one of the previous batch (send time ties broken by id)', async () => {
      const batches: Array<Array<{ id: string; sendAt: Date }>> = [];
      let after: { sendAt: Date; id: string } | undefined;
      for (let i = 0; i < 10; i += 1) {
        const batch = await repo.findDue(dueBy, now, 2, after);
        batches.push(batch);
        if (batch.length < 2) break;
        after = batch.at(-1);
      }
      expect(batches.map((b) => b.map((e) => e.id))).toEqual([
        [due.lapsedLongAgo?.id, due.unclaimed?.id],
        [due.lapsedNow?.id, due.tieFirst?.id],
        [due.tieSecond?.id, due.atDueBy?.id],
        [],
      ]);
      const tie = due.tieFirst as NotificationState;
      expect(await repo.findDue(dueBy, now, 10, { sendAt: tie.sendAt, id: tie.id })).toEqual([
        entry(due.tieSecond as NotificationState),
        entry(due.atDueBy as NotificationState),
      ]);
    });

    it('sees fewer due earlier, and a claim lapsing later', async () => {
      expect((await repo.findDue(minutes(-10), now, 100)).map((e) => e.id)).toEqual([due.lapsedLongAgo?.id, due.unclaimed?.id]);
      // 30 s later the held claim has lapsed too.
      const later = new Date(now.getTime() + 30_000);
      expect(await repo.findDue(dueBy, later, 100)).toHaveLength(7);
      expect(await repo.findDue(minutes(-60), now, 100)).toEqual([]);
    });
  });

  describe('findPendingIdsOfUser', () => {
    it('returns the ids of a user’s pending notifications only, oldest first', async () => {
      const user = ids.next();
      const other = ids.next();
      const pendingOne = notificationState({ userId: user });
      const sent = notificationState({ userId: user, status: 'sent', sentAt: at('2026-11-23T09:30:00Z') });
      const pendingTwo = notificationState({ userId: user });
      const cancelled = notificationState({ userId: user, status: 'cancelled', cancelledAt: at('2026-11-23T09:30:00Z') });
      const someoneElses = notificationState({ userId: other });
      const nobodys = notificationState({ userId: null });
      for (const state of [pendingTwo, someoneElses, cancelled, pendingOne, nobodys, sent]) {
        await add(Notification.restore(state));
      }
      expect(await repo.findPendingIdsOfUser(user)).toEqual([pendingOne.id, pendingTwo.id]);
      expect(await repo.findPendingIdsOfUser(user.toUpperCase())).toEqual([pendingOne.id, pendingTwo.id]);
      expect(await repo.findPendingIdsOfUser(other)).toEqual([someoneElses.id]);
      expect(await repo.findPendingIdsOfUser(ids.next())).toEqual([]);
      expect(await repo.findPendingIdsOfUser('not-a-uuid')).toEqual([]);
    });
  });

  describe('statistics', () => {
    const zero = { pending: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0 };
    /** createdAt, channel, status, milliseconds from creation to sent (null: never sent). */
    const rows: Array<[string, Channel, NotificationStatus, number | null]> = [
      ['2026-11-19T23:59:59.999Z', 'email', 'sent', 50], // before `from`
      ['2026-11-20T00:00:00.000Z', 'email', 'pending', null],
      ['2026-11-20T08:00:00.000Z', 'email', 'sent', 1_000],
      ['2026-11-20T09:00:00.000Z', 'email', 'delivered', 2_000],
      ['2026-11-20T10:00:00.000Z', 'sms', 'failed', null],
      ['2026-11-20T23:30:00.000Z', 'sms', 'sent', 250], // the 20th in UTC, the 21st in Paris
      ['2026-11-21T01:00:00.000Z', 'push', 'cancelled', null],
      ['2026-11-21T02:00:00.000Z', 'email', 'failed', 4_000], // a bounce: sent, then failed
      ['2026-11-21T23:59:59.999Z', 'push', 'delivered', 10_000],
      ['2026-11-22T00:00:00.000Z', 'email', 'sent', 99_999], // at `to`: excluded
    ];
    const from = at('2026-11-20T00:00:00.000Z');
    const to = at('2026-11-22T00:00:00.000Z');

    beforeEach(async () => {
      for (const [createdAt, channel, status, toSent] of rows) {
        const created = at(createdAt);
        await add(
          Notification.restore(
            notificationState({
              channel,
              status,
              createdAt: created,
              sentAt: toSent === null ? null : new Date(created.getTime() + toSent),
            }),
          ),
        );
      }
    });

    it('counts per UTC day and channel, every status present, with totals and time-to-sent percentiles', async () => {
      const statistics = await repo.statistics({ from, to });
      expect(statistics.days).toEqual([
        { day: '2026-11-20', channel: 'email', counts: { ...zero, pending: 1, sent: 1, delivered: 1 } },
        { day: '2026-11-20', channel: 'sms', counts: { ...zero, sent: 1, failed: 1 } },
        { day: '2026-11-21', channel: 'email', counts: { ...zero, failed: 1 } },
        { day: '2026-11-21', channel: 'push', counts: { ...zero, delivered: 1, cancelled: 1 } },
      ]);
      expect(statistics.totals).toEqual({ pending: 1, sent: 2, delivered: 2, failed: 2, cancelled: 1 });
      // Sent ones: 250, 1000, 2000, 4000, 10000 ms. percentile_cont interpolates linearly at f × (n − 1).
      expect(statistics.timeToSentMs.median).toBe(2_000);
      expect(statistics.timeToSentMs.p95).toBeCloseTo(8_800, 6);
      expect(statistics.timeToSentMs.p95).toBe(4_000 + (0.95 * 4 - 3) * (10_000 - 4_000));
    });

    it('narrows to one channel', async () => {
      const email = await repo.statistics({ from, to, channel: 'email' });
      expect(email.days).toEqual([
        { day: '2026-11-20', channel: 'email', counts: { ...zero, pending: 1, sent: 1, delivered: 1 } },
        { day: '2026-11-21', channel: 'email', counts: { ...zero, failed: 1 } },
      ]);
      expect(email.totals).toEqual({ ...zero, pending: 1, sent: 1, delivered: 1, failed: 1 });
      // 1000, 2000, 4000.
      expect(email.timeToSentMs.median).toBe(2_000);
      expect(email.timeToSentMs.p95).toBe(2_000 + (0.95 * 2 - 1) * (4_000 - 2_000));
      const sms = await repo.statistics({ from, to, channel: 'sms' });
      expect(sms.timeToSentMs).toEqual({ median: 250, p95: 250 });
    });

    it('interpolates the median of an even count, and keeps to the period', async () => {
      const secondDay = await repo.statistics({ from: at('2026-11-21T00:00:00.000Z'), to });
      expect(secondDay.totals).toEqual({ ...zero, failed: 1, delivered: 1, cancelled: 1 });
      // 4000 and 10000.
      expect(secondDay.timeToSentMs.median).toBe(7_000);
      expect(secondDay.timeToSentMs.p95).toBe(4_000 + 0.95 * (10_000 - 4_000));
      const wider = await repo.statistics({ from: at('2026-11-19T00:00:00.000Z'), to: at('2026-11-22T00:00:00.001Z') });
      expect(wider.totals).toEqual({ pending: 1, sent: 4, delivered: 2, failed: 2, cancelled: 1 });
      expect(wider.days.map((d) => `${d.day} ${d.channel}`)).toEqual([
        '2026-11-19 email',
        '2026-11-20 email',
        '2026-11-20 sms',
        '2026-11-21 email',
        '2026-11-21 push',
        '2026-11-22 email',
      ]);
    });

    it('has zeros and no percentiles when nothing was created or nothing was sent', async () => {
      expect(await repo.statistics({ from: at('2026-12-01T00:00:00Z'), to: at('2026-12-02T00:00:00Z') })).toEqual({
        days: [],
        totals: zero,
        timeToSentMs: { median: null, p95: null },
      });
      const unsent = await repo.statistics({ from, to: at('2026-11-21T12:00:00Z'), channel: 'push' });
      expect(unsent).toEqual({
        days: [{ day: '2026-11-21', channel: 'push', counts: { ...zero, cancelled: 1 } }],
        totals: { ...zero, cancelled: 1 },
        timeToSentMs: { median: null, p95: null },
      });
    });

    it('agrees with the in-memory reference on any data (same percentile_cont, to the last bit)', async () => {
      let window = 0;
      const entry = fc.record({
        offsetMs: fc.integer({ min: 0, max: 3 * 86_400_000 - 1 }),
        channel: fc.constantFrom<Channel>('email', 'sms', 'push'),
        status: fc.constantFrom<NotificationStatus>('pending', 'sent', 'delivered', 'failed', 'cancelled'),
        toSentMs: fc.option(fc.integer({ min: 0, max: 10 * 86_400_000 }), { nil: null }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(entry, { maxLength: 25 }),
          fc.option(fc.constantFrom<Channel>('email', 'sms', 'push')),
          async (entries, channel) => {
            // Each run in a window of its own, far from the fixed rows.
            window += 1;
            const start = Date.UTC(2030, 0, 1) + window * 4 * 86_400_000;
            const reference = new InMemoryNotificationRepository();
            for (const e of entries) {
              const created = new Date(start + e.offsetMs);
              const state = notificationState({
                channel: e.channel,
                status: e.status,
                createdAt: created,
                sentAt: e.toSentMs === null ? null : new Date(created.getTime() + e.toSentMs),
              });
              await add(Notification.restore(state));
              (await reference.add(Notification.restore(state)))._unsafeUnwrap();
            }
            const filter = { from: new Date(start), to: new Date(start + 3 * 86_400_000), channel: channel ?? undefined };
            expect(await repo.statistics(filter)).toEqual(await reference.statistics(filter));
          },
        ),
        { numRuns: 15 },
      );
    });
  });

  if (target.name !== 'in-memory') {
    it('has migrations that go down and up again (DDL in a transaction, rolled back)', async () => {
      const database = backEnd.sql;
      if (database === undefined) throw new Error('no database');
      const tables = () =>
        sql<{
          name: string;
        }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'notifications' ORDER BY 1`
          .execute(database.transactions.executor())
          .then((result) => result.rows.map((row) => row.name));
      const before = await tables();
      expect(before).toEqual(expect.arrayContaining(['notifications', 'preferences', 'receipts']));
      await expect(
        unitOfWork(async () => {
          await notificationsHeldUntil.down(database.transactions.executor());
          await notificationsInitial.down(database.transactions.executor());
          expect(await tables()).toEqual(before.filter((name) => !['notifications', 'preferences', 'receipts'].includes(name)));
          await notificationsInitial.up(database.transactions.executor());
          await notificationsHeldUntil.up(database.transactions.executor());
          expect(await tables()).toEqual(before);
          await add(requested({ deduplicationKey: 'after up' }));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await tables()).toEqual(before);
      expect(await repo.findByDeduplicationKey('after up')).toBeUndefined();
    });

    describe('in a unit of work', () => {
      it('writes nothing, events included, when the unit of work rolls back', async () => {
        const notification = requested({ deduplicationKey: 'rolled-back' });
        await expect(
          unitOfWork(async () => {
            await add(notification);
            expect(await repo.findById(notification.id)).toBeDefined();
            expect(await events()).toHaveLength(1);
            throw new Error('the use case failed');
          }),
        ).rejects.toThrow('the use case failed');
        expect(await repo.findById(notification.id)).toBeUndefined();
        expect(await events()).toEqual([]);
        // The key is free again.
        await add(requested({ deduplicationKey: 'rolled-back' }));
      });

      it('keeps the unit of work usable after a refused key, committing the rest', async () => {
        const first = requested({ deduplicationKey: 'once' });
        const other = requested({ deduplicationKey: 'other' });
        await unitOfWork(async () => {
          await add(first);
          expect((await repo.add(requested({ deduplicationKey: 'once' })))._unsafeUnwrapErr().type).toBe(
            'notifications.deduplication_key_taken',
          );
          // The transaction is not aborted: later statements run and commit.
          await add(other);
          const loaded = await load(first.id, { lock: true });
          loaded.cancel('withdrawn', at('2026-11-23T09:10:00Z'))._unsafeUnwrap();
          await repo.save(loaded);
        });
        expect((await load(first.id)).state).toMatchObject({ status: 'cancelled', version: 1 });
        expect((await load(other.id)).id).toBe(other.id);
        expect((await events()).map((e) => [e.type, e.aggregateId])).toEqual([
          ['notification.queued', first.id],
          ['notification.queued', other.id],
          ['notification.cancelled', first.id],
        ]);
      });

      it('publishes events only when the save commits', async () => {
        const notification = requested();
        await add(notification);
        await expect(
          unitOfWork(async () => {
            const loaded = await load(notification.id, { lock: true });
            loaded.cancel('withdrawn', at('2026-11-23T09:10:00Z'))._unsafeUnwrap();
            await repo.save(loaded);
            throw new Error('after the save');
          }),
        ).rejects.toThrow('after the save');
        expect((await load(notification.id)).state).toEqual(notification.state);
        expect(await events()).toEqual([queued(notification.id)]);
      });
    });
  }

  if (target.name === 'postgres') {
    describe('row locks (PostgreSQL: concurrent connections)', () => {
      for (const by of ['id', 'deduplication key'] as const) {
        it(`makes a second load for update by ${by} wait until the first unit of work commits, then see its save`, async () => {
          const notification = requested({ deduplicationKey: `locked-${by}` });
          await add(notification);
          const order: string[] = [];
          let firstLocked = false;
          const first = unitOfWork(async () => {
            const loaded = await load(notification.id, { lock: true });
            firstLocked = true;
            order.push('first locked');
            await sleep(300);
            loaded.startAttempt(at('2026-11-23T09:01:00Z'), at('2026-11-23T09:02:00Z'))._unsafeUnwrap();
            await repo.save(loaded);
            order.push('first saved');
          });
          while (!firstLocked) await sleep(5);
          // A plain read does not wait, and sees the row as it was.
          expect((await load(notification.id)).state.version).toBe(0);
          const started = Date.now();
          const second = unitOfWork(async () => {
            const key = `locked-${by}`;
            const loaded =
              by === 'id'
                ? await repo.findById(notification.id, { lock: true })
                : await repo.findByDeduplicationKey(key, { lock: true });
            order.push('second locked');
            if (loaded === undefined) throw new Error('not found');
            // It sees the first one's save, so its own save is not stale.
            loaded.attemptFailed('timeout')._unsafeUnwrap();
            await repo.save(loaded);
            return loaded.state;
          });
          const seen = await second;
          await first;
          expect(Date.now() - started).toBeGreaterThanOrEqual(200);
          expect(order).toEqual(['first locked', 'first saved', 'second locked']);
          // It read the row after the first one committed (read committed sees nothing earlier).
          expect(seen).toMatchObject({ attempts: 1, version: 1 });
          expect((await load(notification.id)).state).toMatchObject({
            attempts: 1,
            lastError: 'timeout',
            claimedUntil: null,
            version: 2,
          });
        });
      }
    });
  }
});
