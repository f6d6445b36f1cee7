import { err, ok, type Result } from 'neverthrow';
import { AggregateRoot } from '../platform/aggregate-root.js';
import { isWellFormedText } from '../platform/text.js';
import { blockedRange, type Slot } from './slots.js';
import type { BookingPolicy, SessionType } from './therapist.js';
import {
  type ActionNotAllowed,
  type InvalidTransition,
  type NoFeeToWaive,
  type TooEarly,
  therapyErrors,
} from './therapy.errors.js';
import type { ActorFacts, SessionEvent, SessionFacts } from './therapy-session.events.js';
import type {
  ActorRole,
  CancellationReason,
  FeeReason,
  Modality,
  SessionActor,
  SessionStatus,
  WaiverReason,
} from './therapy-session.types.js';
import { MINUTE_MS } from './wall-clock.js';

/** How long before its start a session may be started. */
export const START_WINDOW_MINUTES = 15;
/** Longest note a person may add to a cancellation or a waiver (kept with the session, never in events). */
export const NOTE_MAX_LENGTH = 500;

export interface SessionState {
  readonly id: string;
  readonly patientId: string;
  readonly therapistId: string;
  readonly sessionTypeId: string;
  readonly modality: Modality;
  readonly durationMinutes: number;
  readonly priceMinor: number;
  readonly currency: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** What the session holds on the therapist's calendar: the session with its buffers (the exclusion constraint's range). */
  readonly blockedFrom: Date;
  readonly blockedUntil: Date;
  /** The therapist's policy when it was booked: the rules it is held to. */
  readonly cancellationNoticeMinutes: number;
  readonly noShowGraceMinutes: number;
  readonly status: SessionStatus;
  /** 1 when scheduled; every change adds one (reminder keys and events carry it). */
  readonly version: number;
  readonly bookedBy: SessionActor;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly rescheduleCount: number;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
  readonly cancelledAt: Date | null;
  readonly cancelledBy: SessionActor | null;
  readonly cancellationReason: CancellationReason | null;
  readonly cancellationNote: string | null;
  /** Cancelled inside the cancellation notice. */
  readonly cancelledLate: boolean;
  readonly noShowAt: Date | null;
  readonly feeApplies: boolean;
  readonly feeReason: FeeReason | null;
  readonly feeWaivedAt: Date | null;
  readonly feeWaivedBy: SessionActor | null;
  readonly feeWaiverReason: WaiverReason | null;
  readonly feeWaiverNote: string | null;
}

export interface NewSession {
  readonly id: string;
  readonly patientId: string;
  readonly therapistId: string;
  readonly sessionType: SessionType;
  /** A slot `checkSlot` accepted. */
  readonly slot: Slot;
  readonly policy: BookingPolicy;
  readonly bookedBy: SessionActor;
}

export type InvalidNote = ReturnType<typeof invalidNote>;
const invalidNote = () => ({
  type: 'therapy.invalid_note' as const,
  message: `a note must be text of at most ${NOTE_MAX_LENGTH} characters`,
  details: { field: 'note' },
});

function parseNote(note: string | null | undefined): Result<string | null, InvalidNote> {
  if (note === null || note === undefined || note.trim() === '') return ok(null);
  const trimmed = note.trim();
  return isWellFormedText(trimmed) && [...trimmed].length <= NOTE_MAX_LENGTH ? ok(trimmed) : err(invalidNote());
}

const actorFacts = (actor: SessionActor): ActorFacts => ({ role: actor.role, userId: actor.userId });

/**
 * One booked appointment between a patient and a therapist. Status machine:
 *
 *   scheduled ──start──► started ──complete──► completed
 *   scheduled ──cancel──► cancelled            (anyone; late inside the cancellation notice)
 *   scheduled ──markNoShow──► no_show          (therapist or admin, after start + grace)
 *   scheduled ──reschedule──► scheduled        (new time, version + 1; late as for a cancellation)
 *   any with a fee ──waiveFee──► same status   (therapist or admin, with a reason)
 *
 * A late cancellation or reschedule by the patient, and a no-show, make a fee apply.
 */
export class TherapySession extends AggregateRoot<string, SessionEvent> {
  #state: SessionState;
  /** The version stored when it was loaded (0 for a new session): what a save expects to replace. */
  readonly persistedVersion: number;

  private constructor(state: SessionState, persistedVersion: number) {
    super(state.id);
    this.#state = state;
    this.persistedVersion = persistedVersion;
  }

