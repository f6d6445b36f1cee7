import { describe, expect, it } from 'vitest';
import { parseAvailability } from './availability.js';
import { DEFAULT_POLICY, type ProfileInput, setUpProfile } from './therapist.js';
import { clockOfMinute, firstInstantOf, localDateOf, minuteOfClock, parseZone, wallWindow } from './wall-clock.js';

let n = 0;
const newId = () => `0190aaaa-bbbb-7ccc-8ddd-${String(++n).padStart(12, '0')}`;
const type = { name: ' Individual session ', durationMinutes: 50, modality: 'video', priceMinor: 9000, currency: 'EUR' };
const input: ProfileInput = {
  bio: '  Hello  ',
  specialties: ['CBT', 'cbt', ' Couples '],
  languages: ['en', 'pt-br', 'EN'],
  acceptingNewPatients: false,
  timeZone: 'europe/berlin',
  sessionTypes: [type],
  policy: { bufferAfterMinutes: 15 },
};

describe('setUpProfile', () => {
  it('normalises the profile and fills the policy with defaults', () => {
    const profile = setUpProfile('t-1', input, undefined, newId)._unsafeUnwrap();
    expect(profile).toMatchObject({
      therapistId: 't-1',
      bio: 'Hello',
      specialties: ['cbt', 'couples'],
      languages: ['en', 'pt-BR'],
      acceptingNewPatients: false,
      timeZone: 'Europe/Berlin',
      sessionTypes: [{ name: 'Individual session', durationMinutes: 50, modality: 'video', priceMinor: 9000, currency: 'EUR' }],
      policy: { ...DEFAULT_POLICY, bufferAfterMinutes: 15 },
    });
    const again = setUpProfile(
      't-1',
      { timeZone: 'UTC', sessionTypes: [{ ...type, id: profile.sessionTypes[0]?.id }] },
      profile,
      newId,
    );
    expect(again._unsafeUnwrap()).toMatchObject({
      bio: 'Hello',
      timeZone: 'UTC',
      acceptingNewPatients: false,
      sessionTypes: [{ id: profile.sessionTypes[0]?.id }],
    });
    expect(setUpProfile('t-2', { timeZone: 'UTC' }, undefined, newId)._unsafeUnwrap()).toMatchObject({
      bio: '',
      specialties: [],
      languages: [],
      acceptingNewPatients: true,
      sessionTypes: [],
      policy: DEFAULT_POLICY,
    });
  });

  it.each([
    [{ timeZone: '+01:00' }, 'therapy.invalid_time_zone', 'timeZone'],
    [{ timeZone: 'Mars/Olympus' }, 'therapy.invalid_time_zone', 'timeZone'],
    [{ bio: 'x'.repeat(5001) }, 'therapy.invalid_profile', 'bio'],
    [{ bio: 'a\u0000' }, 'therapy.invalid_profile', 'bio'],
    [{ specialties: Array.from({ length: 21 }, (_, i) => `s${i}`) }, 'therapy.invalid_profile', 'specialties'],
    [{ specialties: [''] }, 'therapy.invalid_profile', 'specialties.0'],
    [{ languages: ['english!'] }, 'therapy.invalid_profile', 'languages.0'],
    [{ languages: ['en', 'en-a'] }, 'therapy.invalid_profile', 'languages.1'],
    [{ languages: Array.from({ length: 21 }, () => 'en') }, 'therapy.invalid_profile', 'languages'],
    [{ sessionTypes: Array.from({ length: 21 }, () => type) }, 'therapy.invalid_profile', 'sessionTypes'],
    [{ sessionTypes: [{ ...type, name: '' }] }, 'therapy.invalid_profile', 'sessionTypes.0.name'],
    [{ sessionTypes: [{ ...type, durationMinutes: 5 }] }, 'therapy.invalid_profile', 'sessionTypes.0.durationMinutes'],
    [{ sessionTypes: [{ ...type, durationMinutes: 50.5 }] }, 'therapy.invalid_profile', 'sessionTypes.0.durationMinutes'],
    [{ sessionTypes: [{ ...type, modality: 'phone' }] }, 'therapy.invalid_profile', 'sessionTypes.0.modality'],
    [{ sessionTypes: [{ ...type, priceMinor: 10.5 }] }, 'therapy.invalid_profile', 'sessionTypes.0.priceMinor'],
    [{ sessionTypes: [{ ...type, priceMinor: -1 }] }, 'therapy.invalid_profile', 'sessionTypes.0.priceMinor'],
    [{ sessionTypes: [{ ...type, currency: 'XYZ' }] }, 'therapy.invalid_profile', 'sessionTypes.0.currency'],
    [
      {
        sessionTypes: [
          { ...type, id: 'a' },
          { ...type, id: 'a' },
        ],
      },
      'therapy.invalid_profile',
      'sessionTypes.1.id',
    ],
    [{ policy: { bufferBeforeMinutes: 241 } }, 'therapy.invalid_profile', 'policy.bufferBeforeMinutes'],
    [{ policy: { slotStepMinutes: 1 } }, 'therapy.invalid_profile', 'policy.slotStepMinutes'],
  ])('refuses %j', (change, type, field) => {
    const result = setUpProfile('t', { timeZone: 'UTC', ...change }, undefined, newId);
    expect(result._unsafeUnwrapErr()).toMatchObject({ type, details: { field } });
  });
});

