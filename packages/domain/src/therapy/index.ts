export type { Availability, DateOverride, RawOverride, RawWeeklyRule, WeeklyRule } from './availability.js';
export { AVAILABILITY_LIMITS, EMPTY_AVAILABILITY, parseAvailability } from './availability.js';
export type { BookedSession, Slot, SlotRules } from './slots.js';
export { blockedRange, checkSlot, findSlots } from './slots.js';
export type { BookingPolicy, ProfileInput, SessionType, SessionTypeInput, TherapistProfile } from './therapist.js';
export { DEFAULT_POLICY, POLICY_LIMITS, PROFILE_LIMITS, SESSION_TYPE_LIMITS, setUpProfile } from './therapist.js';
export type * from './therapy.errors.js';
export { therapyErrors } from './therapy.errors.js';
export type * from './therapy-session.events.js';
export type { InvalidNote, NewSession, SessionState } from './therapy-session.js';
export { NOTE_MAX_LENGTH, START_WINDOW_MINUTES, TherapySession } from './therapy-session.js';
export type * from './therapy-session.types.js';
export {
  ACTIVE_STATUSES,
  CANCELLATION_REASONS,
  MODALITIES,
  SESSION_STATUSES,
  WAIVER_REASONS,
} from './therapy-session.types.js';
export type { Interval, Weekday, ZoneName } from './wall-clock.js';
export {
  clockOfMinute,
  DAY_MS,
  firstInstantOf,
  localDateOf,
  localDateTimeOf,
  MINUTE_MS,
  minuteOfClock,
  parseZone,
  wallWindow,
} from './wall-clock.js';
