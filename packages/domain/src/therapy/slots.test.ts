import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { slotSearchArbitrary, THERAPY_TIME_ZONES } from '../testing/index.js';
import type { Availability, DateOverride, WeeklyRule } from './availability.js';
import { blockedRange, checkSlot, findSlots, type SlotRules } from './slots.js';
import { type BookingPolicy, DEFAULT_POLICY } from './therapist.js';
import { firstInstantOf, localDateTimeOf, MINUTE_MS, minuteOfClock, type ZoneName } from './wall-clock.js';

const open: BookingPolicy = {
  ...DEFAULT_POLICY,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  minBookingNoticeMinutes: 0,
  bookingHorizonDays: 365,
  slotStepMinutes: 30,
};

function rules(zone: string, availability: Partial<Availability>, overrides: Partial<SlotRules> = {}): SlotRules {
  return {
    timeZone: zone as ZoneName,
    availability: { weeklyRules: [], overrides: [], ...availability },
    policy: open,
    durationMinutes: 30,
    booked: [],
    now: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

/** Local wall-clock labels (`HH:MM+offset`) of the slots found on one local date. */
function labels(r: SlotRules, date: string): string[] {
  const from = Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: r.timeZone });
  const to = from.add({ days: 1 });
  return findSlots(r, new Date(from.epochMilliseconds), new Date(to.epochMilliseconds)).map((slot) =>
    localDateTimeOf(slot.startsAt, r.timeZone).slice(11, 16).concat(localDateTimeOf(slot.startsAt, r.timeZone).slice(19)),
  );
}

const sunday = (start: string, end: string): WeeklyRule => ({ weekday: 7, start, end });

describe('slots across daylight-saving changes', () => {
  it('offers no slot at a local time the clock skips (Berlin, spring forward)', () => {
    const r = rules('Europe/Berlin', { weeklyRules: [sunday('01:00', '05:00')] });
    expect(labels(r, '2026-03-29')).toEqual([
      '01:00+01:00',
      '01:30+01:00',
      '03:00+02:00',
      '03:30+02:00',
      '04:00+02:00',
      '04:30+02:00',
    ]);
  });

  it('offers a local time the clock shows twice once, at its first occurrence (Berlin, fall back)', () => {
    const r = rules('Europe/Berlin', { weeklyRules: [sunday('01:00', '04:00')] });
    expect(labels(r, '2026-10-25')).toEqual([
      '01:00+02:00',
      '01:30+02:00',
      '02:00+02:00',
      '02:30+02:00',
      '03:00+01:00',
      '03:30+01:00',
    ]);
  });

  it('keeps a weekly 09:00 at 09:00 local on both sides of the change', () => {
    const r = rules('Europe/Berlin', { weeklyRules: [{ weekday: 1, start: '09:00', end: '09:30' }] });
    const slots = findSlots(r, new Date('2026-03-16T00:00:00Z'), new Date('2026-04-07T00:00:00Z'));
    expect(slots.map((s) => s.startsAt.toISOString())).toEqual([
      '2026-03-16T08:00:00.000Z',
      '2026-03-23T08:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
      '2026-04-06T07:00:00.000Z',
    ]);
    expect(slots.map((s) => localDateTimeOf(s.startsAt, 'Europe/Berlin').slice(11, 16))).toEqual([
      '09:00',
      '09:00',
      '09:00',
      '09:00',
    ]);
  });

  it('skips the half hour Lord Howe jumps over, and offers its repeated half hour once', () => {
    const r = rules(
      'Australia/Lord_Howe',
      { weeklyRules: [sunday('01:00', '03:30')] },
      { policy: { ...open, slotStepMinutes: 15 } },
    );
    expect(labels(r, '2026-10-04')).toEqual([
      '01:00+10:30',
      '01:15+10:30',
      '01:30+10:30',
      '01:45+10:30',
      '02:30+11:00',
      '02:45+11:00',
      '03:00+11:00',
    ]);
    expect(labels(r, '2026-04-05')).toEqual([
      '01:00+11:00',
      '01:15+11:00',
      '01:30+11:00',
      '01:45+11:00',
      '02:00+10:30',
      '02:15+10:30',
      '02:30+10:30',
      '02:45+10:30',
      '03:00+10:30',
    ]);
  });

  it('uses +5:45 in Kathmandu and +9:30/+10:30 in Adelaide', () => {
    const k = rules('Asia/Kathmandu', { weeklyRules: [{ weekday: 1, start: '09:00', end: '09:30' }] });
    expect(findSlots(k, new Date('2026-06-01T00:00:00Z'), new Date('2026-06-02T00:00:00Z'))[0]?.startsAt.toISOString()).toBe(
      '2026-06-01T03:15:00.000Z',
    );
    const a = rules('Australia/Adelaide', { weeklyRules: [sunday('02:00', '03:00')] });
    expect(labels(a, '2026-04-05')).toEqual(['02:00+10:30', '02:30+10:30']);
    expect(labels(a, '2026-10-04')).toEqual([]);
  });

  it('starts the day at 01:00 when Santiago skips midnight', () => {
    const r = rules('America/Santiago', { weeklyRules: [sunday('00:00', '02:00')] });
    expect(labels(r, '2026-09-06')).toEqual(['01:00-03:00', '01:30-03:00']);
  });

  it('lets a slot run across the change when the session fits the real time left', () => {
    const r = rules('Europe/Berlin', { weeklyRules: [sunday('01:00', '03:30')] }, { durationMinutes: 60 });
    // 01:30 + 60 real minutes is 03:30 local on this day; 03:00 + 60 would end after the window.
    expect(labels(r, '2026-03-29')).toEqual(['01:00+01:00', '01:30+01:00']);
  });
});