  static schedule(input: NewSession, at: Date): TherapySession {
    const blocked = blockedRange(input.slot.startsAt, input.slot.endsAt, input.policy);
    const session = new TherapySession(
      {
        id: input.id,
        patientId: input.patientId,
        therapistId: input.therapistId,
        sessionTypeId: input.sessionType.id,
        modality: input.sessionType.modality,
        durationMinutes: input.sessionType.durationMinutes,
        priceMinor: input.sessionType.priceMinor,
        currency: input.sessionType.currency,
        startsAt: input.slot.startsAt,
        endsAt: input.slot.endsAt,
        blockedFrom: blocked.from,
        blockedUntil: blocked.until,
        cancellationNoticeMinutes: input.policy.cancellationNoticeMinutes,
        noShowGraceMinutes: input.policy.noShowGraceMinutes,
        status: 'scheduled',
        version: 1,
        bookedBy: input.bookedBy,
        createdAt: at,
        updatedAt: at,
        rescheduleCount: 0,
        startedAt: null,
        completedAt: null,
        cancelledAt: null,
        cancelledBy: null,
        cancellationReason: null,
        cancellationNote: null,
        cancelledLate: false,
        noShowAt: null,
        feeApplies: false,
        feeReason: null,
        feeWaivedAt: null,
        feeWaivedBy: null,
        feeWaiverReason: null,
        feeWaiverNote: null,
      },
      0,
    );
    session.record({
      type: 'therapy_session.scheduled',
      version: 1,
      aggregateId: input.id,
      occurredAt: at,
      data: { ...session.facts(), bookedBy: actorFacts(input.bookedBy) },
    });
    return session;
  }

  /** Rebuilds a session from storage; records nothing. */
  static restore(state: SessionState): TherapySession {
    return new TherapySession(state, state.version);
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Inside the cancellation notice at `at` (cancelling or moving it now is late). */
  isLate(at: Date): boolean {
    return at.getTime() > this.#state.startsAt.getTime() - this.#state.cancellationNoticeMinutes * MINUTE_MS;
  }

  /** Whether `by` may move it now (the patient, the therapist or an admin, while it is scheduled). */
  mayReschedule(by: SessionActor): Result<void, ActionNotAllowed | InvalidTransition> {
    const refused = this.#refuse(by, ['patient', 'therapist', 'admin'], 'reschedule', 'rescheduled');
    return refused === undefined ? ok(undefined) : err(refused);
  }

  /** Moves it to `slot` (checked by `checkSlot` without this session). */
  reschedule(slot: Slot, policy: BookingPolicy, by: SessionActor, at: Date): Result<void, ActionNotAllowed | InvalidTransition> {
    const allowed = this.mayReschedule(by);
    if (allowed.isErr()) return allowed;
    const previous = this.#state;
    const late = this.isLate(at);
    const fee = this.#feeAfter(late && by.role === 'patient', 'late_reschedule');
    const blocked = blockedRange(slot.startsAt, slot.endsAt, policy);
    this.#change(
      {
        startsAt: slot.startsAt,
        endsAt: slot.endsAt,
        blockedFrom: blocked.from,
        blockedUntil: blocked.until,
        rescheduleCount: previous.rescheduleCount + 1,
        ...fee,
      },
      at,
    );
    this.record({
      type: 'therapy_session.rescheduled',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: {
        ...this.facts(),
        previousStartsAt: previous.startsAt.toISOString(),
        previousEndsAt: previous.endsAt.toISOString(),
        rescheduledBy: actorFacts(by),
        late,
        feeApplies: this.#state.feeApplies,
        feeReason: this.#state.feeReason,
      },
    });
    return ok(undefined);
  }

