import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clockArbitrary,
  clockChangesOf,
  clockOf,
  instant2020sArbitrary,
  invalidClockArbitrary,
  QUIET_HOURS_TIME_ZONES,
  quietHoursArbitrary,
  quietHoursInstantArbitrary,
  quietHoursTimeZoneArbitrary,
  utcOffsetMinutes,
} from '../testing/index.js';
import { isQuietAt, localMinuteOfDay, parseQuietHours, type QuietHours, quietHoursEnd } from './quiet-hours.js';

const MINUTE_MS = 60_000;

/**
 * The contract of quietHoursEnd: undefined outside quiet hours; otherwise the first whole UTC
 * minute after `at` that is not quiet, every whole minute in between being quiet.
 */
function expectEnd(at: Date, quietHours: QuietHours, timeZone: string): Date | undefined {
  const end = quietHoursEnd(at, quietHours, timeZone);
  if (!isQuietAt(at, quietHours, timeZone)) {
    expect(end).toBeUndefined();
    return end;
  }
  if (end === undefined) throw new Error('quiet at `at` but no end');
  expect(end.getTime()).toBeGreaterThan(at.getTime());
  expect(end.getTime() % MINUTE_MS).toBe(0);
  expect(isQuietAt(end, quietHours, timeZone)).toBe(false);
  const first = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  // Under a day and an hour, except when the only time off the window is skipped by the clock going
  // forward (03:00–02:00 in Berlin on the spring-forward night): then it is the next day's.
  expect((end.getTime() - first) / MINUTE_MS).toBeLessThan(2 * 24 * 60);
  for (let ms = first; ms < end.getTime(); ms += MINUTE_MS) {
    if (!isQuietAt(new Date(ms), quietHours, timeZone)) throw new Error(`${new Date(ms).toISOString()} is not quiet`);
  }
  return end;
}

/** Windows that contain `at` on `timeZone`'s wall clock, starting up to 4 h before it (where a clock going back leaves them through their start). */
const windowAround = (at: Date, timeZone: string) =>
  fc
    .tuple(fc.integer({ min: 0, max: 240 }), fc.integer({ min: 1, max: 24 * 60 - 1 }))
    .filter(([back, length]) => back < length)
    .map(([back, length]) => {
      const start = (localMinuteOfDay(at, timeZone) - back + 24 * 60) % (24 * 60);
      return { start: clockOf(start), end: clockOf((start + length) % (24 * 60)) };
    });

const local = (iso: string) => new Date(iso);

describe('parseQuietHours', () => {
  it('accepts any two different HH:MM times', () => {
    fc.assert(
      fc.property(quietHoursArbitrary, (quietHours) => {
        expect(parseQuietHours(quietHours)._unsafeUnwrap()).toEqual(quietHours);
      }),
    );
    expect(parseQuietHours({ start: '00:00', end: '23:59' })._unsafeUnwrap()).toEqual({ start: '00:00', end: '23:59' });
  });

  it('points at the start, the end or the pair, under the field it was given', () => {
    fc.assert(
      fc.property(invalidClockArbitrary, clockArbitrary, (bad, good) => {
        expect(parseQuietHours({ start: bad, end: good })._unsafeUnwrapErr()).toEqual({
          type: 'notifications.invalid_quiet_hours',
          message: 'start must be a time like 22:00',
          details: { field: 'quietHours.start' },
        });
        expect(parseQuietHours({ start: good, end: bad })._unsafeUnwrapErr()).toEqual({
          type: 'notifications.invalid_quiet_hours',
          message: 'end must be a time like 07:00',
          details: { field: 'quietHours.end' },
        });
        expect(parseQuietHours({ start: good, end: good })._unsafeUnwrapErr()).toEqual({
          type: 'notifications.invalid_quiet_hours',
          message: 'start and end must differ (leave quiet hours out to have none)',
          details: { field: 'quietHours' },
        });
      }),
    );
    expect(parseQuietHours({ start: '22:00', end: '24:00' }, 'prefs.quiet')._unsafeUnwrapErr().details).toEqual({
      field: 'prefs.quiet.end',
    });
    expect(parseQuietHours({ start: '7:00', end: '8:00' }, 'prefs.quiet')._unsafeUnwrapErr().details).toEqual({
      field: 'prefs.quiet.start',
    });
  });
});

