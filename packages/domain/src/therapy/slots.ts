import { err, ok, type Result } from 'neverthrow';
import type { Temporal } from 'temporal-polyfill';
import type { Availability } from './availability.js';
import type { BookingPolicy } from './therapist.js';
import { type SlotUnavailable, type SlotUnavailableReason, therapyErrors } from './therapy.errors.js';
import {
  DAY_MS,
  firstInstantOf,
  type Interval,
  localDateOf,
  MINUTE_MS,
  minuteOfClock,
  segmentsOf,
  wallWindow,
  type ZoneName,
} from './wall-clock.js';

/** A session of the therapist that holds time: its start and the range it blocks (its buffers included). */
export interface BookedSession {
  readonly startsAt: Date;
  readonly blockedFrom: Date;
  readonly blockedUntil: Date;
}

/** Everything that decides which times can be booked with one therapist for one session type. */
export interface SlotRules {
  readonly timeZone: ZoneName;
  readonly availability: Availability;
  readonly policy: BookingPolicy;
  readonly durationMinutes: number;
  /** The therapist's active sessions around the time asked about (the one being moved left out). */
  readonly booked: readonly BookedSession[];
  readonly now: Date;
}

export interface Slot {
  readonly startsAt: Date;
  readonly endsAt: Date;
}

/** The range a session blocks on its therapist's calendar: the session and its buffers. */
export function blockedRange(startsAt: Date, endsAt: Date, policy: BookingPolicy): { from: Date; until: Date } {
  return {
    from: new Date(startsAt.getTime() - policy.bufferBeforeMinutes * MINUTE_MS),
    until: new Date(endsAt.getTime() + policy.bufferAfterMinutes * MINUTE_MS),
  };
}

function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && interval.start <= last.end)
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, interval.end) };
    else merged.push(interval);
  }
  return merged;
}

function subtract(from: readonly Interval[], holes: readonly Interval[]): Interval[] {
  let result = [...from];
  for (const hole of holes) {
    result = result.flatMap((interval) => {
      if (hole.end <= interval.start || hole.start >= interval.end) return [interval];
      const parts: Interval[] = [];
      if (hole.start > interval.start) parts.push({ start: interval.start, end: hole.start });
      if (hole.end < interval.end) parts.push({ start: hole.end, end: interval.end });
      return parts;
    });
  }
  return result;
}

/** One local date of the therapist: what is open, and the start times offered. */
interface DayPlan {
  readonly available: readonly Interval[];
  readonly candidates: ReadonlySet<number>;
}

function planDay(date: Temporal.PlainDate, rules: SlotRules): DayPlan {
  const zone = rules.timeZone;
  const iso = date.toString();
  const overrides = rules.availability.overrides.filter((o) => o.date === iso);
  const dayOff = overrides.some((o) => o.kind === 'day_off');
  const windows: Array<{ start: string; end: string }> = [
    ...(dayOff ? [] : rules.availability.weeklyRules.filter((r) => r.weekday === date.dayOfWeek)),
    ...overrides.flatMap((o) => (o.kind === 'extra' ? [o] : [])),
  ];
  const segments = segmentsOf(date, zone);
  const range = (w: { start: string; end: string }) =>
    [minuteOfClock(w.start) as number, minuteOfClock(w.end) as number] as const;
  const open = windows.flatMap((w) => wallWindow(date, ...range(w), zone, segments));
  const blocked = overrides.flatMap((o) => (o.kind === 'blocked' ? wallWindow(date, ...range(o), zone, segments) : []));
  const candidates = new Set<number>();
  for (const window of windows) {
    const [start, end] = range(window);
    for (let minute = start; minute < end; minute += rules.policy.slotStepMinutes) {
      const at = firstInstantOf(date, minute, zone, segments);
      if (at !== undefined) candidates.add(at);
    }
  }
  return { available: subtract(merge(open), merge(blocked)), candidates };
}

/** Counts of active sessions per local date (`YYYY-MM-DD`) of their start, in the therapist's zone. */
function countsPerDay(rules: SlotRules): Map<string, number> {
  const counts = new Map<string, number>();
  for (const session of rules.booked) {
    const day = localDateOf(session.startsAt.getTime(), rules.timeZone).toString();
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return counts;
}

/** Why `start` on `date` cannot be booked, or undefined when it can. */
function refusal(
  start: number,
  date: string,
  plan: DayPlan,
  rules: SlotRules,
  counts: Map<string, number>,
): SlotUnavailableReason | undefined {
  const { policy } = rules;
  const now = rules.now.getTime();
  const end = start + rules.durationMinutes * MINUTE_MS;
  if (start < now + policy.minBookingNoticeMinutes * MINUTE_MS) return 'inside_notice';
  if (start > now + policy.bookingHorizonDays * DAY_MS) return 'past_horizon';
  if (!plan.candidates.has(start) || !plan.available.some((i) => i.start <= start && end <= i.end)) return 'outside_availability';
  const from = start - policy.bufferBeforeMinutes * MINUTE_MS;
  const until = end + policy.bufferAfterMinutes * MINUTE_MS;
  if (rules.booked.some((b) => b.blockedFrom.getTime() < until && from < b.blockedUntil.getTime())) return 'taken';
  if ((counts.get(date) ?? 0) >= policy.maxSessionsPerDay) return 'daily_cap';
  return undefined;
}

/**
 * The start times that can be booked in [from, to), soonest first: on a start time the
 * therapist's availability offers (a window's start plus multiples of the slot step, on their
 * wall clock: a time the clock skips is not offered, one it shows twice is offered once, at its
 * first occurrence), whose whole session lies in their availability (weekly rules, extra ranges,
 * less days off and blocked ranges), outside the notice and within the horizon, not overlapping
 * a booked session with both buffers, on a day below the daily cap.
 */
export function findSlots(rules: SlotRules, from: Date, to: Date): Slot[] {
  if (to.getTime() <= from.getTime()) return [];
  const counts = countsPerDay(rules);
  const last = localDateOf(to.getTime() - 1, rules.timeZone);
  const slots: Slot[] = [];
  for (let date = localDateOf(from.getTime(), rules.timeZone); date.until(last).sign >= 0; date = date.add({ days: 1 })) {
    const plan = planDay(date, rules);
    const iso = date.toString();
    for (const start of [...plan.candidates].sort((a, b) => a - b)) {
      if (start < from.getTime() || start >= to.getTime()) continue;
      if (refusal(start, iso, plan, rules, counts) === undefined)
        slots.push({ startsAt: new Date(start), endsAt: new Date(start + rules.durationMinutes * MINUTE_MS) });
    }
  }
  return slots;
}

/** Whether a session can be booked to start at `startsAt` (the same rules as `findSlots`), and why not. */
export function checkSlot(rules: SlotRules, startsAt: Date): Result<Slot, SlotUnavailable> {
  const start = startsAt.getTime();
  const date = localDateOf(start, rules.timeZone);
  const reason = refusal(start, date.toString(), planDay(date, rules), rules, countsPerDay(rules));
  if (reason !== undefined) return err(therapyErrors.slotUnavailable(reason));
  return ok({ startsAt: new Date(start), endsAt: new Date(start + rules.durationMinutes * MINUTE_MS) });
}
