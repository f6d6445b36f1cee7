import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  categoryArbitrary,
  channelArbitrary,
  deviceTokenArbitrary,
  instant2020sArbitrary,
  invalidClockArbitrary,
  invalidDeviceTokenArbitrary,
  invalidPhoneNumberArbitrary,
  notificationPreferencesArbitrary,
  preferencesInputArbitrary,
  priorityArbitrary,
  quietHoursArbitrary,
  rawPhoneNumberArbitrary,
  uuidV7Arbitrary,
} from '../testing/index.js';
import { CATEGORIES, CHANNELS } from './kinds.js';
import {
  changePreferences,
  defaultPreferences,
  type NotificationPreferences,
  OPTIONAL_CATEGORIES,
  wants,
} from './preferences.js';

const at = new Date('2030-01-01T12:00:00.000Z');

/** Preferences anyone can end up with: stored ones, or the default after any sequence of valid changes. */
const reachablePreferencesArbitrary: fc.Arbitrary<NotificationPreferences> = fc.oneof(
  notificationPreferencesArbitrary,
  fc
    .tuple(uuidV7Arbitrary(), fc.array(preferencesInputArbitrary, { maxLength: 4 }), instant2020sArbitrary)
    .map(([userId, inputs, when]) =>
      inputs.reduce<NotificationPreferences>(
        (preferences, input) => changePreferences(preferences, input, when)._unsafeUnwrap(),
        defaultPreferences(userId),
      ),
    ),
);

describe('defaultPreferences', () => {
  it('wants every channel and category, with no quiet hours nor addresses', () => {
    const preferences = defaultPreferences('user-1');
    expect(preferences).toEqual({
      userId: 'user-1',
      channels: {
        email: { transactional: true, reminder: true, announcement: true },
        sms: { transactional: true, reminder: true, announcement: true },
        push: { transactional: true, reminder: true, announcement: true },
      },
      quietHours: null,
      phoneNumber: null,
      pushToken: null,
      updatedAt: null,
    });
    for (const channel of CHANNELS) {
      for (const category of CATEGORIES) expect(wants(preferences, channel, category, 'normal')).toBe(true);
    }
  });

  it('gives each channel its own choices', () => {
    const preferences = defaultPreferences('user-1');
    expect(preferences.channels.email).not.toBe(preferences.channels.sms);
    expect(OPTIONAL_CATEGORIES).toEqual(['transactional', 'reminder', 'announcement']);
  });
});

