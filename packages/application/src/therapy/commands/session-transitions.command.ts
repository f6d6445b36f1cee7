import type { DomainError } from '@aura/domain/platform';
import {
  type ActionNotAllowed,
  type CancellationReason,
  checkSlot,
  type InvalidNote,
  type InvalidTransition,
  type NoFeeToWaive,
  type SessionActor,
  type Slot,
  type SlotUnavailable,
  type TherapistProfile,
  type TherapySession,
  type TooEarly,
  therapyErrors,
  type WaiverReason,
} from '@aura/domain/therapy';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { Actor } from '../../platform/actor.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { SessionRepository } from '../ports/session.repository.port.js';
import { TherapistRepository } from '../ports/therapist.repository.port.js';
import { SlotRulesReader } from '../slot-rules.service.js';
import { type SessionNotFound, type TherapistNotFound, therapyAppErrors } from '../therapy.app-errors.js';
import { type SessionView, sessionRole, toSessionView } from '../therapy.views.js';

type Transition<E extends DomainError> = (session: TherapySession, by: SessionActor, now: Date) => Result<void, E>;

/**
 * Loads the session for update, checks that the actor is its patient, its therapist or an
 * admin (anyone else gets a 404, not a hint that it exists), applies `transition` and saves.
 */
@injectable()
export class SessionTransitions {
  constructor(
    @inject(SessionRepository) private readonly sessions: SessionRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  run<E extends DomainError>(
    actor: Actor,
    sessionId: string,
    transition: Transition<E>,
  ): ResultAsync<SessionView, E | SessionNotFound> {
    return this.uow.result(
      () =>
        new ResultAsync(
          (async (): Promise<Result<SessionView, E | SessionNotFound>> => {
            const session = await this.sessions.findById(sessionId, { lock: true });
            const role = session === undefined ? undefined : sessionRole(actor, session.state);
            if (session === undefined || role === undefined) return err(therapyAppErrors.sessionNotFound(sessionId));
            const changed = transition(session, { role, userId: actor.userId.toLowerCase() }, this.clock.now());
            if (changed.isErr()) return err(changed.error);
            // Only a reschedule moves the range; the other transitions cannot conflict.
            (await this.sessions.save(session))._unsafeUnwrap();
            return ok(toSessionView(session.state));
          })(),
        ),
    );
  }
}

export type CancelSessionError = SessionNotFound | ActionNotAllowed | InvalidTransition | InvalidNote;

/** The patient, the therapist or an admin cancels; inside the cancellation notice it is late (a fee when the patient cancels). */
@injectable()
export class CancelSession {
  constructor(@inject(SessionTransitions) private readonly transitions: SessionTransitions) {}

  execute(input: {
    readonly actor: Actor;
    readonly sessionId: string;
    readonly reason: CancellationReason;
    readonly note?: string | null | undefined;
  }): ResultAsync<SessionView, CancelSessionError> {
    return this.transitions.run(input.actor, input.sessionId, (session, by, now) =>
      session.cancel(by, input.reason, input.note ?? null, now),
    );
  }
}

export type StartSessionError = SessionNotFound | ActionNotAllowed | InvalidTransition | TooEarly;

/** The therapist (or an admin) starts the session, from 15 minutes before its start. */
@injectable()
export class StartSession {
  constructor(@inject(SessionTransitions) private readonly transitions: SessionTransitions) {}

  execute(input: { readonly actor: Actor; readonly sessionId: string }): ResultAsync<SessionView, StartSessionError> {
    return this.transitions.run(input.actor, input.sessionId, (session, by, now) => session.start(by, now));
  }
}

export type CompleteSessionError = SessionNotFound | ActionNotAllowed | InvalidTransition;

@injectable()
export class CompleteSession {
  constructor(@inject(SessionTransitions) private readonly transitions: SessionTransitions) {}

  execute(input: { readonly actor: Actor; readonly sessionId: string }): ResultAsync<SessionView, CompleteSessionError> {
    return this.transitions.run(input.actor, input.sessionId, (session, by, now) => session.complete(by, now));
  }
}

export type MarkNoShowError = SessionNotFound | ActionNotAllowed | InvalidTransition | TooEarly;

/** The therapist (or an admin) records that the patient did not come, after the grace period: a fee applies. */
@injectable()
export class MarkNoShow {
  constructor(@inject(SessionTransitions) private readonly transitions: SessionTransitions) {}

