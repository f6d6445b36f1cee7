import { beforeEach, describe, expect, it } from 'vitest';
import {
  actorOf,
  admin,
  DAY,
  HOUR,
  type NotificationsTestBed,
  notificationsTestBed,
  WEBHOOK_SIGNATURE,
} from '../../../test/notifications/fakes.js';
import { MAX_PAGE_SIZE } from '../../platform/pagination.js';
import { CancelNotification } from '../commands/cancel-notification.command.js';
import { RecordDeliveryReceipt } from '../commands/record-receipt.command.js';
import { GetNotification, GetNotificationStatistics, ListNotifications } from './notifications.queries.js';

let bed: NotificationsTestBed;

beforeEach(() => {
  bed = notificationsTestBed();
});

describe('GetNotification', () => {
  it('shows a user their own notification, and an admin anyone’s', async () => {
    const ana = bed.seedUser();
    const queued = await bed.queueEmail({ userId: ana.id });
    expect((await bed.get(GetNotification).execute(actorOf(ana.id), queued.id))._unsafeUnwrap()).toEqual(queued);
    expect((await bed.get(GetNotification).execute(admin, queued.id))._unsafeUnwrap()).toEqual(queued);
  });

  it('answers not found for someone else’s notification, as for one that does not exist', async () => {
    const ana = bed.seedUser();
    const bia = bed.seedUser();
    const queued = await bed.queueEmail({ userId: ana.id });
    const toAddress = await bed.queueEmail({ address: 'x@example.com' });
    const notFound = { type: 'notifications.notification_not_found', message: `there is no notification ${queued.id}` };
    expect((await bed.get(GetNotification).execute(actorOf(bia.id), queued.id))._unsafeUnwrapErr()).toEqual(notFound);
    expect((await bed.get(GetNotification).execute(actorOf(bia.id, 'therapist'), toAddress.id))._unsafeUnwrapErr().type).toBe(
      'notifications.notification_not_found',
    );
    expect((await bed.get(GetNotification).execute(admin, '0190aaaa-bbbb-7ccc-8ddd-999999999999'))._unsafeUnwrapErr().type).toBe(
      'notifications.notification_not_found',
    );
  });

  it('never shows the content of a security message, even to an admin', async () => {
    const queued = await bed.queueEmail({ address: 'x@example.com' }, { category: 'security' });
    const view = (await bed.get(GetNotification).execute(admin, queued.id))._unsafeUnwrap();
    expect(view.message).toBeNull();
    expect(view.subject).toBe('Your invoice');
  });
});

describe('ListNotifications', () => {
  it('shows a user only their own, newest first', async () => {
    const ana = bed.seedUser();
    const bia = bed.seedUser();
    const first = await bed.queueEmail({ userId: ana.id });
    await bed.queueEmail({ userId: bia.id });
    await bed.queueEmail({ address: 'x@example.com' });
    const second = await bed.queueEmail({ userId: ana.id });
    const page = (await bed.get(ListNotifications).execute({ actor: actorOf(ana.id), limit: 10 }))._unsafeUnwrap();
    expect(page).toEqual({ items: [second, first], nextCursor: null });
  });

  it.each([{ userId: '0190bbbb-cccc-7ddd-9eee-000000000002' }, { recipient: 'x@example.com' }])(
    'refuses a user who filters by %j',
    async (filter) => {
      const ana = bed.seedUser();
      const result = await bed.get(ListNotifications).execute({ actor: actorOf(ana.id), limit: 10, ...filter });
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'platform.forbidden',
        message: 'only admins list other people’s notifications',
      });
    },
  );

  it('lets a user filter their own by status, channel, category and time', async () => {
    const ana = bed.seedUser();
    await bed.prefer(ana.id, { phoneNumber: '+4915112345678' });
    const email = await bed.queueEmail({ userId: ana.id });
    bed.clock.advance(DAY);
    const sms = await bed.send({
      to: { userId: ana.id },
      channel: 'sms',
      content: { message: 'See you soon.' },
      category: 'reminder',
    });
    const list = async (filter: object) =>
      (await bed.get(ListNotifications).execute({ actor: actorOf(ana.id), limit: 10, ...filter }))
        ._unsafeUnwrap()
        .items.map((n) => n.id);
    expect(await list({ channel: 'sms' })).toEqual([sms.notification.id]);
    expect(await list({ category: 'transactional' })).toEqual([email.id]);
    expect(await list({ status: 'pending' })).toEqual([sms.notification.id, email.id]);
    expect(await list({ status: 'sent' })).toEqual([]);
    expect(await list({ from: bed.clock.now() })).toEqual([sms.notification.id]);
    expect(await list({ to: bed.clock.now() })).toEqual([email.id]);
  });

  it('lets an admin see everyone’s, or filter by user or address', async () => {
    const ana = bed.seedUser();
    const bia = bed.seedUser();
    const a = await bed.queueEmail({ userId: ana.id });
    const b = await bed.queueEmail({ userId: bia.id });
    const x = await bed.queueEmail({ address: 'X@example.com' });
    const list = async (filter: object) =>
      (await bed.get(ListNotifications).execute({ actor: admin, limit: 10, ...filter }))._unsafeUnwrap().items.map((n) => n.id);
    expect(await list({})).toEqual([x.id, b.id, a.id]);
    expect(await list({ userId: bia.id })).toEqual([b.id]);
    expect(await list({ recipient: 'x@example.com' })).toEqual([x.id]);
    // The address as someone typed it finds what was stored normalised.
    expect(await list({ recipient: '  X@EXAMPLE.com ' })).toEqual([x.id]);
    expect(await list({ recipient: bed.users.contacts.get(ana.id)?.email })).toEqual([a.id]);
    expect(await list({ recipient: 'not an address at all' })).toEqual([]);
  });

  it('pages with a cursor, never more than the largest page', async () => {
    for (let i = 0; i < MAX_PAGE_SIZE + 5; i += 1) await bed.queueEmail({ address: `p${i}@example.com` });
    const first = (await bed.get(ListNotifications).execute({ actor: admin, limit: 1_000 }))._unsafeUnwrap();
    expect(first.items).toHaveLength(MAX_PAGE_SIZE);
    expect(first.nextCursor).toBe(first.items.at(-1)?.id);
    const rest = (
      await bed.get(ListNotifications).execute({ actor: admin, limit: 1_000, cursor: first.nextCursor ?? undefined })
    )._unsafeUnwrap();
    expect(rest.items).toHaveLength(5);
    expect(rest.nextCursor).toBeNull();
  });
});

