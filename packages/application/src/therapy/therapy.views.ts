import type { BookingPolicy, SessionState, SessionType, TherapistProfile } from '@aura/domain/therapy';
import type { Actor } from '../platform/actor.js';
import type { StoredTherapist } from './ports/therapist.repository.port.js';

/** A session as its patient, its therapist and admins see it. */
export type SessionView = SessionState;

export const toSessionView = (state: SessionState): SessionView => ({ ...state });

export interface TherapistView {
  readonly therapistId: string;
  readonly displayName: string;
  readonly bio: string;
  readonly specialties: readonly string[];
  readonly languages: readonly string[];
  readonly acceptingNewPatients: boolean;
  readonly timeZone: string;
  readonly sessionTypes: readonly SessionType[];
  readonly policy: BookingPolicy;
  readonly updatedAt: Date;
}

export const toTherapistView = (stored: StoredTherapist, displayName: string): TherapistView => {
  const profile: TherapistProfile = stored.profile;
  return { ...profile, displayName, updatedAt: stored.updatedAt };
};

/** How the actor stands to a session: its patient, its therapist, an admin, or a stranger (undefined). */
export function sessionRole(actor: Actor, state: SessionState): 'patient' | 'therapist' | 'admin' | undefined {
  if (actor.roles.includes('admin')) return 'admin';
  const id = actor.userId.toLowerCase();
  if (actor.roles.includes('therapist') && state.therapistId === id) return 'therapist';
  if (actor.roles.includes('patient') && state.patientId === id) return 'patient';
  return undefined;
}