  execute(input: { readonly actor: Actor; readonly sessionId: string }): ResultAsync<SessionView, MarkNoShowError> {
    return this.transitions.run(input.actor, input.sessionId, (session, by, now) => session.markNoShow(by, now));
  }
}

export type WaiveFeeError = SessionNotFound | ActionNotAllowed | NoFeeToWaive | InvalidNote;

/** The therapist (or an admin) waives a late-cancellation or no-show fee, with a reason (kept with the session). */
@injectable()
export class WaiveFee {
  constructor(@inject(SessionTransitions) private readonly transitions: SessionTransitions) {}

  execute(input: {
    readonly actor: Actor;
    readonly sessionId: string;
    readonly reason: WaiverReason;
    readonly note?: string | null | undefined;
  }): ResultAsync<SessionView, WaiveFeeError> {
    return this.transitions.run(input.actor, input.sessionId, (session, by, now) =>
      session.waiveFee(by, input.reason, input.note ?? null, now),
    );
  }
}

export type RescheduleSessionError = SessionNotFound | TherapistNotFound | ActionNotAllowed | InvalidTransition | SlotUnavailable;

/**
 * Moves a session to another offered time (same therapist, same session type and length). The
 * therapist's row is locked first, as for a booking, then the session; the new time is checked
 * with this session left out of the calendar, and one UPDATE moves its range, so the old time
 * is never freed without the new one taken (the exclusion constraints decide any race).
 */
@injectable()
export class RescheduleSession {
  constructor(
    @inject(SessionRepository) private readonly sessions: SessionRepository,
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(SlotRulesReader) private readonly rules: SlotRulesReader,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(input: {
    readonly actor: Actor;
    readonly sessionId: string;
    readonly startsAt: Date;
  }): ResultAsync<SessionView, RescheduleSessionError> {
    return this.uow.result(() => new ResultAsync(this.reschedule(input)));
  }

  private async reschedule(input: {
    readonly actor: Actor;
    readonly sessionId: string;
    readonly startsAt: Date;
  }): Promise<Result<SessionView, RescheduleSessionError>> {
    const peek = await this.sessions.findById(input.sessionId);
    const role = peek === undefined ? undefined : sessionRole(input.actor, peek.state);
    if (peek === undefined || role === undefined) return err(therapyAppErrors.sessionNotFound(input.sessionId));
    const by: SessionActor = { role, userId: input.actor.userId.toLowerCase() };
    const now = this.clock.now();
    /** The therapist's profile and the new slot, this session left out of the calendar. */
    const decide = async (
      session: TherapySession,
    ): Promise<Result<{ profile: TherapistProfile; slot: Slot }, RescheduleSessionError>> => {
      const stored = await this.therapists.findById(session.state.therapistId);
      if (stored === undefined) return err(therapyAppErrors.therapistNotFound(session.state.therapistId));
      // Who may move it, and from which status, before the time is looked at.
      const allowed = session.mayReschedule(by);
      if (allowed.isErr()) return err(allowed.error);
      const range = { from: input.startsAt, to: input.startsAt };
      const rules = await this.rules.read(stored.profile, session.state.durationMinutes, range, now, session.id);
      return checkSlot(rules, input.startsAt).map((slot) => ({ profile: stored.profile, slot }));
    };
    // First without locks: a taken time is refused at once, without queueing for the therapist's row.
    const unlocked = await decide(peek);
    if (unlocked.isErr()) return err(unlocked.error);
    // Then the therapist's row (as a booking takes it) and the session's, and the same rules again.
    await this.therapists.findById(peek.state.therapistId, { lock: true });
    // Sessions are never deleted and never change hands: the locked copy is the same session, newer.
    const session = (await this.sessions.findById(input.sessionId, { lock: true })) as TherapySession;
    const confirmed = await decide(session);
    if (confirmed.isErr()) return err(confirmed.error);
    const { profile, slot } = confirmed.value;
    session.reschedule(slot, profile.policy, by, now)._unsafeUnwrap();
    const saved = await this.sessions.save(session);
    if (saved.isErr())
      return err(therapyErrors.slotUnavailable(saved.error.details.with === 'therapist' ? 'taken' : 'patient_busy'));
    return ok(toSessionView(session.state));
  }
}