describe('GetNotificationStatistics', () => {
  const period = (from: Date) => ({ actor: admin, from, to: new Date(from.getTime() + DAY) });

  it('counts by status, and the delivery and confirmation rates of what finished', async () => {
    const from = bed.clock.now();
    const sent = await bed.queueEmail({ address: 'a@example.com' });
    const delivered = await bed.queueEmail({ address: 'b@example.com' });
    const failed = await bed.queueEmail({ address: 'c@example.com' });
    await bed.queueEmail({ address: 'd@example.com' });
    const cancelled = await bed.queueEmail({ address: 'e@example.com' }, { sendAt: new Date(from.getTime() + HOUR) });
    bed.clock.advance(1_000);
    await bed.deliver(sent.id);
    await bed.deliver(delivered.id);
    bed.email.will({ reject: 'no such mailbox' });
    await bed.deliver(failed.id);
    await bed.get(RecordDeliveryReceipt).execute({
      provider: 'email',
      rawBody: JSON.stringify({ id: 'r-1', notificationId: delivered.id, status: 'delivered' }),
      signature: WEBHOOK_SIGNATURE,
    });
    (await bed.get(CancelNotification).execute({ id: cancelled.id }))._unsafeUnwrap();

    const statistics = (await bed.get(GetNotificationStatistics).execute(period(from)))._unsafeUnwrap();
    expect(statistics.totals).toEqual({ pending: 1, sent: 1, delivered: 1, failed: 1, cancelled: 1 });
    expect(statistics.deliveryRate).toBeCloseTo(2 / 3);
    expect(statistics.confirmedRate).toBeCloseTo(1 / 3);
    expect(statistics.from).toEqual(from);
    expect(statistics.to).toEqual(new Date(from.getTime() + DAY));
    expect(statistics.days).toEqual([{ day: '2026-11-22', channel: 'email', counts: statistics.totals }]);
    expect(statistics.timeToSentMs).toEqual({ median: 1_000, p95: 1_000 });
  });

  it('counts per UTC day of creation and channel, in order', async () => {
    const from = bed.clock.now();
    const user = bed.seedUser();
    await bed.prefer(user.id, { phoneNumber: '+4915112345678', pushToken: 'device-token-0123456789' });
    const send = (channel: 'email' | 'sms' | 'push') =>
      bed.send({ to: { userId: user.id }, channel, content: { subject: 'Hi', message: 'See you soon.' }, category: 'reminder' });
    await send('push');
    await send('email');
    await send('email');
    bed.clock.advance(DAY);
    await send('sms');
    await send('email');
    const statistics = (
      await bed.get(GetNotificationStatistics).execute({ actor: admin, from, to: bed.clock.now() })
    )._unsafeUnwrap();
    expect(statistics.days.map((d) => [d.day, d.channel, d.counts.pending])).toEqual([
      ['2026-11-22', 'email', 2],
      ['2026-11-22', 'push', 1],
    ]);
    const twoDays = (
      await bed.get(GetNotificationStatistics).execute({ actor: admin, from, to: new Date(from.getTime() + 2 * DAY) })
    )._unsafeUnwrap();
    expect(twoDays.days.map((d) => [d.day, d.channel])).toEqual([
      ['2026-11-22', 'email'],
      ['2026-11-22', 'push'],
      ['2026-11-23', 'email'],
      ['2026-11-23', 'sms'],
    ]);
    expect(twoDays.totals.pending).toBe(5);
  });

  it('gives no rates when nothing finished, and filters by channel', async () => {
    const from = bed.clock.now();
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    await bed.deliver(queued.id);
    const sms = (await bed.get(GetNotificationStatistics).execute({ ...period(from), channel: 'sms' }))._unsafeUnwrap();
    expect(sms).toMatchObject({ deliveryRate: null, confirmedRate: null, days: [], timeToSentMs: { median: null, p95: null } });
    const email = (await bed.get(GetNotificationStatistics).execute({ ...period(from), channel: 'email' }))._unsafeUnwrap();
    expect(email).toMatchObject({ deliveryRate: 1, confirmedRate: 0 });
  });

  it('is for admins only', async () => {
    const ana = bed.seedUser();
    const result = await bed.get(GetNotificationStatistics).execute({ ...period(bed.clock.now()), actor: actorOf(ana.id) });
    expect(result._unsafeUnwrapErr().type).toBe('platform.forbidden');
  });
});
