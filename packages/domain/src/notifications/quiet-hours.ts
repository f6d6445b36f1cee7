import { err, ok, type Result } from 'neverthrow';
import { type InvalidQuietHours, notificationsErrors } from './notification.errors.js';

/**
 * A daily window, in the recipient's own time zone, during which non-critical notifications
 * are held: `start` inclusive, `end` exclusive, `HH:MM` on a 24-hour clock. A window whose end
 * is before its start runs over midnight (`22:00`–`07:00`).
 */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

function minuteOf(clock: string): number {
  const [, hours, minutes] = CLOCK.exec(clock) as RegExpExecArray;
  return Number(hours) * 60 + Number(minutes);
}

export function parseQuietHours(
  value: { start: string; end: string },
  field = 'quietHours',
): Result<QuietHours, InvalidQuietHours> {
  if (!CLOCK.test(value.start))
    return err(notificationsErrors.invalidQuietHours('start must be a time like 22:00', `${field}.start`));
  if (!CLOCK.test(value.end)) return err(notificationsErrors.invalidQuietHours('end must be a time like 07:00', `${field}.end`));
  if (value.start === value.end)
    return err(notificationsErrors.invalidQuietHours('start and end must differ (leave quiet hours out to have none)', field));
  return ok({ start: value.start, end: value.end });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Minutes since local midnight of an instant, on the wall clock of `timeZone`. */
export function localMinuteOfDay(at: Date, timeZone: string): number {
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

function inWindow(minute: number, start: number, end: number): boolean {
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** Whether `at` falls inside the quiet hours, on the recipient's wall clock. */
export function isQuietAt(at: Date, quietHours: QuietHours, timeZone: string): boolean {
  return inWindow(localMinuteOfDay(at, timeZone), minuteOf(quietHours.start), minuteOf(quietHours.end));
}

/**
 * When the quiet hours that `at` falls in end: the first instant after `at` whose wall-clock
 * time in `timeZone` is outside them (so across a daylight-saving change it is still "07:00
 * local", or the first minute after it when the clock skips it). `undefined` when `at` is not
 * in quiet hours.
 */
export function quietHoursEnd(at: Date, quietHours: QuietHours, timeZone: string): Date | undefined {
  const start = minuteOf(quietHours.start);
  const end = minuteOf(quietHours.end);
  const now = localMinuteOfDay(at, timeZone);
  if (!inWindow(now, start, end)) return undefined;
  // On an unchanging clock the window ends this many minutes after the current minute began.
  const wallMinutesLeft = (end - now + DAY_MINUTES) % DAY_MINUTES;
  const minuteStart = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
  const estimate = minuteStart + wallMinutesLeft * MINUTE_MS;
  const quiet = (ms: number) => inWindow(localMinuteOfDay(new Date(ms), timeZone), start, end);
  // A clock change moves the wall clock by at most a few hours (3, to be safe) against real time.
  // Going back, it can leave the window through its start, but only while `at` is less than 3 h
  // into the window: those minutes are checked one by one.
  const minutesIn = (now - start + DAY_MINUTES) % DAY_MINUTES;
  let candidate = minuteStart + MINUTE_MS;
  for (const last = minuteStart + (3 * 60 - minutesIn) * MINUTE_MS; candidate <= last; candidate += MINUTE_MS) {
    if (!quiet(candidate)) return new Date(candidate);
  }
  // Past them, everything before `estimate - 3 h` is still inside the window, so the first
  // quiet-free minute after that is the end.
  candidate = Math.max(candidate, estimate - 3 * 60 * MINUTE_MS);
  while (quiet(candidate)) candidate += MINUTE_MS;
  return new Date(candidate);
}
