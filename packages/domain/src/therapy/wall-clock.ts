import { err, ok, type Result } from 'neverthrow';
import { Temporal } from 'temporal-polyfill';
import { type InvalidTimeZone, therapyErrors } from './therapy.errors.js';

declare const zoneBrand: unique symbol;
/** A canonical IANA time zone name (`Europe/Berlin`, `UTC`). */
export type ZoneName = string & { readonly [zoneBrand]: true };

const IANA_NAME = /^(?:UTC|[A-Za-z]+(?:[/_-][A-Za-z0-9+-]+)+|[A-Za-z]{2,})$/;

/** IANA names in any case (returned in their canonical case); offsets like `+01:00` are refused. */
export function parseZone(value: string, field = 'timeZone'): Result<ZoneName, InvalidTimeZone> {
  const name = value.trim();
  if (name.length > 64 || !IANA_NAME.test(name)) return err(therapyErrors.invalidTimeZone(field));
  try {
    return ok(Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(name).timeZoneId as ZoneName);
  } catch {
    return err(therapyErrors.invalidTimeZone(field));
  }
}

const CLOCK = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
export const DAY_MINUTES = 24 * 60;
export const MINUTE_MS = 60_000;
export const DAY_MS = DAY_MINUTES * MINUTE_MS;

/** `HH:MM` (00:00–23:59, and 24:00 for the end of the day) as minutes since midnight, or undefined. */
export function minuteOfClock(clock: string): number | undefined {
  const match = CLOCK.exec(clock);
  if (match === null) return undefined;
  return Number(match[1] ?? match[3]) * 60 + Number(match[2] ?? match[4]);
}

/** Minutes since midnight as `HH:MM`. */
export const clockOfMinute = (minute: number): string =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** A half-open span of instants, in ms since the epoch. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/** A stretch of one local date during which the zone's UTC offset does not change. */
export interface Segment extends Interval {
  readonly offsetMs: number;
}

/** The local date `date` in `zone`, cut where its UTC offset changes (one segment on most days). */
export function segmentsOf(date: Temporal.PlainDate, zone: string): readonly Segment[] {
  const dayEnd = date.add({ days: 1 }).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
  const segments: Segment[] = [];
  let cursor: Temporal.ZonedDateTime | null = date.toZonedDateTime({ timeZone: zone });
  while (cursor !== null && cursor.epochMilliseconds < dayEnd) {
    const next: Temporal.ZonedDateTime | null = cursor.getTimeZoneTransition('next');
    const end = next === null ? dayEnd : Math.min(next.epochMilliseconds, dayEnd);
    segments.push({ start: cursor.epochMilliseconds, end, offsetMs: cursor.offsetNanoseconds / 1_000_000 });
    cursor = next;
  }
  return segments;
}

/**
 * The instants of `date` in `zone` whose wall-clock time lies in [startMinute, endMinute):
 * exact across daylight-saving changes (a skipped stretch has no instant, a repeated one has
 * both), as disjoint intervals in order.
 */
export function wallWindow(
  date: Temporal.PlainDate,
  startMinute: number,
  endMinute: number,
  zone: string,
  segments: readonly Segment[] = segmentsOf(date, zone),
): Interval[] {
  const midnight = Date.UTC(date.year, date.month - 1, date.day);
  const intervals: Interval[] = [];
  for (const segment of segments) {
    const start = Math.max(segment.start, midnight + startMinute * MINUTE_MS - segment.offsetMs);
    const end = Math.min(segment.end, midnight + endMinute * MINUTE_MS - segment.offsetMs);
    if (start < end) intervals.push({ start, end });
  }
  return intervals;
}

/**
 * The instant at which `date`'s wall clock in `zone` shows `minute`: none when the clock skips
 * it (spring forward), the first of the two when it shows it twice (fall back).
 */
export function firstInstantOf(
  date: Temporal.PlainDate,
  minute: number,
  zone: string,
  segments: readonly Segment[] = segmentsOf(date, zone),
): number | undefined {
  return wallWindow(date, minute, minute + 1, zone, segments)[0]?.start;
}

/** The local date of an instant in `zone`. */
export function localDateOf(ms: number, zone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate();
}

/** `2026-03-29T09:00:00+02:00`: the wall-clock time of an instant in `zone`, with its offset. */
export function localDateTimeOf(at: Date, zone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(zone).toString({ timeZoneName: 'never' });
}

/** ISO weekday (1 = Monday … 7 = Sunday). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
