import fc from 'fast-check';
import type { Availability, DateOverride, WeeklyRule } from '../therapy/availability.js';
import type { BookedSession, SlotRules } from '../therapy/slots.js';
import type { BookingPolicy, SessionType } from '../therapy/therapist.js';
import {
  type ActorRole,
  CANCELLATION_REASONS,
  type CancellationReason,
  MODALITIES,
  type SessionActor,
  WAIVER_REASONS,
  type WaiverReason,
} from '../therapy/therapy-session.types.js';
import { clockOfMinute, localDateOf, type Weekday, type ZoneName } from '../therapy/wall-clock.js';
import { clockChangesOf } from './notifications.arbitraries.js';
import { uuidV7Arbitrary } from './platform.arbitraries.js';

/**
 * Zones whose clocks make slot arithmetic hard: a 30-minute DST (Lord Howe), +5:45 (Kathmandu),
 * a half-hour offset with DST (Adelaide), a southern-hemisphere change at midnight (Santiago),
 * +12:45/+13:45 (Chatham), the common European and American changes, and UTC.
 */
export const THERAPY_TIME_ZONES = [
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Australia/Adelaide',
  'America/Santiago',
  'Pacific/Chatham',
  'Europe/Berlin',
  'America/New_York',
  'UTC',
] as const;

export const therapyZoneArbitrary: fc.Arbitrary<ZoneName> = fc.constantFrom(...THERAPY_TIME_ZONES) as fc.Arbitrary<ZoneName>;

const weekdayArbitrary = fc.integer({ min: 1, max: 7 }) as fc.Arbitrary<Weekday>;

/** Up to `count` disjoint [start, end) minute ranges of one day, on 5-minute marks, end up to 24:00. */
function rangesArbitrary(count: number): fc.Arbitrary<Array<{ start: string; end: string }>> {
  return fc.uniqueArray(fc.integer({ min: 0, max: 288 }), { minLength: 0, maxLength: count * 2 }).map((marks) => {
    const sorted = [...marks].sort((a, b) => a - b);
    const ranges: Array<{ start: string; end: string }> = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) {
      ranges.push({ start: clockOfMinute((sorted[i] as number) * 5), end: clockOfMinute((sorted[i + 1] as number) * 5) });
    }
    return ranges;
  });
}

/** Weekly rules as parseAvailability accepts them: up to three disjoint windows per weekday. */
export const weeklyRulesArbitrary: fc.Arbitrary<WeeklyRule[]> = fc
  .array(fc.tuple(weekdayArbitrary, rangesArbitrary(3)), { maxLength: 7 })
  .map((days) => {
    const seen = new Set<number>();
    return days.flatMap(([weekday, ranges]) => {
      if (seen.has(weekday)) return [];
      seen.add(weekday);
      return ranges.map((range) => ({ weekday, ...range }));
    });
  });

/** Overrides on the local dates `dates` (`YYYY-MM-DD`): days off, blocked and extra ranges. */
export function overridesArbitrary(dates: readonly string[]): fc.Arbitrary<DateOverride[]> {
  if (dates.length === 0) return fc.constant([]);
  return fc
    .array(
      fc.tuple(
        fc.constantFrom(...dates),
        fc.constantFrom('day_off', 'blocked', 'extra') as fc.Arbitrary<DateOverride['kind']>,
        rangesArbitrary(2),
      ),
      { maxLength: 4 },
    )
    .map((entries) => {
      const overrides: DateOverride[] = [];
      const used = new Set<string>();
      for (const [date, kind, ranges] of entries) {
        const key = `${date} ${kind}`;
        if (used.has(key)) continue;
        used.add(key);
        if (kind === 'day_off') overrides.push({ date, kind });
        else for (const range of ranges) overrides.push({ date, kind, ...range });
      }
      return overrides;
    });
}

/** Any valid booking policy (buffers, notice, horizon, cap and step within their bounds). */
export const bookingPolicyArbitrary: fc.Arbitrary<BookingPolicy> = fc.record({
  bufferBeforeMinutes: fc.constantFrom(0, 5, 10, 15, 30),
  bufferAfterMinutes: fc.constantFrom(0, 5, 10, 15, 30),
  minBookingNoticeMinutes: fc.constantFrom(0, 60, 12 * 60, 24 * 60),
  bookingHorizonDays: fc.integer({ min: 1, max: 10 }),
  maxSessionsPerDay: fc.integer({ min: 1, max: 12 }),
  cancellationNoticeMinutes: fc.constantFrom(0, 60, 24 * 60, 48 * 60),
  noShowGraceMinutes: fc.constantFrom(0, 10, 15, 30),
  slotStepMinutes: fc.constantFrom(5, 15, 20, 30, 45, 60),
});

export const sessionTypeArbitrary: fc.Arbitrary<SessionType> = fc.record({
  id: uuidV7Arbitrary(),
  name: fc.constantFrom('Individual session', 'First consultation', 'Couples session', 'Follow-up'),
  durationMinutes: fc.constantFrom(10, 25, 30, 45, 50, 60, 90, 120),
  modality: fc.constantFrom(...MODALITIES),
  priceMinor: fc.integer({ min: 0, max: 100_000_000 }),
  currency: fc.constantFrom('EUR', 'USD', 'BRL', 'JPY', 'NPR', 'CLP', 'AUD', 'NZD'),
});

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * A slot search around one of the zone's clock changes (or an arbitrary week where it has none):
 * availability with overrides on the dates asked about, a policy, booked sessions, `now` up to
 * three days before the range, and the range itself (up to four days).
 */
