import { err, ok, type Result } from 'neverthrow';
import { Temporal } from 'temporal-polyfill';
import { type InvalidAvailability, therapyErrors } from './therapy.errors.js';
import { minuteOfClock, type Weekday } from './wall-clock.js';

/** Every `weekday` (ISO: 1 = Monday), from `start` to `end` on the therapist's wall clock (`HH:MM`, end may be 24:00). */
export interface WeeklyRule {
  readonly weekday: Weekday;
  readonly start: string;
  readonly end: string;
}

/** On `date` (the therapist's local date): no weekly hours (`day_off`), a range taken out (`blocked`), or one added (`extra`). */
export type DateOverride =
  | { readonly date: string; readonly kind: 'day_off' }
  | { readonly date: string; readonly kind: 'blocked' | 'extra'; readonly start: string; readonly end: string };

export interface Availability {
  readonly weeklyRules: readonly WeeklyRule[];
  readonly overrides: readonly DateOverride[];
}

export const AVAILABILITY_LIMITS = { weeklyRules: 70, overrides: 366 } as const;

export const EMPTY_AVAILABILITY: Availability = { weeklyRules: [], overrides: [] };

export interface RawWeeklyRule {
  readonly weekday: number;
  readonly start: string;
  readonly end: string;
}
export interface RawOverride {
  readonly date: string;
  readonly kind: string;
  readonly start?: string | undefined;
  readonly end?: string | undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseRange(field: string, start: string | undefined, end: string | undefined): Result<void, InvalidAvailability> {
  const from = minuteOfClock(start ?? '');
  const to = minuteOfClock(end ?? '');
  if (from === undefined || from === 24 * 60)
    return err(therapyErrors.invalidAvailability(`${field}.start`, 'must be a time from 00:00 to 23:59'));
  if (to === undefined) return err(therapyErrors.invalidAvailability(`${field}.end`, 'must be a time from 00:01 to 24:00'));
  if (to <= from) return err(therapyErrors.invalidAvailability(`${field}.end`, 'must be after the start'));
  return ok(undefined);
}

function overlaps(a: { start: string; end: string }, b: { start: string; end: string }): boolean {
  return (
    (minuteOfClock(a.start) as number) < (minuteOfClock(b.end) as number) &&
    (minuteOfClock(b.start) as number) < (minuteOfClock(a.end) as number)
  );
}

/** Checks every rule and override; rules of one weekday must not overlap, nor overrides of one kind on one date. */
export function parseAvailability(input: {
  readonly weeklyRules: readonly RawWeeklyRule[];
  readonly overrides: readonly RawOverride[];
}): Result<Availability, InvalidAvailability> {
  if (input.weeklyRules.length > AVAILABILITY_LIMITS.weeklyRules)
    return err(therapyErrors.invalidAvailability('weeklyRules', `at most ${AVAILABILITY_LIMITS.weeklyRules} rules`));
  if (input.overrides.length > AVAILABILITY_LIMITS.overrides)
    return err(therapyErrors.invalidAvailability('overrides', `at most ${AVAILABILITY_LIMITS.overrides} overrides`));
  const weeklyRules: WeeklyRule[] = [];
  for (const [index, rule] of input.weeklyRules.entries()) {
    const field = `weeklyRules.${index}`;
    if (!Number.isInteger(rule.weekday) || rule.weekday < 1 || rule.weekday > 7)
      return err(therapyErrors.invalidAvailability(`${field}.weekday`, 'must be 1 (Monday) to 7 (Sunday)'));
    const range = parseRange(field, rule.start, rule.end);
    if (range.isErr()) return err(range.error);
    const parsed = { weekday: rule.weekday as Weekday, start: rule.start, end: rule.end };
    if (weeklyRules.some((other) => other.weekday === parsed.weekday && overlaps(other, parsed)))
      return err(therapyErrors.invalidAvailability(field, 'overlaps another rule of the same weekday'));
    weeklyRules.push(parsed);
  }
  const overrides: DateOverride[] = [];
  for (const [index, override] of input.overrides.entries()) {
    const field = `overrides.${index}`;
    if (!DATE.test(override.date) || !isCalendarDate(override.date))
      return err(therapyErrors.invalidAvailability(`${field}.date`, 'must be a date like 2026-12-24'));
    if (override.kind === 'day_off') {
      if (override.start !== undefined || override.end !== undefined)
        return err(therapyErrors.invalidAvailability(field, 'a day off has no start or end'));
      if (overrides.some((other) => other.date === override.date && other.kind === 'day_off'))
        return err(therapyErrors.invalidAvailability(field, 'this date is already a day off'));
      overrides.push({ date: override.date, kind: 'day_off' });
      continue;
    }
    if (override.kind !== 'blocked' && override.kind !== 'extra')
      return err(therapyErrors.invalidAvailability(`${field}.kind`, 'must be day_off, blocked or extra'));
    const range = parseRange(field, override.start, override.end);
    if (range.isErr()) return err(range.error);
    const parsed = {
      date: override.date,
      kind: override.kind as 'blocked' | 'extra',
      start: override.start as string,
      end: override.end as string,
    };
    if (
      overrides.some(
        (other) => other.kind === parsed.kind && other.date === parsed.date && overlaps(other as typeof parsed, parsed),
      )
    )
      return err(therapyErrors.invalidAvailability(field, `overlaps another ${parsed.kind} range of the same date`));
    overrides.push(parsed);
  }
  return ok({ weeklyRules, overrides });
}

function isCalendarDate(text: string): boolean {
  try {
    Temporal.PlainDate.from(text, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}
