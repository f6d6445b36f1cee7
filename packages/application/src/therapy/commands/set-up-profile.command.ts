import {
  type Availability,
  type InvalidAvailability,
  type InvalidProfile,
  type InvalidTimeZone,
  type ProfileInput,
  parseAvailability,
  type RawOverride,
  type RawWeeklyRule,
  setUpProfile,
} from '@aura/domain/therapy';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { type Actor, type Forbidden, requireRole } from '../../platform/actor.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { IdGenerator } from '../../platform/ports/id-generator.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { UsersContract } from '../../users/contract.js';
import { TherapistRepository } from '../ports/therapist.repository.port.js';
import { type TherapistNotFound, therapyAppErrors } from '../therapy.app-errors.js';
import { type TherapistView, toTherapistView } from '../therapy.views.js';

export type SetUpProfileError = Forbidden | InvalidProfile | InvalidTimeZone;

/**
 * A therapist sets up (or changes) their own profile: bio, specialties, languages, whether they
 * accept new patients, their time zone, session types and booking policy. Session types keep
 * their ids when sent back with them; sessions already booked keep the type and policy they
 * were booked with.
 */
@injectable()
export class SetUpTherapistProfile {
  constructor(
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(UsersContract) private readonly users: UsersContract,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(actor: Actor, input: ProfileInput): ResultAsync<TherapistView, SetUpProfileError> {
    const allowed = requireRole(actor, 'therapist');
    if (allowed.isErr()) return new ResultAsync(Promise.resolve(err(allowed.error)));
    return this.uow.result(
      () =>
        new ResultAsync(
          (async (): Promise<Result<TherapistView, SetUpProfileError>> => {
            const therapistId = actor.userId.toLowerCase();
            const current = await this.therapists.findById(therapistId, { lock: true });
            const profile = setUpProfile(therapistId, input, current?.profile, () => this.ids.next());
            if (profile.isErr()) return err(profile.error);
            const now = this.clock.now();
            await this.therapists.save(profile.value, now);
            const name = (await this.users.getProfile(therapistId))?.displayName ?? '';
            return ok(
              toTherapistView(
                { profile: profile.value, listed: current?.listed ?? true, createdAt: current?.createdAt ?? now, updatedAt: now },
                name,
              ),
            );
          })(),
        ),
    );
  }
}

export type SetAvailabilityError = Forbidden | InvalidAvailability | TherapistNotFound;

/** A therapist replaces their weekly availability and date overrides (set up the profile first: it holds the time zone). */
@injectable()
export class SetAvailability {
  constructor(
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(
    actor: Actor,
    input: { readonly weeklyRules: readonly RawWeeklyRule[]; readonly overrides: readonly RawOverride[] },
  ): ResultAsync<Availability & { readonly timeZone: string }, SetAvailabilityError> {
    const allowed = requireRole(actor, 'therapist');
    if (allowed.isErr()) return new ResultAsync(Promise.resolve(err(allowed.error)));
    const availability = parseAvailability(input);
    if (availability.isErr()) return new ResultAsync(Promise.resolve(err(availability.error)));
    const therapistId = actor.userId.toLowerCase();
    return ResultAsync.fromSafePromise(
      (async () => {
        if (!(await this.therapists.saveAvailability(therapistId, availability.value, this.clock.now()))) return undefined;
        return (await this.therapists.findById(therapistId))?.profile.timeZone;
      })(),
    ).andThen((timeZone) =>
      timeZone === undefined ? err(therapyAppErrors.therapistNotFound(therapistId)) : ok({ timeZone, ...availability.value }),
    );
  }
}
