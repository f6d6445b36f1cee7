import { domainError } from '@aura/domain/platform';
import {
  checkSlot,
  type SessionActor,
  type SessionType,
  type Slot,
  type SlotUnavailable,
  type TherapistProfile,
  TherapySession,
  therapyErrors,
} from '@aura/domain/therapy';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { Actor, Forbidden } from '../../platform/actor.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { IdGenerator } from '../../platform/ports/id-generator.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { UsersContract } from '../../users/contract.js';
import { SessionRepository } from '../ports/session.repository.port.js';
import { TherapistRepository } from '../ports/therapist.repository.port.js';
import { SlotRulesReader } from '../slot-rules.service.js';
import {
  type NotAcceptingPatients,
  type NotAPatient,
  type PatientInactive,
  type PatientNotFound,
  type PatientRequired,
  type SessionTypeNotFound,
  type TherapistNotFound,
  type TherapistUnavailable,
  therapyAppErrors,
} from '../therapy.app-errors.js';
import { type SessionView, toSessionView } from '../therapy.views.js';

export interface BookSessionInput {
  readonly actor: Actor;
  readonly therapistId: string;
  readonly sessionTypeId: string;
  readonly startsAt: Date;
  /** Admins book for a patient; a patient books for themselves (their own id, or left out). */
  readonly patientId?: string | undefined;
}

export type BookSessionError =
  | Forbidden
  | PatientRequired
  | PatientNotFound
  | PatientInactive
  | NotAPatient
  | TherapistNotFound
  | TherapistUnavailable
  | SessionTypeNotFound
  | NotAcceptingPatients
  | SlotUnavailable;

const forbidden = (message: string): Forbidden => domainError('platform.forbidden', message);

/** The actor as a session records them: their role for this booking. */
export function actorOf(actor: Actor, role: 'patient' | 'therapist' | 'admin'): SessionActor {
  return { role, userId: actor.userId.toLowerCase() };
}

/**
 * Books a session. The therapist's row is locked for the transaction, so the slot rules (their
 * availability, notice, horizon, daily cap, sessions already booked) are checked against a
 * calendar nobody else is changing; the exclusion constraints are the last word (the therapist's
 * sessions with buffers, and the patient's, never overlap), so a race is a `slot_unavailable`,
 * never a double booking.
 */
@injectable()
export class BookSession {
  constructor(
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(SessionRepository) private readonly sessions: SessionRepository,
    @inject(SlotRulesReader) private readonly rules: SlotRulesReader,
    @inject(UsersContract) private readonly users: UsersContract,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(input: BookSessionInput): ResultAsync<SessionView, BookSessionError> {
    return this.uow.result(() => new ResultAsync(this.book(input)));
  }

  private async book(input: BookSessionInput): Promise<Result<SessionView, BookSessionError>> {
    const { actor } = input;
    const admin = actor.roles.includes('admin');
    let patientId: string;
    if (admin) {
      if (input.patientId === undefined) return err(therapyAppErrors.patientRequired());
      patientId = input.patientId.toLowerCase();
    } else if (actor.roles.includes('patient')) {
      patientId = actor.userId.toLowerCase();
      if (input.patientId !== undefined && input.patientId.toLowerCase() !== patientId)
        return err(forbidden('a patient books sessions for themselves only'));
    } else return err(forbidden('requires the role patient or admin'));

    const patient = await this.users.requireActive(patientId, ['patient']);
    if (patient.isErr()) {
      if (patient.error.type === 'users.user_not_found') return err(therapyAppErrors.patientNotFound(patientId));
      if (patient.error.type === 'users.role_mismatch') return err(therapyAppErrors.notAPatient());
      return err(therapyAppErrors.patientInactive());
    }
    const therapistId = input.therapistId.toLowerCase();
    const now = this.clock.now();
    /** The therapist's profile, the session type and the slot, read with or without the lock on the therapist's row. */
    const decide = async (
      lock: boolean,
    ): Promise<Result<{ profile: TherapistProfile; sessionType: SessionType; slot: Slot }, BookSessionError>> => {
      const stored = await this.therapists.findById(therapistId, { lock });
      if (stored === undefined) return err(therapyAppErrors.therapistNotFound(therapistId));
      const sessionType = stored.profile.sessionTypes.find((t) => t.id === input.sessionTypeId.toLowerCase());
      if (sessionType === undefined) return err(therapyAppErrors.sessionTypeNotFound(input.sessionTypeId));
      const range = { from: input.startsAt, to: input.startsAt };
      const rules = await this.rules.read(stored.profile, sessionType.durationMinutes, range, now);
      return checkSlot(rules, input.startsAt).map((slot) => ({ profile: stored.profile, sessionType, slot }));
    };
    // First without the lock: once a slot is taken, every other request for it is refused here, in
    // parallel, instead of queueing for the therapist's row.
    const unlocked = await decide(false);
    if (unlocked.isErr()) return err(unlocked.error);
    if ((await this.users.requireActive(therapistId, ['therapist'])).isErr()) return err(therapyAppErrors.therapistUnavailable());
    if (!unlocked.value.profile.acceptingNewPatients && !(await this.sessions.hasHistory(patientId, therapistId)))
      return err(therapyAppErrors.notAcceptingPatients());
    // Then under the lock, which serialises the bookings that got this far (the daily cap needs it).
    const locked = await decide(true);
    if (locked.isErr()) return err(locked.error);
    const { profile, sessionType, slot } = locked.value;
    const session = TherapySession.schedule(
      {
        id: this.ids.next(),
        patientId,
        therapistId,
        sessionType,
        slot,
        policy: profile.policy,
        bookedBy: actorOf(actor, admin ? 'admin' : 'patient'),
      },
      now,
    );
    const added = await this.sessions.add(session);
    if (added.isErr())
      return err(therapyErrors.slotUnavailable(added.error.details.with === 'therapist' ? 'taken' : 'patient_busy'));
    return ok(toSessionView(session.state));
  }
}
