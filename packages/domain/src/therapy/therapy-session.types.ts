export type SessionStatus = 'scheduled' | 'started' | 'completed' | 'cancelled' | 'no_show';
export const SESSION_STATUSES: readonly SessionStatus[] = ['scheduled', 'started', 'completed', 'cancelled', 'no_show'];
/** Statuses that hold the therapist's and the patient's time (the exclusion constraints apply to them). */
export const ACTIVE_STATUSES: readonly SessionStatus[] = ['scheduled', 'started', 'completed', 'no_show'];

export type Modality = 'video' | 'in_person';
export const MODALITIES: readonly Modality[] = ['video', 'in_person'];

/** Who acts on a session: a person in one of their roles, or Aura itself (a deactivated account). */
export type ActorRole = 'patient' | 'therapist' | 'admin' | 'system';
export interface SessionActor {
  readonly role: ActorRole;
  /** Null for `system`. */
  readonly userId: string | null;
}

/** Why a session was cancelled: codes only, so events never carry what a person typed. */
export type CancellationReason =
  | 'schedule_conflict'
  | 'personal'
  | 'technical_issue'
  | 'therapist_unavailable'
  | 'patient_unavailable'
  | 'other';
export const CANCELLATION_REASONS: readonly CancellationReason[] = [
  'schedule_conflict',
  'personal',
  'technical_issue',
  'therapist_unavailable',
  'patient_unavailable',
  'other',
];

export type WaiverReason = 'goodwill' | 'emergency' | 'technical_issue' | 'therapist_error' | 'other';
export const WAIVER_REASONS: readonly WaiverReason[] = ['goodwill', 'emergency', 'technical_issue', 'therapist_error', 'other'];

/** Why a fee applies: a late cancellation or reschedule by the patient, or a no-show. */
export type FeeReason = 'late_cancellation' | 'late_reschedule' | 'no_show';