  cancel(
    by: SessionActor,
    reason: CancellationReason,
    note: string | null,
    at: Date,
  ): Result<void, ActionNotAllowed | InvalidTransition | InvalidNote> {
    const refused = this.#refuse(by, ['patient', 'therapist', 'admin', 'system'], 'cancel', 'cancelled');
    if (refused !== undefined) return err(refused);
    const parsed = parseNote(note);
    if (parsed.isErr()) return err(parsed.error);
    const late = this.isLate(at);
    this.#change(
      {
        status: 'cancelled',
        cancelledAt: at,
        cancelledBy: by,
        cancellationReason: reason,
        cancellationNote: parsed.value,
        cancelledLate: late,
        ...this.#feeAfter(late && by.role === 'patient', 'late_cancellation'),
      },
      at,
    );
    this.record({
      type: 'therapy_session.cancelled',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: {
        ...this.facts(),
        cancelledAt: at.toISOString(),
        cancelledBy: actorFacts(by),
        reason,
        late,
        feeApplies: this.#state.feeApplies,
        feeReason: this.#state.feeReason,
      },
    });
    return ok(undefined);
  }

  start(by: SessionActor, at: Date): Result<void, ActionNotAllowed | InvalidTransition | TooEarly> {
    const refused = this.#refuse(by, ['therapist', 'admin'], 'start', 'started');
    if (refused !== undefined) return err(refused);
    const notBefore = new Date(this.#state.startsAt.getTime() - START_WINDOW_MINUTES * MINUTE_MS);
    if (at.getTime() < notBefore.getTime()) return err(therapyErrors.tooEarly('started', notBefore));
    this.#change({ status: 'started', startedAt: at }, at);
    this.record({
      type: 'therapy_session.started',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { ...this.facts(), startedAt: at.toISOString(), startedBy: actorFacts(by) },
    });
    return ok(undefined);
  }

  complete(by: SessionActor, at: Date): Result<void, ActionNotAllowed | InvalidTransition> {
    const refused = this.#refuse(by, ['therapist', 'admin'], 'complete', 'completed', 'started');
    if (refused !== undefined) return err(refused);
    this.#change({ status: 'completed', completedAt: at }, at);
    this.record({
      type: 'therapy_session.completed',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { ...this.facts(), completedAt: at.toISOString(), completedBy: actorFacts(by) },
    });
    return ok(undefined);
  }

  markNoShow(by: SessionActor, at: Date): Result<void, ActionNotAllowed | InvalidTransition | TooEarly> {
    const refused = this.#refuse(by, ['therapist', 'admin'], 'mark a no-show of', 'marked a no-show');
    if (refused !== undefined) return err(refused);
    const notBefore = new Date(this.#state.startsAt.getTime() + this.#state.noShowGraceMinutes * MINUTE_MS);
    if (at.getTime() < notBefore.getTime()) return err(therapyErrors.tooEarly('marked a no-show', notBefore));
    this.#change({ status: 'no_show', noShowAt: at, feeApplies: true, feeReason: 'no_show' }, at);
    this.record({
      type: 'therapy_session.no_show',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { ...this.facts(), markedAt: at.toISOString(), markedBy: actorFacts(by), feeApplies: true, feeReason: 'no_show' },
    });
    return ok(undefined);
  }

  waiveFee(
    by: SessionActor,
    reason: WaiverReason,
    note: string | null,
    at: Date,
  ): Result<void, ActionNotAllowed | NoFeeToWaive | InvalidNote> {
    if (by.role !== 'therapist' && by.role !== 'admin') return err(therapyErrors.actionNotAllowed(by.role, 'waive the fee of'));
    const feeReason = this.#state.feeReason;
    if (!this.#state.feeApplies || feeReason === null || this.#state.feeWaivedAt !== null)
      return err(therapyErrors.noFeeToWaive());
    const parsed = parseNote(note);
    if (parsed.isErr()) return err(parsed.error);
    this.#change({ feeWaivedAt: at, feeWaivedBy: by, feeWaiverReason: reason, feeWaiverNote: parsed.value }, at);
    this.record({
      type: 'therapy_session.fee_waived',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { ...this.facts(), waivedAt: at.toISOString(), waivedBy: actorFacts(by), waiverReason: reason, feeReason },
    });
    return ok(undefined);
  }

  /** The role check, then the status check (`from`, default scheduled). */
  #refuse(
    by: SessionActor,
    roles: readonly ActorRole[],
    verb: string,
    done: string,
    from: SessionStatus = 'scheduled',
  ): ActionNotAllowed | InvalidTransition | undefined {
    if (!roles.includes(by.role)) return therapyErrors.actionNotAllowed(by.role, verb);
    if (this.#state.status !== from) return therapyErrors.invalidTransition(this.#state.status, done);
    return undefined;
  }

  /** A fee applies from now on when `incurred` (an earlier fee, waived or not, stays as it is). */
  #feeAfter(incurred: boolean, reason: FeeReason): Pick<SessionState, 'feeApplies' | 'feeReason'> {
    if (this.#state.feeApplies || !incurred) return { feeApplies: this.#state.feeApplies, feeReason: this.#state.feeReason };
    return { feeApplies: true, feeReason: reason };
  }

  #change(changes: Partial<SessionState>, at: Date): void {
    this.#state = { ...this.#state, ...changes, version: this.#state.version + 1, updatedAt: at };
  }

  private facts(): SessionFacts {
    const s = this.#state;
    return {
      sessionId: s.id,
      version: s.version,
      status: s.status,
      patientId: s.patientId,
      therapistId: s.therapistId,
      sessionTypeId: s.sessionTypeId,
      modality: s.modality,
      durationMinutes: s.durationMinutes,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      priceMinor: s.priceMinor,
      currency: s.currency,
    };
  }
}
