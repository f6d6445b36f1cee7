import { inject, injectable } from 'inversify';
import { err, ok, ResultAsync } from 'neverthrow';
import type { Actor } from '../../platform/actor.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { CalendarRenderer, CalendarTokenStore, SecretTokens } from '../ports/calendar.port.js';
import { SessionRepository } from '../ports/session.repository.port.js';
import { TherapySettings } from '../ports/therapy-settings.js';
import { type CalendarNotFound, therapyAppErrors } from '../therapy.app-errors.js';

const DAY_MS = 86_400_000;

export interface IssuedCalendar {
  /** The secret: shown once, in the URL. */
  readonly token: string;
  readonly url: string;
  readonly issuedAt: Date;
}

/** `https://x.org/aura` + path, keeping the prefix. */
const under = (base: string, path: string) => new URL(path, base.endsWith('/') ? base : `${base}/`).toString();

/** The feed's address for a token. */
export const calendarUrl = (settings: TherapySettings, token: string) =>
  under(settings.publicBaseUrl, `api/mental-health/calendar/${token}.ics`);

/** Creates the caller's calendar feed address, or replaces it (the old one stops working at once). */
@injectable()
export class IssueCalendarToken {
  constructor(
    @inject(CalendarTokenStore) private readonly store: CalendarTokenStore,
    @inject(SecretTokens) private readonly secrets: SecretTokens,
    @inject(TherapySettings) private readonly settings: TherapySettings,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(actor: Actor): Promise<IssuedCalendar> {
    const { token, hash } = this.secrets.generate();
    const issuedAt = this.clock.now();
    await this.store.issue(actor.userId.toLowerCase(), hash, issuedAt);
    return { token, url: calendarUrl(this.settings, token), issuedAt };
  }
}

/** Revokes the caller's calendar feed address. */
@injectable()
export class RevokeCalendarToken {
  constructor(@inject(CalendarTokenStore) private readonly store: CalendarTokenStore) {}

  execute(actor: Actor): ResultAsync<void, CalendarNotFound> {
    return ResultAsync.fromSafePromise(this.store.revoke(actor.userId.toLowerCase())).andThen((revoked) =>
      revoked ? ok(undefined) : err(therapyAppErrors.calendarNotFound()),
    );
  }
}

/** When the caller's feed address was issued (the secret itself is never shown again). */
@injectable()
export class GetCalendarTokenStatus {
  constructor(@inject(CalendarTokenStore) private readonly store: CalendarTokenStore) {}

  execute(actor: Actor): ResultAsync<{ readonly issuedAt: Date }, CalendarNotFound> {
    return ResultAsync.fromSafePromise(this.store.issuedAt(actor.userId.toLowerCase())).andThen((issuedAt) =>
      issuedAt === undefined ? err(therapyAppErrors.calendarNotFound()) : ok({ issuedAt }),
    );
  }
}

/**
 * The iCalendar feed behind a token: the user's sessions (as patient or therapist) from
 * `calendarPastDays` back to `calendarFutureDays` ahead, cancelled ones left out. Every entry
 * is titled "Appointment": calendars sync to phones and clouds, so no names, no clinical words.
 */
@injectable()
export class GetCalendarFeed {
  constructor(
    @inject(CalendarTokenStore) private readonly store: CalendarTokenStore,
    @inject(SecretTokens) private readonly secrets: SecretTokens,
    @inject(SessionRepository) private readonly sessions: SessionRepository,
    @inject(CalendarRenderer) private readonly renderer: CalendarRenderer,
    @inject(TherapySettings) private readonly settings: TherapySettings,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(token: string): ResultAsync<string, CalendarNotFound> {
    return new ResultAsync(
      (async () => {
        const userId = await this.store.findUser(this.secrets.hash(token));
        if (userId === undefined) return err(therapyAppErrors.calendarNotFound());
        const now = this.clock.now().getTime();
        const sessions = await this.sessions.calendarOf(
          userId,
          new Date(now - this.settings.calendarPastDays * DAY_MS),
          new Date(now + this.settings.calendarFutureDays * DAY_MS),
        );
        return ok(
          this.renderer.render({
            name: 'Aura appointments',
            entries: sessions.map((s) => {
              const url = under(this.settings.appointmentUrl, s.id);
              return {
                uid: `${s.id}@aura`,
                sequence: s.version,
                start: s.startsAt,
                end: s.endsAt,
                summary: 'Appointment',
                description: `Details: ${url}`,
                location: s.modality === 'video' ? 'Online' : 'In person',
                url,
                updatedAt: s.updatedAt,
              };
            }),
          }),
        );
      })(),
    );
  }
}