describe('checkSlot', () => {
  const monday = { weekday: 1 as const, start: '09:00', end: '12:00' };
  const at = (iso: string) => new Date(iso);
  const base = rules('UTC', { weeklyRules: [monday] }, { now: at('2026-06-01T00:00:00Z') });
  const reason = (r: SlotRules, iso: string) => checkSlot(r, at(iso))._unsafeUnwrapErr().details.reason;

  it('accepts an offered start and returns the slot', () => {
    expect(checkSlot(base, at('2026-06-01T09:30:00Z'))._unsafeUnwrap()).toEqual({
      startsAt: at('2026-06-01T09:30:00Z'),
      endsAt: at('2026-06-01T10:00:00Z'),
    });
  });

  it('names why a time cannot be booked', () => {
    expect(reason(base, '2026-06-01T09:10:00Z')).toBe('outside_availability');
    expect(reason(base, '2026-06-01T12:00:00Z')).toBe('outside_availability');
    expect(
      reason(
        { ...base, now: at('2026-06-01T09:00:00Z'), policy: { ...open, minBookingNoticeMinutes: 60 } },
        '2026-06-01T09:30:00Z',
      ),
    ).toBe('inside_notice');
    expect(reason({ ...base, policy: { ...open, bookingHorizonDays: 1 } }, '2026-06-08T09:00:00Z')).toBe('past_horizon');
    const booked = {
      startsAt: at('2026-06-01T10:00:00Z'),
      blockedFrom: at('2026-06-01T10:00:00Z'),
      blockedUntil: at('2026-06-01T10:40:00Z'),
    };
    expect(reason({ ...base, booked: [booked] }, '2026-06-01T10:30:00Z')).toBe('taken');
    // The new session's own buffer after (10 min) reaches the booked one.
    expect(reason({ ...base, booked: [booked], policy: { ...open, bufferAfterMinutes: 10 } }, '2026-06-01T09:30:00Z')).toBe(
      'taken',
    );
    expect(checkSlot({ ...base, booked: [booked] }, at('2026-06-01T09:30:00Z')).isOk()).toBe(true);
    expect(reason({ ...base, booked: [booked], policy: { ...open, maxSessionsPerDay: 1 } }, '2026-06-01T11:00:00Z')).toBe(
      'daily_cap',
    );
  });

  it('applies days off, blocked ranges and extra ranges on their local date', () => {
    const withOverrides = (overrides: DateOverride[]) => ({ ...base, availability: { weeklyRules: [monday], overrides } });
    expect(reason(withOverrides([{ date: '2026-06-01', kind: 'day_off' }]), '2026-06-01T09:00:00Z')).toBe('outside_availability');
    const blocked = withOverrides([{ date: '2026-06-01', kind: 'blocked', start: '09:45', end: '10:15' }]);
    expect(reason(blocked, '2026-06-01T09:30:00Z')).toBe('outside_availability');
    expect(checkSlot(blocked, at('2026-06-01T09:00:00Z')).isOk()).toBe(true);
    const extra = withOverrides([
      { date: '2026-06-01', kind: 'day_off' },
      { date: '2026-06-01', kind: 'extra', start: '18:00', end: '24:00' },
    ]);
    expect(checkSlot(extra, at('2026-06-01T23:30:00Z')).isOk()).toBe(true);
    expect(reason(extra, '2026-06-01T09:00:00Z')).toBe('outside_availability');
  });

  it('lets adjacent windows hold one session across their boundary', () => {
    const r = rules(
      'UTC',
      {
        weeklyRules: [
          { weekday: 1, start: '09:00', end: '10:00' },
          { weekday: 1, start: '10:00', end: '11:00' },
        ],
      },
      { durationMinutes: 60, now: at('2026-06-01T00:00:00Z') },
    );
    expect(checkSlot(r, at('2026-06-01T09:30:00Z')).isOk()).toBe(true);
  });

  it('finds nothing in an empty or reversed range', () => {
    expect(findSlots(base, at('2026-06-01T12:00:00Z'), at('2026-06-01T09:00:00Z'))).toEqual([]);
  });

  it('computes the blocked range from the policy’s buffers', () => {
    expect(
      blockedRange(at('2026-06-01T10:00:00Z'), at('2026-06-01T11:00:00Z'), {
        ...open,
        bufferBeforeMinutes: 5,
        bufferAfterMinutes: 15,
      }),
    ).toEqual({
      from: at('2026-06-01T09:55:00Z'),
      until: at('2026-06-01T11:15:00Z'),
    });
  });
});

