import {
  type Availability,
  findSlots,
  type InvalidTimeZone,
  localDateTimeOf,
  type Modality,
  parseZone,
} from '@aura/domain/therapy';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { Actor } from '../../platform/actor.js';
import { MAX_PAGE_SIZE, type Page } from '../../platform/pagination.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { UsersContract } from '../../users/contract.js';
import type { StoredTherapist } from '../ports/therapist.repository.port.js';
import { TherapistRepository } from '../ports/therapist.repository.port.js';
import { TherapySettings } from '../ports/therapy-settings.js';
import { SlotRulesReader } from '../slot-rules.service.js';
import { type InvalidRange, type SessionTypeNotFound, type TherapistNotFound, therapyAppErrors } from '../therapy.app-errors.js';
import { type TherapistView, toTherapistView } from '../therapy.views.js';

const DAY_MS = 86_400_000;

async function viewOf(users: UsersContract, stored: StoredTherapist): Promise<TherapistView> {
  return toTherapistView(stored, (await users.getProfile(stored.profile.therapistId))?.displayName ?? '');
}

/** A listed therapist's profile; the therapist themselves and admins also see an unlisted one. */
@injectable()
export class GetTherapist {
  constructor(
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(UsersContract) private readonly users: UsersContract,
  ) {}

  execute(actor: Actor, therapistId: string): ResultAsync<TherapistView, TherapistNotFound> {
    const id = therapistId.toLowerCase();
    return new ResultAsync(
      (async (): Promise<Result<TherapistView, TherapistNotFound>> => {
        const stored = await this.therapists.findById(id);
        const visible =
          stored !== undefined && (stored.listed || actor.userId.toLowerCase() === id || actor.roles.includes('admin'));
        return visible ? ok(await viewOf(this.users, stored)) : err(therapyAppErrors.therapistNotFound(id));
      })(),
    );
  }
}

export interface ListTherapistsInput {
  readonly specialty?: string | undefined;
  readonly language?: string | undefined;
  readonly acceptingNewPatients?: boolean | undefined;
  readonly modality?: Modality | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Listed therapists, filtered by specialty, language, whether they take new patients and modality; cursor paging. */
@injectable()
export class ListTherapists {
  constructor(
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(UsersContract) private readonly users: UsersContract,
  ) {}

  async execute(input: ListTherapistsInput): Promise<Page<TherapistView>> {
    const page = await this.therapists.list(
      {
        specialty: input.specialty?.trim().toLowerCase(),
        language: input.language?.trim(),
        acceptingNewPatients: input.acceptingNewPatients,
        modality: input.modality,
      },
      { limit: Math.min(Math.max(1, input.limit), MAX_PAGE_SIZE), cursor: input.cursor },
    );
    return { items: await Promise.all(page.items.map((stored) => viewOf(this.users, stored))), nextCursor: page.nextCursor };
  }
}

/** The caller's own availability (a therapist with a profile). */
@injectable()
export class GetAvailability {
  constructor(@inject(TherapistRepository) private readonly therapists: TherapistRepository) {}

  execute(actor: Actor): ResultAsync<Availability & { readonly timeZone: string }, TherapistNotFound> {
    const id = actor.userId.toLowerCase();
    return new ResultAsync(
      (async () => {
        const stored = await this.therapists.findById(id);
        if (stored === undefined) return err(therapyAppErrors.therapistNotFound(id));
        return ok({ timeZone: stored.profile.timeZone, ...(await this.therapists.availability(id)) });
      })(),
    );
  }
}

export interface FindSlotsInput {
  readonly actor: Actor;
  readonly therapistId: string;
  readonly sessionTypeId: string;
  /** Default: now. */
  readonly from?: Date | undefined;
  /** Default: seven days after `from`. */
  readonly to?: Date | undefined;
  /** Zone of `localStartsAt`; default: the caller's own. */
  readonly timeZone?: string | undefined;
}

export interface SlotView {
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** Wall-clock time in the zone asked for, with its offset (`2026-03-29T09:00:00+02:00`). */
  readonly localStartsAt: string;
  readonly localEndsAt: string;
}

export interface SlotsView {
  readonly therapistId: string;
  readonly sessionTypeId: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
  readonly therapistTimeZone: string;
  readonly from: Date;
  readonly to: Date;
  readonly slots: readonly SlotView[];
}

export type FindSlotsError = TherapistNotFound | SessionTypeNotFound | InvalidRange | InvalidTimeZone;

/** The times that can be booked with a therapist for one session type, in a bounded range. */
@injectable()
export class FindSlots {
  constructor(
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(SlotRulesReader) private readonly rules: SlotRulesReader,
    @inject(UsersContract) private readonly users: UsersContract,
    @inject(TherapySettings) private readonly settings: TherapySettings,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(input: FindSlotsInput): ResultAsync<SlotsView, FindSlotsError> {
    return new ResultAsync(this.find(input));
  }

  private async find(input: FindSlotsInput): Promise<Result<SlotsView, FindSlotsError>> {
    const now = this.clock.now();
    const from = input.from ?? now;
    const to = input.to ?? new Date(from.getTime() + 7 * DAY_MS);
    if (to.getTime() <= from.getTime()) return err(therapyAppErrors.invalidRange('to', 'to must be after from'));
    if (to.getTime() - from.getTime() > this.settings.maxSlotRangeDays * DAY_MS)
      return err(therapyAppErrors.invalidRange('to', `a slot search spans at most ${this.settings.maxSlotRangeDays} days`));
    const zone = parseZone(input.timeZone ?? (await this.users.getProfile(input.actor.userId))?.timeZone ?? 'UTC');
    if (zone.isErr()) return err(zone.error);
    const therapistId = input.therapistId.toLowerCase();
    const stored = await this.therapists.findById(therapistId);
    if (stored === undefined || !stored.listed) return err(therapyAppErrors.therapistNotFound(therapistId));
    const type = stored.profile.sessionTypes.find((t) => t.id === input.sessionTypeId.toLowerCase());
    if (type === undefined) return err(therapyAppErrors.sessionTypeNotFound(input.sessionTypeId));
    const rules = await this.rules.read(stored.profile, type.durationMinutes, { from, to }, now);
    const slots = findSlots(rules, from, to).map((slot) => ({
      ...slot,
      localStartsAt: localDateTimeOf(slot.startsAt, zone.value),
      localEndsAt: localDateTimeOf(slot.endsAt, zone.value),
    }));
    return ok({
      therapistId,
      sessionTypeId: type.id,
      durationMinutes: type.durationMinutes,
      timeZone: zone.value,
      therapistTimeZone: stored.profile.timeZone,
      from,
      to,
      slots,
    });
  }
}
