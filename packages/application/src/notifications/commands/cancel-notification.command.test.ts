import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, type NotificationsTestBed, notificationsTestBed, SECOND } from '../../../test/notifications/fakes.js';
import { CancelNotification, CancelUserNotifications, notificationNotFound } from './cancel-notification.command.js';

let bed: NotificationsTestBed;
let cancel: CancelNotification;

beforeEach(() => {
  bed = notificationsTestBed();
  cancel = bed.get(CancelNotification);
});

const tomorrow = () => new Date(bed.clock.now().getTime() + DAY);

describe('CancelNotification', () => {
  it('withdraws a scheduled notification by id, with the default reason, and records notification.cancelled', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' }, { sendAt: tomorrow() });
    bed.clock.advance(SECOND);
    const view = (await cancel.execute({ id: queued.id }))._unsafeUnwrap();
    expect(view).toMatchObject({
      id: queued.id,
      status: 'cancelled',
      cancelledAt: bed.clock.now(),
      lastError: 'cancelled by the sender',
    });
    expect(await bed.stored(queued.id)).toMatchObject({ status: 'cancelled', lastError: 'cancelled by the sender' });
    expect(bed.eventTypes(queued.id)).toEqual(['notification.queued', 'notification.cancelled']);
    expect(bed.notifications.published.at(-1)?.data).toMatchObject({ reason: 'cancelled by the sender' });
  });

  it('withdraws one by its de-duplication key, with a reason', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' }, { sendAt: tomorrow(), deduplicationKey: 'evt-9:reminder' });
    const view = (await cancel.execute({ deduplicationKey: 'evt-9:reminder' }, 'the session was cancelled'))._unsafeUnwrap();
    expect(view).toMatchObject({ id: queued.id, status: 'cancelled', lastError: 'the session was cancelled' });
  });

  it('never shows a security message’s content', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' }, { category: 'security' });
    expect((await cancel.execute({ id: queued.id }))._unsafeUnwrap().message).toBeNull();
  });

  it('answers not found for an unknown id or key', async () => {
    expect((await cancel.execute({ id: '0190aaaa-bbbb-7ccc-8ddd-999999999999' }))._unsafeUnwrapErr()).toEqual(
      notificationNotFound('0190aaaa-bbbb-7ccc-8ddd-999999999999'),
    );
    expect((await cancel.execute({ deduplicationKey: 'nope' }))._unsafeUnwrapErr()).toEqual({
      type: 'notifications.notification_not_found',
      message: 'there is no notification with the de-duplication key nope',
    });
  });

  it('refuses one being handed to its provider right now, saying when to try again', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    await bed.claim(queued.id);
    bed.clock.advance(30.5 * SECOND);
    const refused = (await cancel.execute({ id: queued.id }))._unsafeUnwrapErr();
    expect(refused).toMatchObject({ type: 'notifications.in_flight', details: { retryAfterSeconds: 90 } });
    expect((await bed.stored(queued.id)).status).toBe('pending');
    // Once the claim lapsed (its worker died), it can be withdrawn.
    bed.clock.advance(90 * SECOND);
    expect((await cancel.execute({ id: queued.id }))._unsafeUnwrap().status).toBe('cancelled');
  });

  it('refuses one no longer pending', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    await bed.deliver(queued.id);
    const refused = (await cancel.execute({ id: queued.id }))._unsafeUnwrapErr();
    expect(refused).toMatchObject({ type: 'notifications.invalid_transition', details: { from: 'sent', action: 'cancelled' } });
    expect((await cancel.execute({ id: queued.id }))._unsafeUnwrapErr().type).toBe('notifications.invalid_transition');
  });
});

describe('CancelUserNotifications', () => {
  it('withdraws a user’s pending and scheduled notifications, except one in flight, and no one else’s', async () => {
    const ana = bed.seedUser();
    const bia = bed.seedUser();
    const due = await bed.queueEmail({ userId: ana.id });
    const scheduled = await bed.queueEmail({ userId: ana.id }, { sendAt: tomorrow() });
    const inFlight = await bed.queueEmail({ userId: ana.id });
    const sent = await bed.queueEmail({ userId: ana.id });
    const others = await bed.queueEmail({ userId: bia.id });
    await bed.deliver(sent.id);
    await bed.claim(inFlight.id);

    expect(await bed.get(CancelUserNotifications).execute(ana.id)).toBe(2);
    expect((await bed.stored(due.id)).status).toBe('cancelled');
    expect(await bed.stored(scheduled.id)).toMatchObject({
      status: 'cancelled',
      lastError: 'the recipient’s account was deactivated',
    });
    expect((await bed.stored(inFlight.id)).status).toBe('pending');
    expect((await bed.stored(sent.id)).status).toBe('sent');
    expect((await bed.stored(others.id)).status).toBe('pending');
    expect(bed.logger.entries).toContainEqual({
      level: 'info',
      message: 'notifications of a deactivated account cancelled',
      fields: { userId: ana.id, cancelled: 2 },
    });
  });

  it('skips notifications that left pending or vanished between the listing and the lock', async () => {
    const ana = bed.seedUser();
    const sent = await bed.queueEmail({ userId: ana.id });
    await bed.deliver(sent.id);
    vi.spyOn(bed.notifications, 'findPendingIdsOfUser').mockResolvedValueOnce([sent.id, '0190aaaa-bbbb-7ccc-8ddd-999999999999']);
    expect(await bed.get(CancelUserNotifications).execute(ana.id)).toBe(0);
    expect((await bed.stored(sent.id)).status).toBe('sent');
  });

  it('cancels nothing for a user without notifications', async () => {
    expect(await bed.get(CancelUserNotifications).execute(bed.seedUser().id)).toBe(0);
  });
});

describe('CancelNotification by a key that cannot exist', () => {
  it('answers not found without looking it up', async () => {
    const cancel = bed.get(CancelNotification);
    for (const deduplicationKey of ['', 'k\u0000']) {
      expect((await cancel.execute({ deduplicationKey }))._unsafeUnwrapErr()).toMatchObject({
        type: 'notifications.notification_not_found',
      });
    }
  });
});
