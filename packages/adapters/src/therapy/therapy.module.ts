import { NotificationsContract } from '@aura/application/notifications/contract';
import {
  CalendarRenderer,
  CalendarTokenStore,
  CancelSessionsOfDeactivatedUser,
  ConvergeReminders,
  NotifySessionChange,
  RelistReactivatedTherapist,
  SESSION_EVENT_TYPES,
  SecretTokens,
  SessionRepository,
  TherapistRepository,
  TherapySettings,
  therapyEvents,
  therapyServices,
} from '@aura/application/therapy';
import { UsersContract } from '@aura/application/users/contract';
import { ContainerModule } from 'inversify';
import type { AuraModule } from '../platform/aura-module.js';
import type { AuraConfig } from '../platform/config/config.js';
import { AuraConfigToken } from '../platform/platform.tokens.js';
import { CryptoSecretTokens } from './crypto-secret.tokens.js';
import { IcalCalendarRenderer } from './ical-calendar.renderer.js';
import { KyselyCalendarTokenStore } from './kysely-calendar-token.store.js';
import { KyselySessionRepository } from './kysely-session.repository.js';
import { KyselyTherapistRepository } from './kysely-therapist.repository.js';
import * as initial from './migrations/2026_12_04_000000_therapy_initial.js';
import { therapySettingsFrom } from './therapy.settings.js';

const MESSAGE_EVENTS = ['therapy_session.scheduled', 'therapy_session.rescheduled', 'therapy_session.cancelled'];
const suffix = (eventType: string) => eventType.slice(eventType.indexOf('.') + 1);

/**
 * The therapy module (the seeds' "mental health"): therapist profiles and availability, slots,
 * bookings held by exclusion constraints, the session life cycle with its cancellation policy,
 * reminders and messages through the notifications contract, and calendar feeds.
 */
export const therapyModule: AuraModule = {
  name: 'therapy',
  apiPrefix: 'mental-health',
  dependsOn: ['users', 'notifications'],
  requires: [UsersContract, NotificationsContract],
  events: therapyEvents,
  subscriptions: [
    ...MESSAGE_EVENTS.map((eventType) => ({
      subscriber: `therapy.messages-on-${suffix(eventType)}`,
      eventType,
      versions: [1],
      handler: NotifySessionChange,
    })),
    ...SESSION_EVENT_TYPES.map((eventType) => ({
      subscriber: `therapy.reminders-on-${suffix(eventType)}`,
      eventType,
      versions: [1],
      handler: ConvergeReminders,
    })),
    {
      subscriber: 'therapy.cancel-on-deactivation',
      eventType: 'user.deactivated',
      versions: [1],
      handler: CancelSessionsOfDeactivatedUser,
    },
    {
      subscriber: 'therapy.relist-on-reactivation',
      eventType: 'user.reactivated',
      versions: [1],
      handler: RelistReactivatedTherapist,
    },
  ],
  containerModule: new ContainerModule(({ bind }) => {
    bind(TherapySettings).toDynamicValue((context) => therapySettingsFrom(context.get<AuraConfig>(AuraConfigToken)));
    bind(TherapistRepository).to(KyselyTherapistRepository);
    bind(SessionRepository).to(KyselySessionRepository);
    bind(CalendarTokenStore).to(KyselyCalendarTokenStore);
    bind(SecretTokens).to(CryptoSecretTokens);
    bind(CalendarRenderer).to(IcalCalendarRenderer);
    for (const service of therapyServices) bind(service).toSelf();
  }),
  migrations: { '2026_12_04_000000_therapy_initial': initial },
};