export interface SlotSearchCase {
  readonly rules: SlotRules;
  readonly from: Date;
  readonly to: Date;
}

export function slotSearchArbitrary(zone?: ZoneName): fc.Arbitrary<SlotSearchCase> {
  return (zone === undefined ? therapyZoneArbitrary : fc.constant(zone)).chain((timeZone) => {
    const changes = clockChangesOf(timeZone).filter((ms) => ms >= Date.UTC(2024, 0, 1) && ms <= Date.UTC(2028, 0, 1));
    const anchor =
      changes.length === 0
        ? fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) })
        : fc.oneof(fc.constantFrom(...changes), fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }));
    return fc
      .tuple(anchor, fc.integer({ min: -2 * DAY_MS, max: 0 }), fc.integer({ min: HOUR_MS, max: 4 * DAY_MS }))
      .chain(([center, shift, length]) => {
        const from = Math.floor((center + shift) / 60_000) * 60_000;
        const to = from + length;
        const dates: string[] = [];
        for (let d = localDateOf(from, timeZone); d.until(localDateOf(to, timeZone)).sign >= 0; d = d.add({ days: 1 }))
          dates.push(d.toString());
        const booked: fc.Arbitrary<BookedSession[]> = fc.array(
          fc
            .tuple(
              fc.integer({ min: from - DAY_MS, max: to + DAY_MS }),
              fc.constantFrom(30, 50, 60, 90),
              fc.constantFrom(0, 10, 15),
            )
            .map(([start, minutes, buffer]) => {
              const startsAt = Math.floor(start / 300_000) * 300_000;
              return {
                startsAt: new Date(startsAt),
                blockedFrom: new Date(startsAt - buffer * 60_000),
                blockedUntil: new Date(startsAt + (minutes + buffer) * 60_000),
              };
            }),
          { maxLength: 8 },
        );
        return fc.record({
          rules: fc.record({
            timeZone: fc.constant(timeZone),
            availability: fc.record({
              weeklyRules: weeklyRulesArbitrary,
              overrides: overridesArbitrary(dates),
            }) as fc.Arbitrary<Availability>,
            policy: bookingPolicyArbitrary,
            durationMinutes: fc.constantFrom(10, 25, 30, 45, 50, 60, 90),
            booked,
            now: fc.integer({ min: from - 3 * DAY_MS, max: from }).map((ms) => new Date(ms)),
          }),
          from: fc.constant(new Date(from)),
          to: fc.constant(new Date(to)),
        });
      });
  });
}

/** An actor of any role (a system actor has no user id). */
export const sessionActorArbitrary: fc.Arbitrary<SessionActor> = fc
  .tuple(fc.constantFrom<ActorRole>('patient', 'therapist', 'admin', 'system'), uuidV7Arbitrary())
  .map(([role, userId]) => ({ role, userId: role === 'system' ? null : userId }));

export const cancellationReasonArbitrary: fc.Arbitrary<CancellationReason> = fc.constantFrom(...CANCELLATION_REASONS);
export const waiverReasonArbitrary: fc.Arbitrary<WaiverReason> = fc.constantFrom(...WAIVER_REASONS);

/** One command of TherapySession's status machine, `afterMinutes` after the previous one (negative: before it). */
export type SessionCommand = { readonly afterMinutes: number; readonly by: SessionActor } & (
  | { readonly kind: 'reschedule'; readonly shiftMinutes: number }
  | { readonly kind: 'cancel'; readonly reason: CancellationReason; readonly note: string | null }
  | { readonly kind: 'start' }
  | { readonly kind: 'complete' }
  | { readonly kind: 'markNoShow' }
  | { readonly kind: 'waiveFee'; readonly reason: WaiverReason; readonly note: string | null }
);

const note = fc.option(fc.constantFrom('Running late today', 'Train cancelled', '  ', 'x'.repeat(501), 'a\u0000b'), {
  nil: null,
});
const after = fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 });

export const sessionCommandArbitrary: fc.Arbitrary<SessionCommand> = fc.oneof(
  fc.record({
    afterMinutes: after,
    by: sessionActorArbitrary,
    kind: fc.constant('reschedule' as const),
    shiftMinutes: fc.integer({ min: -7 * 24 * 60, max: 7 * 24 * 60 }),
  }),
  fc.record({
    afterMinutes: after,
    by: sessionActorArbitrary,
    kind: fc.constant('cancel' as const),
    reason: cancellationReasonArbitrary,
    note,
  }),
  fc.record({ afterMinutes: after, by: sessionActorArbitrary, kind: fc.constant('start' as const) }),
  fc.record({ afterMinutes: after, by: sessionActorArbitrary, kind: fc.constant('complete' as const) }),
  fc.record({ afterMinutes: after, by: sessionActorArbitrary, kind: fc.constant('markNoShow' as const) }),
  fc.record({
    afterMinutes: after,
    by: sessionActorArbitrary,
    kind: fc.constant('waiveFee' as const),
    reason: waiverReasonArbitrary,
    note,
  }),
);

export const sessionCommandsArbitrary: fc.Arbitrary<readonly SessionCommand[]> = fc.array(sessionCommandArbitrary, {
  maxLength: 12,
});