describe('changePreferences', () => {
  it('merges a partial change: what is named changes, the rest is kept, null clears', () => {
    fc.assert(
      fc.property(reachablePreferencesArbitrary, preferencesInputArbitrary, instant2020sArbitrary, (current, input, when) => {
        const changed = changePreferences(current, input, when)._unsafeUnwrap();
        expect(changed.userId).toBe(current.userId);
        expect(changed.updatedAt).toBe(when);
        for (const channel of CHANNELS) {
          for (const category of OPTIONAL_CATEGORIES) {
            expect(changed.channels[channel][category]).toBe(
              input.channels?.[channel]?.[category] ?? current.channels[channel][category],
            );
          }
          expect(Object.keys(changed.channels[channel]).sort()).toEqual([...OPTIONAL_CATEGORIES].sort());
        }
        expect(changed.quietHours).toEqual(input.quietHours === undefined ? current.quietHours : input.quietHours);
        expect(changed.phoneNumber).toBe(
          input.phoneNumber === undefined
            ? current.phoneNumber
            : input.phoneNumber === null
              ? null
              : input.phoneNumber.trim().replace(/[\s.()-]/g, ''),
        );
        expect(changed.pushToken).toBe(input.pushToken === undefined ? current.pushToken : (input.pushToken?.trim() ?? null));
      }),
    );
  });

  it('does not change the preferences it is given', () => {
    const current = defaultPreferences('user-1');
    const snapshot = structuredClone(current);
    changePreferences(current, { channels: { sms: { reminder: false } }, phoneNumber: '+4915112345678' }, at);
    expect(current).toEqual(snapshot);
  });

  it('changes one choice at a time', () => {
    const changed = changePreferences(
      defaultPreferences('u'),
      { channels: { sms: { announcement: false } } },
      at,
    )._unsafeUnwrap();
    expect(changed.channels).toEqual({
      email: { transactional: true, reminder: true, announcement: true },
      sms: { transactional: true, reminder: true, announcement: false },
      push: { transactional: true, reminder: true, announcement: true },
    });
    const again = changePreferences(changed, { channels: { sms: { reminder: false }, push: {} } }, at)._unsafeUnwrap();
    expect(again.channels.sms).toEqual({ transactional: true, reminder: false, announcement: false });
    expect(changePreferences(again, {}, at)._unsafeUnwrap()).toEqual({ ...again, updatedAt: at });
  });

  it('keeps the current value for whatever is explicitly undefined', () => {
    const current = changePreferences(
      defaultPreferences('u'),
      { channels: { sms: { reminder: false } }, quietHours: { start: '22:00', end: '07:00' }, phoneNumber: '+4915112345678' },
      at,
    )._unsafeUnwrap();
    const changed = changePreferences(
      current,
      {
        channels: { sms: { reminder: undefined, announcement: false }, email: undefined },
        quietHours: undefined,
        phoneNumber: undefined,
        pushToken: undefined,
      },
      at,
    )._unsafeUnwrap();
    expect(changed.channels.sms).toEqual({ transactional: true, reminder: false, announcement: false });
    expect(changed.channels.email).toEqual(current.channels.email);
    expect(changed).toMatchObject({ quietHours: current.quietHours, phoneNumber: '+4915112345678', pushToken: null });
    expect(changePreferences(current, { channels: undefined }, at)._unsafeUnwrap().channels).toEqual(current.channels);
  });

  it('sets and clears quiet hours, a phone number and a push token', () => {
    const set = changePreferences(
      defaultPreferences('u'),
      { quietHours: { start: '22:00', end: '07:00' }, phoneNumber: ' +49 151 1234 5678 ', pushToken: ' token-0123456789abcdef ' },
      at,
    )._unsafeUnwrap();
    expect(set).toMatchObject({
      quietHours: { start: '22:00', end: '07:00' },
      phoneNumber: '+4915112345678',
      pushToken: 'token-0123456789abcdef',
    });
    const cleared = changePreferences(set, { quietHours: null, phoneNumber: null, pushToken: null }, at)._unsafeUnwrap();
    expect(cleared).toMatchObject({ quietHours: null, phoneNumber: null, pushToken: null });
  });

  it('refuses invalid quiet hours, pointing at the time', () => {
    fc.assert(
      fc.property(notificationPreferencesArbitrary, invalidClockArbitrary, quietHoursArbitrary, (current, bad, good) => {
        expect(changePreferences(current, { quietHours: { start: bad, end: good.end } }, at)._unsafeUnwrapErr()).toMatchObject({
          type: 'notifications.invalid_quiet_hours',
          details: { field: 'quietHours.start' },
        });
        expect(changePreferences(current, { quietHours: { start: good.start, end: bad } }, at)._unsafeUnwrapErr()).toMatchObject({
          type: 'notifications.invalid_quiet_hours',
          details: { field: 'quietHours.end' },
        });
        expect(
          changePreferences(current, { quietHours: { start: good.start, end: good.start } }, at)._unsafeUnwrapErr(),
        ).toMatchObject({
          type: 'notifications.invalid_quiet_hours',
          details: { field: 'quietHours' },
        });
      }),
    );
  });

  it('refuses an invalid phone number or push token, pointing at it', () => {
    fc.assert(
      fc.property(
        notificationPreferencesArbitrary,
        invalidPhoneNumberArbitrary,
        invalidDeviceTokenArbitrary,
        (current, phone, token) => {
          expect(changePreferences(current, { phoneNumber: phone }, at)._unsafeUnwrapErr()).toMatchObject({
            type: 'notifications.invalid_recipient',
            details: { field: 'phoneNumber' },
          });
          expect(changePreferences(current, { pushToken: token }, at)._unsafeUnwrapErr()).toMatchObject({
            type: 'notifications.invalid_recipient',
            details: { field: 'pushToken' },
          });
        },
      ),
    );
  });

  it('refuses the whole change when one part is invalid', () => {
    fc.assert(
      fc.property(notificationPreferencesArbitrary, rawPhoneNumberArbitrary, deviceTokenArbitrary, (current, phone, token) => {
        const result = changePreferences(
          current,
          {
            channels: { email: { reminder: false } },
            phoneNumber: phone,
            pushToken: token,
            quietHours: { start: '25:00', end: '07:00' },
          },
          at,
        );
        expect(result._unsafeUnwrapErr().details).toEqual({ field: 'quietHours.start' });
      }),
    );
  });
});

describe('wants', () => {
  it('is always true for security or critical notifications, whatever the choices', () => {
    fc.assert(
      fc.property(
        reachablePreferencesArbitrary,
        channelArbitrary,
        categoryArbitrary,
        priorityArbitrary,
        (preferences, channel, category, priority) => {
          fc.pre(category === 'security' || priority === 'critical');
          expect(wants(preferences, channel, category, priority)).toBe(true);
        },
      ),
    );
    const nothing = changePreferences(
      defaultPreferences('u'),
      {
        channels: Object.fromEntries(
          CHANNELS.map((channel) => [channel, { transactional: false, reminder: false, announcement: false }]),
        ),
      },
      at,
    )._unsafeUnwrap();
    for (const channel of CHANNELS) {
      expect(wants(nothing, channel, 'security', 'normal')).toBe(true);
      expect(wants(nothing, channel, 'reminder', 'critical')).toBe(true);
      expect(wants(nothing, channel, 'reminder', 'normal')).toBe(false);
    }
  });

  it('otherwise is the stored choice', () => {
    fc.assert(
      fc.property(
        reachablePreferencesArbitrary,
        channelArbitrary,
        priorityArbitrary,
        categoryArbitrary,
        (preferences, channel, priority, category) => {
          if (category === 'security' || priority === 'critical') return;
          expect(wants(preferences, channel, category, priority)).toBe(preferences.channels[channel][category]);
        },
      ),
    );
  });
});