/** Is the instant inside the availability, on the therapist's wall clock (an oracle independent of findSlots)? */
function availableAt(ms: number, r: SlotRules): boolean {
  const local = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(r.timeZone);
  const date = local.toPlainDate().toString();
  const minute = local.hour * 60 + local.minute;
  const inside = (w: { start: string; end: string }) =>
    (minuteOfClock(w.start) as number) <= minute && minute < (minuteOfClock(w.end) as number);
  const overrides = r.availability.overrides.filter((o) => o.date === date);
  if (overrides.some((o) => o.kind === 'blocked' && inside(o))) return false;
  if (overrides.some((o) => o.kind === 'extra' && inside(o))) return true;
  if (overrides.some((o) => o.kind === 'day_off')) return false;
  return r.availability.weeklyRules.some((w) => w.weekday === local.dayOfWeek && inside(w));
}

describe('slot properties (zones with 30/45-minute offsets, southern-hemisphere and midnight changes)', () => {
  it('covers the zones the issue names', () => {
    expect(THERAPY_TIME_ZONES).toEqual(
      expect.arrayContaining(['Australia/Lord_Howe', 'Asia/Kathmandu', 'Australia/Adelaide', 'America/Santiago']),
    );
  });

  it('never offers a slot outside availability, overlapping a booking with buffers, inside the notice or past the horizon', () => {
    fc.assert(
      fc.property(slotSearchArbitrary(), ({ rules: r, from, to }) => {
        const slots = findSlots(r, from, to);
        const now = r.now.getTime();
        const perDay = new Map<string, number>();
        for (const b of r.booked) {
          const day = localDateTimeOf(b.startsAt, r.timeZone).slice(0, 10);
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
        }
        let previous = Number.NEGATIVE_INFINITY;
        for (const slot of slots) {
          const start = slot.startsAt.getTime();
          const end = slot.endsAt.getTime();
          expect(end - start).toBe(r.durationMinutes * MINUTE_MS);
          expect(start).toBeGreaterThan(previous);
          previous = start;
          expect(start).toBeGreaterThanOrEqual(from.getTime());
          expect(start).toBeLessThan(to.getTime());
          expect(start).toBeGreaterThanOrEqual(now + r.policy.minBookingNoticeMinutes * MINUTE_MS);
          expect(start).toBeLessThanOrEqual(now + r.policy.bookingHorizonDays * 24 * 60 * MINUTE_MS);
          for (let ms = start; ms < end; ms += MINUTE_MS) expect(availableAt(ms, r), new Date(ms).toISOString()).toBe(true);
          const blockedFrom = start - r.policy.bufferBeforeMinutes * MINUTE_MS;
          const blockedUntil = end + r.policy.bufferAfterMinutes * MINUTE_MS;
          for (const b of r.booked) {
            expect(b.blockedFrom.getTime() < blockedUntil && blockedFrom < b.blockedUntil.getTime()).toBe(false);
          }
          const day = localDateTimeOf(slot.startsAt, r.timeZone).slice(0, 10);
          expect(perDay.get(day) ?? 0).toBeLessThan(r.policy.maxSessionsPerDay);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('offers each slot at a wall-clock time of the grid, at that time’s first occurrence, and checkSlot agrees', () => {
    fc.assert(
      fc.property(slotSearchArbitrary(), fc.array(fc.nat(), { maxLength: 10 }), ({ rules: r, from, to }, probes) => {
        const slots = findSlots(r, from, to);
        const offered = new Set(slots.map((s) => s.startsAt.getTime()));
        for (const slot of slots) {
          const local = Temporal.Instant.fromEpochMilliseconds(slot.startsAt.getTime()).toZonedDateTimeISO(r.timeZone);
          const minute = local.hour * 60 + local.minute;
          const date = local.toPlainDate();
          const windows = [
            ...r.availability.weeklyRules.filter((w) => w.weekday === local.dayOfWeek),
            ...r.availability.overrides.flatMap((o) => (o.kind === 'extra' && o.date === date.toString() ? [o] : [])),
          ];
          const onGrid = windows.some((w) => {
            const start = minuteOfClock(w.start) as number;
            return (
              minute >= start && minute < (minuteOfClock(w.end) as number) && (minute - start) % r.policy.slotStepMinutes === 0
            );
          });
          expect(onGrid).toBe(true);
          expect(firstInstantOf(date, minute, r.timeZone)).toBe(slot.startsAt.getTime());
          expect(checkSlot(r, slot.startsAt).isOk()).toBe(true);
        }
        // Any other start time in the range is refused.
        const span = to.getTime() - from.getTime();
        for (const probe of probes) {
          const ms = from.getTime() + Math.floor((probe % span) / (5 * MINUTE_MS)) * 5 * MINUTE_MS;
          if (!offered.has(ms)) expect(checkSlot(r, new Date(ms)).isErr()).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
