import type { Newable } from 'inversify';
import { BookSession } from './commands/book-session.command.js';
import { GetCalendarFeed, GetCalendarTokenStatus, IssueCalendarToken, RevokeCalendarToken } from './commands/calendar.command.js';
import {
  CancelSession,
  CompleteSession,
  MarkNoShow,
  RescheduleSession,
  SessionTransitions,
  StartSession,
  WaiveFee,
} from './commands/session-transitions.command.js';
import { SetAvailability, SetUpTherapistProfile } from './commands/set-up-profile.command.js';
import { GetSession, ListSessions } from './queries/sessions.queries.js';
import { FindSlots, GetAvailability, GetTherapist, ListTherapists } from './queries/therapists.queries.js';
import { SlotRulesReader } from './slot-rules.service.js';
import {
  AppointmentMessenger,
  CancelSessionsOfDeactivatedUser,
  ConvergeReminders,
  NotifySessionChange,
  RelistReactivatedTherapist,
} from './therapy.handlers.js';

/**
 * Every injectable class of the therapy module's application layer, each bound to itself: the
 * adapters' container module and the application tests' container bind the same list.
 */
export const therapyServices: readonly Newable[] = [
  SlotRulesReader,
  SetUpTherapistProfile,
  SetAvailability,
  GetTherapist,
  ListTherapists,
  GetAvailability,
  FindSlots,
  BookSession,
  SessionTransitions,
  RescheduleSession,
  CancelSession,
  StartSession,
  CompleteSession,
  MarkNoShow,
  WaiveFee,
  GetSession,
  ListSessions,
  IssueCalendarToken,
  RevokeCalendarToken,
  GetCalendarTokenStatus,
  GetCalendarFeed,
  AppointmentMessenger,
  NotifySessionChange,
  ConvergeReminders,
  CancelSessionsOfDeactivatedUser,
  RelistReactivatedTherapist,
];
