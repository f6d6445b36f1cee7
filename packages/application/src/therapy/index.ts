export type { BookSessionError, BookSessionInput } from './commands/book-session.command.js';
export { BookSession } from './commands/book-session.command.js';
export type { IssuedCalendar } from './commands/calendar.command.js';
export {
  calendarUrl,
  GetCalendarFeed,
  GetCalendarTokenStatus,
  IssueCalendarToken,
  RevokeCalendarToken,
} from './commands/calendar.command.js';
export type {
  CancelSessionError,
  CompleteSessionError,
  MarkNoShowError,
  RescheduleSessionError,
  StartSessionError,
  WaiveFeeError,
} from './commands/session-transitions.command.js';
export {
  CancelSession,
  CompleteSession,
  MarkNoShow,
  RescheduleSession,
  SessionTransitions,
  StartSession,
  WaiveFee,
} from './commands/session-transitions.command.js';
export type { SetAvailabilityError, SetUpProfileError } from './commands/set-up-profile.command.js';
export { SetAvailability, SetUpTherapistProfile } from './commands/set-up-profile.command.js';
export * from './in-memory/index.js';
export type { CalendarEntry } from './ports/calendar.port.js';
export { CalendarRenderer, CalendarTokenStore, SecretTokens } from './ports/calendar.port.js';
export type { SessionConflict, SessionListFilter } from './ports/session.repository.port.js';
export { ConcurrentSessionModificationError, SessionRepository, sessionConflict } from './ports/session.repository.port.js';
export type { StoredTherapist, TherapistListFilter } from './ports/therapist.repository.port.js';
export { TherapistRepository } from './ports/therapist.repository.port.js';
export { TherapySettings } from './ports/therapy-settings.js';
export type { ListSessionsInput } from './queries/sessions.queries.js';
export { GetSession, ListSessions } from './queries/sessions.queries.js';
export type { FindSlotsError, FindSlotsInput, ListTherapistsInput, SlotsView, SlotView } from './queries/therapists.queries.js';
export { FindSlots, GetAvailability, GetTherapist, ListTherapists } from './queries/therapists.queries.js';
export { SlotRulesReader } from './slot-rules.service.js';
export * from './therapy.app-errors.js';
export {
  SESSION_EVENT_TYPES,
  sessionCancelled,
  sessionCompleted,
  sessionFeeWaived,
  sessionNoShow,
  sessionRescheduled,
  sessionScheduled,
  sessionStarted,
  therapyEvents,
} from './therapy.events.js';
export {
  AppointmentMessenger,
  appointmentLink,
  CancelSessionsOfDeactivatedUser,
  ConvergeReminders,
  NotifySessionChange,
  RelistReactivatedTherapist,
  reminderKey,
} from './therapy.handlers.js';
export { therapyServices } from './therapy.services.js';
export type { SessionView, TherapistView } from './therapy.views.js';
export { sessionRole, toSessionView, toTherapistView } from './therapy.views.js';
