/**
 * A test bed for the therapy module's application layer: the notifications test bed (its real
 * use cases over in-memory adapters, a users contract in a Map, a clock that stands still)
 * plus the therapy module's services over its in-memory repositories, so reminders and
 * messages go through the real NotificationsContract.
 */

import { NotificationsContract } from '../../src/notifications/contract.js';
import { NotificationsContractService } from '../../src/notifications/notifications-contract.service.js';
import type { Actor, Role } from '../../src/platform/actor.js';
import type { IntegrationEvent } from '../../src/platform/events/index.js';
import { BookSession } from '../../src/therapy/commands/book-session.command.js';
import { SetAvailability, SetUpTherapistProfile } from '../../src/therapy/commands/set-up-profile.command.js';
import {
  InMemoryCalendarTokenStore,
  InMemorySessionRepository,
  InMemoryTherapistRepository,
} from '../../src/therapy/in-memory/index.js';
import { type CalendarEntry, CalendarRenderer, CalendarTokenStore, SecretTokens } from '../../src/therapy/ports/calendar.port.js';
import { SessionRepository } from '../../src/therapy/ports/session.repository.port.js';
import { TherapistRepository } from '../../src/therapy/ports/therapist.repository.port.js';
import { TherapySettings } from '../../src/therapy/ports/therapy-settings.js';
import { therapyServices } from '../../src/therapy/therapy.services.js';
import type { SessionView, TherapistView } from '../../src/therapy/therapy.views.js';
import type { UserContact } from '../../src/users/contract.js';
import { notificationsTestBed, RecordingEventSink } from '../notifications/fakes.js';

export const therapySettings: TherapySettings = {
  reminderOffsetsMinutes: [24 * 60, 60],
  maxSlotRangeDays: 31,
  appointmentUrl: 'https://app.aura.example.org/appointments',
  publicBaseUrl: 'https://aura.example.org',
  calendarPastDays: 30,
  calendarFutureDays: 90,
};

/** Tokens `cal-<n>`, stored as `h(cal-<n>)`. */
export class FakeSecretTokens implements SecretTokens {
  #n = 0;
  generate() {
    this.#n += 1;
    const token = `cal-${this.#n}`;
    return { token, hash: this.hash(token) };
  }
  hash(token: string): string {
    return `h(${token})`;
  }
}

/** Renders the calendar as JSON, so tests can read what went into it. */
export class JsonCalendarRenderer implements CalendarRenderer {
  render(calendar: { readonly name: string; readonly entries: readonly CalendarEntry[] }): string {
    return JSON.stringify(calendar);
  }
}

/** Monday to Friday, 09:00–17:00. */
export const WORKING_WEEK = {
  weeklyRules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
  overrides: [],
};

export const actor = (user: { readonly id: string; readonly role: Role }): Actor => ({ userId: user.id, roles: [user.role] });

/** A fresh container: notifications (real use cases, in memory) + therapy, with handles on everything. */
export function therapyTestBed(settings: Partial<TherapySettings> = {}) {
  const base = notificationsTestBed();
  const outbox = new RecordingEventSink();
  const therapists = new InMemoryTherapistRepository();
  const sessions = new InMemorySessionRepository(outbox);
  const calendarTokens = new InMemoryCalendarTokenStore();
  const secrets = new FakeSecretTokens();
  const { container } = base;
  container.bind(NotificationsContract).toService(NotificationsContractService);
  container.bind(TherapySettings).toConstantValue({ ...therapySettings, ...settings });
  container.bind(TherapistRepository).toConstantValue(therapists);
  container.bind(SessionRepository).toConstantValue(sessions);
  container.bind(CalendarTokenStore).toConstantValue(calendarTokens);
  container.bind(SecretTokens).toConstantValue(secrets);
  container.bind(CalendarRenderer).toConstantValue(new JsonCalendarRenderer());
  for (const service of therapyServices) container.bind(service).toSelf();

  let eventCount = 0;
  const bed = {
    ...base,
    therapyOutbox: outbox,
    therapists,
    sessions,
    calendarTokens,
    secrets,

    patient(overrides: Partial<UserContact> = {}): UserContact {
      return base.seedUser({ role: 'patient', displayName: 'Ana Souza', ...overrides });
    },

    /** A therapist with a profile (UTC, one 50-minute video type at €90), available Monday to Friday 09:00–17:00. */
    async therapist(
      overrides: Partial<UserContact> = {},
      profile: Partial<Parameters<SetUpTherapistProfile['execute']>[1]> = {},
    ): Promise<{ user: UserContact; profile: TherapistView; typeId: string }> {
      const user = base.seedUser({ role: 'therapist', displayName: 'Bia Lima', ...overrides });
      const view = (
        await bed.get(SetUpTherapistProfile).execute(actor(user), {
          timeZone: 'UTC',
          bio: 'Hello',
          specialties: ['anxiety'],
          languages: ['en', 'pt-BR'],
          sessionTypes: [{ name: 'Individual', durationMinutes: 50, modality: 'video', priceMinor: 9_000, currency: 'EUR' }],
          ...profile,
        })
      )._unsafeUnwrap();
      (await bed.get(SetAvailability).execute(actor(user), WORKING_WEEK))._unsafeUnwrap();
      return { user, profile: view, typeId: view.sessionTypes[0]?.id as string };
    },

    /** Books `startsAt` for the patient (as the patient). */
    async book(patient: UserContact, therapist: { user: UserContact; typeId: string }, startsAt: string): Promise<SessionView> {
      return (
        await bed.get(BookSession).execute({
          actor: actor(patient),
          therapistId: therapist.user.id,
          sessionTypeId: therapist.typeId,
          startsAt: new Date(startsAt),
        })
      )._unsafeUnwrap();
    },

    /** The session events recorded so far, as the event bus would hand them to a handler. */
    sessionEvents(): IntegrationEvent<Record<string, unknown>>[] {
      return sessions.published.map((event) => {
        eventCount += 1;
        return {
          eventId: `0190dddd-bbbb-7ccc-8ddd-${String(eventCount).padStart(12, '0')}`,
          eventType: event.type,
          occurredAt: event.occurredAt.toISOString(),
          sourceModule: 'therapy',
          version: 1,
          data: JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>,
          metadata: { correlationId: 'corr-1', causationId: null, userId: null },
        };
      });
    },

    /** Pending notifications with a key that starts with `prefix`, as `key → sendAt`. */
    async pendingKeys(prefix = 'therapy:reminder:'): Promise<Map<string, string>> {
      const page = await base.notifications.list({ status: 'pending' }, { limit: 10_000 });
      return new Map(
        page.items
          .filter((n) => n.state.deduplicationKey?.startsWith(prefix))
          .map((n) => [n.state.deduplicationKey as string, n.state.sendAt.toISOString()]),
      );
    },
  };
  return bed;
}

export type TherapyTestBed = ReturnType<typeof therapyTestBed>;