describe('localMinuteOfDay', () => {
  it('reads the wall clock of the zone, fractional offsets included', () => {
    const at = new Date('2024-01-15T12:34:56.789Z');
    expect(localMinuteOfDay(at, 'UTC')).toBe(12 * 60 + 34);
    expect(localMinuteOfDay(at, 'Asia/Kolkata')).toBe(18 * 60 + 4);
    expect(localMinuteOfDay(at, 'Asia/Kathmandu')).toBe(18 * 60 + 19);
    expect(localMinuteOfDay(at, 'Pacific/Chatham')).toBe((12 * 60 + 34 + 13 * 60 + 45) % (24 * 60)); // +13:45 in summer
    expect(localMinuteOfDay(at, 'America/New_York')).toBe(7 * 60 + 34);
    expect(localMinuteOfDay(new Date('2024-01-15T00:00:00Z'), 'UTC')).toBe(0);
    expect(localMinuteOfDay(new Date('2024-01-15T23:59:59.999Z'), 'UTC')).toBe(24 * 60 - 1);
  });

  it('is the UTC minute of the day shifted by the zone offset', () => {
    fc.assert(
      fc.property(instant2020sArbitrary, quietHoursTimeZoneArbitrary, (at, timeZone) => {
        const utcMinute = Math.floor(at.getTime() / MINUTE_MS);
        const expected = (((utcMinute + utcOffsetMinutes(at.getTime(), timeZone)) % 1440) + 1440) % 1440;
        expect(localMinuteOfDay(at, timeZone)).toBe(expected);
      }),
    );
  });
});

describe('isQuietAt', () => {
  it('includes the start and excludes the end, over midnight too', () => {
    const day = { start: '09:00', end: '17:30' };
    const night = { start: '22:00', end: '07:00' };
    const cases: Array<[string, QuietHours, boolean]> = [
      ['2024-05-01T08:59:59.999Z', day, false],
      ['2024-05-01T09:00:00.000Z', day, true],
      ['2024-05-01T17:29:59.999Z', day, true],
      ['2024-05-01T17:30:00.000Z', day, false],
      ['2024-05-01T21:59:00.000Z', night, false],
      ['2024-05-01T22:00:00.000Z', night, true],
      ['2024-05-01T23:59:59.000Z', night, true],
      ['2024-05-02T00:00:00.000Z', night, true],
      ['2024-05-02T06:59:59.000Z', night, true],
      ['2024-05-02T07:00:00.000Z', night, false],
      ['2024-05-02T12:00:00.000Z', night, false],
    ];
    for (const [iso, quietHours, quiet] of cases) expect(isQuietAt(new Date(iso), quietHours, 'UTC')).toBe(quiet);
  });

  it('uses the recipient’s wall clock', () => {
    const night = { start: '22:00', end: '07:00' };
    // 03:00 UTC is 23:00 in New York (quiet) and 08:30 in Kolkata (not quiet).
    expect(isQuietAt(local('2024-05-02T03:00:00Z'), night, 'America/New_York')).toBe(true);
    expect(isQuietAt(local('2024-05-02T03:00:00Z'), night, 'Asia/Kolkata')).toBe(false);
    expect(isQuietAt(local('2024-05-02T01:29:00Z'), night, 'Asia/Kolkata')).toBe(true); // 06:59 in Kolkata
    expect(isQuietAt(local('2024-05-02T01:30:00Z'), night, 'Asia/Kolkata')).toBe(false); // 07:00 in Kolkata
  });

  it('matches the wall-clock minute for every zone and window', () => {
    fc.assert(
      fc.property(instant2020sArbitrary, quietHoursTimeZoneArbitrary, quietHoursArbitrary, (at, timeZone, quietHours) => {
        const minute = localMinuteOfDay(at, timeZone);
        const [start, end] = [quietHours.start, quietHours.end].map(
          (clock) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3)),
        );
        const inside =
          (start as number) < (end as number)
            ? minute >= (start as number) && minute < (end as number)
            : minute >= (start as number) || minute < (end as number);
        expect(isQuietAt(at, quietHours, timeZone)).toBe(inside);
      }),
    );
  });
});