describe('parseAvailability', () => {
  it('accepts weekly rules and overrides', () => {
    const availability = {
      weeklyRules: [
        { weekday: 1, start: '09:00', end: '12:00' },
        { weekday: 1, start: '13:00', end: '24:00' },
      ],
      overrides: [
        { date: '2026-12-24', kind: 'day_off' },
        { date: '2026-12-23', kind: 'blocked', start: '10:00', end: '11:00' },
        { date: '2026-12-23', kind: 'extra', start: '10:00', end: '11:00' },
      ],
    };
    expect(parseAvailability(availability)._unsafeUnwrap()).toEqual(availability);
  });

  it.each([
    [{ weeklyRules: Array.from({ length: 71 }, () => ({ weekday: 1, start: '09:00', end: '10:00' })) }, 'weeklyRules'],
    [{ overrides: Array.from({ length: 367 }, () => ({ date: '2026-01-01', kind: 'day_off' })) }, 'overrides'],
    [{ weeklyRules: [{ weekday: 0, start: '09:00', end: '10:00' }] }, 'weeklyRules.0.weekday'],
    [{ weeklyRules: [{ weekday: 1, start: '24:00', end: '24:00' }] }, 'weeklyRules.0.start'],
    [{ weeklyRules: [{ weekday: 1, start: '9:00', end: '10:00' }] }, 'weeklyRules.0.start'],
    [{ weeklyRules: [{ weekday: 1, start: '09:00', end: '25:00' }] }, 'weeklyRules.0.end'],
    [{ weeklyRules: [{ weekday: 1, start: '10:00', end: '10:00' }] }, 'weeklyRules.0.end'],
    [
      {
        weeklyRules: [
          { weekday: 2, start: '09:00', end: '11:00' },
          { weekday: 2, start: '10:00', end: '12:00' },
        ],
      },
      'weeklyRules.1',
    ],
    [{ overrides: [{ date: '2026-02-30', kind: 'day_off' }] }, 'overrides.0.date'],
    [{ overrides: [{ date: 'tomorrow', kind: 'day_off' }] }, 'overrides.0.date'],
    [{ overrides: [{ date: '2026-02-03', kind: 'day_off', start: '09:00' }] }, 'overrides.0'],
    [
      {
        overrides: [
          { date: '2026-02-03', kind: 'day_off' },
          { date: '2026-02-03', kind: 'day_off' },
        ],
      },
      'overrides.1',
    ],
    [{ overrides: [{ date: '2026-02-03', kind: 'holiday' }] }, 'overrides.0.kind'],
    [{ overrides: [{ date: '2026-02-03', kind: 'extra', start: '09:00' }] }, 'overrides.0.end'],
    [{ overrides: [{ date: '2026-02-03', kind: 'blocked' }] }, 'overrides.0.start'],
    [
      {
        overrides: [
          { date: '2026-02-03', kind: 'extra', start: '09:00', end: '10:00' },
          { date: '2026-02-03', kind: 'extra', start: '09:30', end: '11:00' },
        ],
      },
      'overrides.1',
    ],
  ])('refuses %j at %s', (change, field) => {
    const result = parseAvailability({ weeklyRules: [], overrides: [], ...change });
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'therapy.invalid_availability', details: { field } });
  });
});

describe('wall clock', () => {
  it('parses zones, clocks and local dates', () => {
    expect(parseZone(' asia/kathmandu ')._unsafeUnwrap()).toBe('Asia/Kathmandu');
    expect(parseZone('x'.repeat(65)).isErr()).toBe(true);
    expect(minuteOfClock('24:00')).toBe(1440);
    expect(minuteOfClock('23:59')).toBe(1439);
    expect(minuteOfClock('24:01')).toBeUndefined();
    expect(clockOfMinute(545)).toBe('09:05');
    expect(localDateOf(Date.UTC(2026, 0, 1, 23, 30), 'Asia/Kathmandu').toString()).toBe('2026-01-02');
  });

  it('finds the instants of a wall-clock range across a change, and none for a skipped time', () => {
    const date = localDateOf(Date.UTC(2026, 2, 29, 12), 'Europe/Berlin');
    expect(firstInstantOf(date, 150, 'Europe/Berlin')).toBeUndefined();
    // 01:00–04:00 local is two real hours that day, in two stretches of one offset each.
    expect(wallWindow(date, 60, 240, 'Europe/Berlin')).toEqual([
      { start: Date.UTC(2026, 2, 29, 0), end: Date.UTC(2026, 2, 29, 1) },
      { start: Date.UTC(2026, 2, 29, 1), end: Date.UTC(2026, 2, 29, 2) },
    ]);
    const fallBack = localDateOf(Date.UTC(2026, 9, 25, 12), 'Europe/Berlin');
    expect(wallWindow(fallBack, 120, 180, 'Europe/Berlin')).toEqual([
      { start: Date.UTC(2026, 9, 25, 0), end: Date.UTC(2026, 9, 25, 1) },
      { start: Date.UTC(2026, 9, 25, 1), end: Date.UTC(2026, 9, 25, 2) },
    ]);
    // UTC has no change at all: one stretch.
    expect(wallWindow(localDateOf(0, 'UTC'), 0, 1440, 'UTC')).toEqual([{ start: 0, end: 86_400_000 }]);
  });
});
