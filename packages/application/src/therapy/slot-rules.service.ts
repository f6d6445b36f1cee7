import { DAY_MS, type SlotRules, type TherapistProfile } from '@aura/domain/therapy';
import { inject, injectable } from 'inversify';
import { SessionRepository } from './ports/session.repository.port.js';
import { TherapistRepository } from './ports/therapist.repository.port.js';

/** Reads what decides a therapist's bookable times around [from, to): availability and booked sessions. */
@injectable()
export class SlotRulesReader {
  constructor(
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(SessionRepository) private readonly sessions: SessionRepository,
  ) {}

  async read(
    profile: TherapistProfile,
    durationMinutes: number,
    range: { readonly from: Date; readonly to: Date },
    now: Date,
    except?: string,
  ): Promise<SlotRules> {
    // Two days on each side: whole local days of any zone, for the daily cap.
    const booked = await this.sessions.bookedOf(
      profile.therapistId,
      new Date(range.from.getTime() - 2 * DAY_MS),
      new Date(range.to.getTime() + 2 * DAY_MS),
      except,
    );
    return {
      timeZone: profile.timeZone,
      availability: await this.therapists.availability(profile.therapistId),
      policy: profile.policy,
      durationMinutes,
      booked,
      now,
    };
  }
}
