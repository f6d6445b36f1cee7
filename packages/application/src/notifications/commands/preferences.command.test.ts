import { defaultPreferences } from '@aura/domain/notifications';
import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, HOUR, type NotificationsTestBed, notificationsTestBed } from '../../../test/notifications/fakes.js';
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
