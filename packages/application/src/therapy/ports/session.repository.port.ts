import type { DomainError } from '@aura/domain/platform';
import type { BookedSession, SessionState, SessionStatus, TherapySession } from '@aura/domain/therapy';
import type { Result } from 'neverthrow';
import type { Page } from '../../platform/pagination.js';

/**
 * The database refused the session's time: it overlaps an active session of the same therapist
 * (buffers included) or of the same patient (the exclusion constraints).
 */
export type SessionConflict = DomainError<'therapy.session_conflict'> & {
  readonly details: { readonly with: 'therapist' | 'patient' };
};

export const sessionConflict = (withWhom: 'therapist' | 'patient'): SessionConflict => ({
  type: 'therapy.session_conflict',
  message: `the time overlaps another session of the ${withWhom}`,
  details: { with: withWhom },
});

export interface SessionListFilter {
  readonly patientId?: string | undefined;
  readonly therapistId?: string | undefined;
  readonly status?: SessionStatus | undefined;
  /** Starting at or after. */
  readonly from?: Date | undefined;
  /** Starting before. */
  readonly to?: Date | undefined;
}

/**
 * Sessions in `therapy.sessions`, their events in the outbox in the same transaction. Two
 * exclusion constraints hold the invariant whatever the code does: one therapist's active
 * sessions (with their buffers) never overlap, nor one patient's. `add` and `save` (a
 * reschedule moves the range in the same UPDATE) return the conflict instead of failing the
 * caller's transaction. Optimistic concurrency on `version`.
 */
export interface SessionRepository {
  add(session: TherapySession): Promise<Result<void, SessionConflict>>;
  findById(id: string, options?: { readonly lock?: boolean }): Promise<TherapySession | undefined>;
  /** Throws ConcurrentSessionModificationError when the row changed since it was loaded. */
  save(session: TherapySession): Promise<Result<void, SessionConflict>>;
  /** In order of start (then id); `cursor` is the last id of the previous page. */
  list(
    filter: SessionListFilter,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<SessionState>>;
  /** The therapist's active sessions whose blocked range overlaps [from, to) (`except` left out). */
  bookedOf(therapistId: string, from: Date, to: Date, except?: string): Promise<BookedSession[]>;
  /** Whether the patient has had a session (not cancelled) with the therapist. */
  hasHistory(patientId: string, therapistId: string): Promise<boolean>;
  /** Ids of the scheduled sessions starting after `now` in which the user is the patient or the therapist. */
  futureScheduledOf(userId: string, now: Date): Promise<string[]>;
  /** The user's sessions (as patient or therapist) starting in [from, to), not cancelled, by start. */
  calendarOf(userId: string, from: Date, to: Date): Promise<SessionState[]>;
}
export const SessionRepository = Symbol.for('aura.therapy.SessionRepository');

export class ConcurrentSessionModificationError extends Error {
  override readonly name = 'ConcurrentSessionModificationError';
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} was changed by someone else since it was loaded`);
  }
}
