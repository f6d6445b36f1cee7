/**
 * What the therapy contract suites share: the SQL back ends (PGlite and a real PostgreSQL,
 * migrated with the platform and therapy migrations, no Aura), the real outbox, and builders.
 */
import { therapyEvents } from '@aura/application/therapy';
import { DEFAULT_POLICY, type SessionActor, type TherapistProfile, TherapySession, type ZoneName } from '@aura/domain/therapy';
import type { AuraModule } from '../../src/platform/aura-module.js';
import * as therapyInitial from '../../src/therapy/migrations/2026_12_04_000000_therapy_initial.js';
import {
  ids,
  type ModuleDatabase,
  moduleContractTargets,
  openModuleDatabase,
  type SqlTarget,
} from '../support/module-contract.js';

export { at, ids, useContractTarget } from '../support/module-contract.js';

export const therapyTestModule: AuraModule = {
  name: 'therapy',
  migrations: { '2026_12_04_000000_therapy_initial': therapyInitial },
};

export function openTherapyDatabase(target: SqlTarget): Promise<ModuleDatabase> {
  return openModuleDatabase(target, therapyTestModule, {
    events: therapyEvents,
    tables: ['therapy.therapists', 'therapy.sessions', 'therapy.calendar_tokens'],
  });
}

export function contractTargets<H>(build: {
  readonly inMemory: () => H | Promise<H>;
  readonly sql: (database: ModuleDatabase) => H | Promise<H>;
}) {
  return moduleContractTargets(openTherapyDatabase, build);
}

export function profile(overrides: Partial<TherapistProfile> = {}): TherapistProfile {
  return {
    therapistId: ids.next(),
    bio: 'Olá — “quoted” 📅',
    specialties: ['anxiety', 'couples'],
    languages: ['en', 'pt-BR'],
    acceptingNewPatients: true,
    timeZone: 'Europe/Berlin' as ZoneName,
    sessionTypes: [
      { id: ids.next(), name: 'Individual', durationMinutes: 50, modality: 'video', priceMinor: 9_000, currency: 'EUR' },
    ],
    policy: DEFAULT_POLICY,
    ...overrides,
  };
}

const MINUTE = 60_000;

/** A newly scheduled session (`therapy_session.scheduled` recorded) of `minutes` at `startsAt`. */
export function scheduled(
  input: {
    patientId?: string;
    therapistId?: string;
    startsAt: string;
    minutes?: number;
    bufferAfter?: number;
    bookedBy?: SessionActor;
  },
  when = new Date('2026-11-20T10:00:00.000Z'),
): TherapySession {
  const startsAt = new Date(input.startsAt);
  const minutes = input.minutes ?? 50;
  const patientId = input.patientId ?? ids.next();
  return TherapySession.schedule(
    {
      id: ids.next(),
      patientId,
      therapistId: input.therapistId ?? ids.next(),
      sessionType: { id: ids.next(), name: 'x', durationMinutes: minutes, modality: 'video', priceMinor: 9_000, currency: 'EUR' },
      slot: { startsAt, endsAt: new Date(startsAt.getTime() + minutes * MINUTE) },
      policy: { ...DEFAULT_POLICY, bufferAfterMinutes: input.bufferAfter ?? 10 },
      bookedBy: input.bookedBy ?? { role: 'patient', userId: patientId },
    },
    when,
  );
}