describe('quietHoursEnd', () => {
  it('finds every zone’s clock changes it is tested across', () => {
    for (const zone of ['America/New_York', 'Europe/Berlin', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham']) {
      expect(clockChangesOf(zone)).toHaveLength(22);
    }
    for (const zone of ['Asia/Kolkata', 'Asia/Kathmandu', 'America/Sao_Paulo', 'UTC']) expect(clockChangesOf(zone)).toEqual([]);
    expect(QUIET_HOURS_TIME_ZONES).toHaveLength(9);
  });

  it('is the first whole minute after `at` off quiet hours, every minute before it being quiet (any instant, window, zone)', () => {
    fc.assert(
      fc.property(
        quietHoursTimeZoneArbitrary.chain((timeZone) =>
          fc.tuple(fc.constant(timeZone), quietHoursInstantArbitrary(timeZone), quietHoursArbitrary),
        ),
        ([timeZone, at, quietHours]) => {
          expectEnd(at, quietHours, timeZone);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the contract for windows that contain `at` around clock changes', () => {
    fc.assert(
      fc.property(
        quietHoursTimeZoneArbitrary
          .chain((timeZone) => fc.tuple(fc.constant(timeZone), quietHoursInstantArbitrary(timeZone)))
          .chain(([timeZone, at]) => fc.tuple(fc.constant(timeZone), fc.constant(at), windowAround(at, timeZone))),
        ([timeZone, at, quietHours]) => {
          expect(isQuietAt(at, quietHours, timeZone)).toBe(true);
          expectEnd(at, quietHours, timeZone);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ends a window over midnight at its end, the next morning', () => {
    const night = { start: '22:00', end: '07:00' };
    expect(quietHoursEnd(local('2024-05-01T22:00:00Z'), night, 'UTC')).toEqual(local('2024-05-02T07:00:00Z'));
    expect(quietHoursEnd(local('2024-05-01T23:59:30.500Z'), night, 'UTC')).toEqual(local('2024-05-02T07:00:00Z'));
    expect(quietHoursEnd(local('2024-05-02T06:59:59.999Z'), night, 'UTC')).toEqual(local('2024-05-02T07:00:00Z'));
    expect(quietHoursEnd(local('2024-05-02T07:00:00Z'), night, 'UTC')).toBeUndefined();
    expect(quietHoursEnd(local('2024-05-01T21:59:59Z'), night, 'UTC')).toBeUndefined();
    // Berlin in summer is UTC+2: 23:15 local → 07:00 local = 05:00Z.
    expect(quietHoursEnd(local('2024-05-01T21:15:00Z'), night, 'Europe/Berlin')).toEqual(local('2024-05-02T05:00:00Z'));
    // Kathmandu is UTC+5:45: 06:44 local (00:59Z) → 07:00 local = 01:15Z.
    expect(quietHoursEnd(local('2024-05-02T00:59:00Z'), night, 'Asia/Kathmandu')).toEqual(local('2024-05-02T01:15:00Z'));
  });

  it('ends at 03:00 local when the clock skips from 02:00 to 03:00 inside the window (spring forward)', () => {
    const quiet = { start: '01:30', end: '02:30' };
    // Berlin, 31 March 2024: 02:00 CET → 03:00 CEST (01:00Z). 01:45 CET = 00:45Z; 03:00 CEST = 01:00Z.
    expect(quietHoursEnd(local('2024-03-31T00:45:00Z'), quiet, 'Europe/Berlin')).toEqual(local('2024-03-31T01:00:00Z'));
    expect(localMinuteOfDay(local('2024-03-31T01:00:00Z'), 'Europe/Berlin')).toBe(3 * 60);
    // New York, 10 March 2024: 02:00 EST → 03:00 EDT (07:00Z). 01:30 EST = 06:30Z.
    expect(quietHoursEnd(local('2024-03-10T06:30:00Z'), quiet, 'America/New_York')).toEqual(local('2024-03-10T07:00:00Z'));
    expect(localMinuteOfDay(local('2024-03-10T07:00:00Z'), 'America/New_York')).toBe(3 * 60);
    // A night window keeps its local end: 22:00–07:00 is an hour shorter in real time.
    const night = { start: '22:00', end: '07:00' };
    expect(quietHoursEnd(local('2024-03-30T21:00:00Z'), night, 'Europe/Berlin')).toEqual(local('2024-03-31T05:00:00Z')); // 07:00 CEST
    expect(quietHoursEnd(local('2024-03-10T03:00:00Z'), night, 'America/New_York')).toEqual(local('2024-03-10T11:00:00Z')); // 07:00 EDT
  });

  it('ends at the first 02:30 when the clock goes back from 03:00 to 02:00 (fall back)', () => {
    // Berlin, 27 October 2024: 03:00 CEST → 02:00 CET (01:00Z). 02:10 CEST = 00:10Z; 02:30 CEST = 00:30Z.
    const quiet = { start: '02:00', end: '02:30' };
    expect(quietHoursEnd(local('2024-10-27T00:10:00Z'), quiet, 'Europe/Berlin')).toEqual(local('2024-10-27T00:30:00Z'));
    // Back in the window on the second pass (02:10 CET = 01:10Z): ends at 02:30 CET = 01:30Z.
    expect(quietHoursEnd(local('2024-10-27T01:10:00Z'), quiet, 'Europe/Berlin')).toEqual(local('2024-10-27T01:30:00Z'));
    // A night window keeps its local end: an hour longer in real time.
    const night = { start: '22:00', end: '07:00' };
    expect(quietHoursEnd(local('2024-10-26T20:00:00Z'), night, 'Europe/Berlin')).toEqual(local('2024-10-27T06:00:00Z')); // 07:00 CET
    expect(quietHoursEnd(local('2024-11-03T02:00:00Z'), night, 'America/New_York')).toEqual(local('2024-11-03T12:00:00Z')); // 07:00 EST
  });

  it('waits for the next day when the clock skips the only time off the window (spring forward)', () => {
    // Berlin, 25 March 2029: 02:00 CET → 03:00 CEST at 01:00Z, so 02:00–02:59 does not happen that day.
    const quiet = { start: '03:00', end: '02:00' };
    expect(expectEnd(local('2029-03-24T02:10:43.168Z'), quiet, 'Europe/Berlin')).toEqual(local('2029-03-26T00:00:00Z'));
  });

  it('ends where the clock going back leaves the window through its start (fall back)', () => {
    // New York, 3 November 2024: 02:00 EDT → 01:00 EST (06:00Z). Quiet 01:30–05:30, at 01:40 EDT (05:40Z):
    // the next minutes are 01:41…01:59 EDT, then 01:00 EST (06:00Z), which is before the window.
    const quiet = { start: '01:30', end: '05:30' };
    expect(quietHoursEnd(local('2024-11-03T05:40:00Z'), quiet, 'America/New_York')).toEqual(local('2024-11-03T06:00:00Z'));
    // Then 01:30 EST (06:30Z) starts it again, until 05:30 EST (10:30Z).
    expect(quietHoursEnd(local('2024-11-03T06:30:00Z'), quiet, 'America/New_York')).toEqual(local('2024-11-03T10:30:00Z'));
    // Berlin, 27 October 2024, quiet 02:15–06:00 at 02:40 CEST (00:40Z): 02:00 CET (01:00Z) is before the window.
    expect(quietHoursEnd(local('2024-10-27T00:40:00Z'), { start: '02:15', end: '06:00' }, 'Europe/Berlin')).toEqual(
      local('2024-10-27T01:00:00Z'),
    );
  });

  it('handles Lord Howe’s 30-minute change', () => {
    // Australia/Lord_Howe, 7 April 2024: 02:00 (+11) → 01:30 (+10:30) at 15:00Z.
    const quiet = { start: '01:45', end: '03:00' };
    // 01:50 (+11) = 14:50Z; ten minutes later the clock reads 01:30, before the window.
    expect(quietHoursEnd(local('2024-04-06T14:50:00Z'), quiet, 'Australia/Lord_Howe')).toEqual(local('2024-04-06T15:00:00Z'));
    expect(quietHoursEnd(local('2024-04-06T15:20:00Z'), quiet, 'Australia/Lord_Howe')).toEqual(local('2024-04-06T16:30:00Z'));
  });
});
