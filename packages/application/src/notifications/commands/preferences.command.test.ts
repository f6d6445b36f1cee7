import { defaultPreferences } from '@aura/domain/notifications';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  actorOf,
  HOUR,
  type NotificationsTestBed,
  notificationsTestBed,
  rejectionOf,
} from '../../../test/notifications/fakes.js';
import { isPostponeJob } from '../../platform/ports/job-queue.port.js';
import { GetPreferences, UpdatePreferences } from './preferences.command.js';

let bed: NotificationsTestBed;
let userId: string;

beforeEach(() => {
  bed = notificationsTestBed();
  userId = bed.seedUser().id;
});

const get = async (id = userId) => (await bed.get(GetPreferences).execute(actorOf(id)))._unsafeUnwrap();
const update = (input: Parameters<UpdatePreferences['execute']>[1], id = userId) =>
  bed.get(UpdatePreferences).execute(actorOf(id), input);

describe('GetPreferences', () => {
  it('gives the defaults to someone who never changed anything: everything wanted, no quiet hours, no phone or device', async () => {
    expect(await get()).toEqual(defaultPreferences(userId));
    expect(await get()).toMatchObject({ quietHours: null, phoneNumber: null, pushToken: null, updatedAt: null });
    expect((await get()).channels.sms).toEqual({ transactional: true, reminder: true, announcement: true });
  });
});

describe('UpdatePreferences', () => {
  it('merges a partial change into what was there, and keeps it', async () => {
    (
      await update({ channels: { email: { announcement: false } }, quietHours: { start: '22:00', end: '07:00' } })
    )._unsafeUnwrap();
    bed.clock.advance(HOUR);
    const changed = (
      await update({
        channels: { sms: { reminder: false }, email: { reminder: undefined } },
        phoneNumber: ' +55 (11) 91234-5678 ',
      })
    )._unsafeUnwrap();
    expect(changed).toEqual({
      userId,
      channels: {
        email: { transactional: true, reminder: true, announcement: false },
        sms: { transactional: true, reminder: false, announcement: true },
        push: { transactional: true, reminder: true, announcement: true },
      },
      quietHours: { start: '22:00', end: '07:00' },
      phoneNumber: '+5511912345678',
      pushToken: null,
      updatedAt: bed.clock.now(),
    });
    expect(await get()).toEqual(changed);
  });

  it('clears quiet hours, phone number and device with null', async () => {
    (
      await update({
        quietHours: { start: '22:00', end: '07:00' },
        phoneNumber: '+4915112345678',
        pushToken: 'device-token-0123456789',
      })
    )._unsafeUnwrap();
    const cleared = (await update({ quietHours: null, phoneNumber: null, pushToken: null }))._unsafeUnwrap();
    expect(cleared).toMatchObject({ quietHours: null, phoneNumber: null, pushToken: null });
  });

  it('changes only the actor’s own preferences', async () => {
    const other = bed.seedUser().id;
    (await update({ channels: { push: { announcement: false } } }, other))._unsafeUnwrap();
    expect(await get()).toEqual(defaultPreferences(userId));
    expect((await get(other)).channels.push.announcement).toBe(false);
  });

  it.each([
    [{ quietHours: { start: '25:00', end: '07:00' } }, 'notifications.invalid_quiet_hours', 'quietHours.start'],
    [{ quietHours: { start: '22:00', end: '7' } }, 'notifications.invalid_quiet_hours', 'quietHours.end'],
    [{ quietHours: { start: '22:00', end: '22:00' } }, 'notifications.invalid_quiet_hours', 'quietHours'],
    [{ phoneNumber: '0151 1234' }, 'notifications.invalid_recipient', 'phoneNumber'],
    [{ pushToken: 'short' }, 'notifications.invalid_recipient', 'pushToken'],
  ])('refuses %j, naming the field, and changes nothing', async (input, type, field) => {
    const result = await update({ channels: { email: { announcement: false } }, ...input });
    expect(result._unsafeUnwrapErr()).toMatchObject({ type, details: { field } });
    expect(await get()).toEqual(defaultPreferences(userId));
  });
});

describe('UpdatePreferences and messages held for quiet hours', () => {
  /** Quiet hours from the current UTC hour for two hours: now is quiet. */
  const quietNow = () => {
    const hour = bed.clock.now().getUTCHours();
    const clock = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    return { start: clock(hour), end: clock(hour + 2) };
  };

  it('releases a held message at once when quiet hours are cleared, and enqueues its delivery after the commit', async () => {
    (await update({ quietHours: quietNow() }))._unsafeUnwrap();
    const held = await bed.queueEmail({ userId }, { category: 'reminder' });
    const scheduled = await bed.queueEmail({ userId }, { sendAt: new Date(bed.clock.now().getTime() + 5 * HOUR) });
    expect(isPostponeJob(await rejectionOf(bed.deliver(held.id)))).toBe(true);
    const holding = await bed.stored(held.id);
    expect(holding.heldUntil).not.toBeNull();
    expect(holding.sendAt).toEqual(holding.heldUntil);
    bed.queue.enqueued.length = 0;

    bed.clock.advance(HOUR / 2);
    const now = bed.clock.now();
    await bed.uow.transaction(async () => {
      (await update({ quietHours: null }))._unsafeUnwrap();
      // Nothing reaches the queue before the change commits.
      expect(bed.queue.enqueued).toEqual([]);
    });
    expect(await bed.stored(held.id)).toMatchObject({ status: 'pending', sendAt: now, heldUntil: null });
    // A scheduled send keeps its time.
    expect((await bed.stored(scheduled.id)).sendAt).toEqual(scheduled.sendAt);
    expect(bed.queue.enqueued).toEqual([
      expect.objectContaining({
        queue: 'notifications.deliver',
        data: { notificationId: held.id, correlationId: 'corr-1' },
        options: expect.objectContaining({ jobId: `deliver:${held.id}:${now.getTime()}`, delayMs: 0 }),
      }),
    ]);
    expect(await bed.deliver(held.id)).toBe('sent');
  });

  it('judges a released message against the new quiet hours: still quiet, held again until they end', async () => {
    (await update({ quietHours: quietNow() }))._unsafeUnwrap();
    const held = await bed.queueEmail({ userId }, { category: 'reminder' });
    expect(isPostponeJob(await rejectionOf(bed.deliver(held.id)))).toBe(true);
    const wider = { start: quietNow().start, end: `${String((bed.clock.now().getUTCHours() + 4) % 24).padStart(2, '0')}:00` };
    (await update({ quietHours: wider }))._unsafeUnwrap();
    expect((await bed.stored(held.id)).heldUntil).toBeNull();
    expect(isPostponeJob(await rejectionOf(bed.deliver(held.id)))).toBe(true);
    const again = await bed.stored(held.id);
    expect(again.heldUntil?.getUTCHours()).toBe((bed.clock.now().getUTCHours() + 4) % 24);
  });

  it('enqueues nothing when nothing was held', async () => {
    await bed.queueEmail({ userId });
    bed.queue.enqueued.length = 0;
    (await update({ quietHours: quietNow() }))._unsafeUnwrap();
    expect(bed.queue.enqueued).toEqual([]);
  });
});
